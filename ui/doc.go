// Package ui holds cbtscope's view components: the inventory pickers, the
// heatmap panel with its inspector, the extent table, the statistics and
// fault panels, the status line and the help screen, and the one Styles
// theme they share. Components know nothing of each other or of vSphere
// connections: the root model (package model) routes messages and lays them
// out. Every View returns exactly the size it was given.
package ui
