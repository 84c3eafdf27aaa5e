// Package ui holds cbtscope's view components: the inventory lists, the
// heatmap panel, the extent table, statistics, the fault panel, the status and
// progress line and the help screen, plus the one Styles theme they share.
//
// The components arrive with the explorer; until then this package is empty.
package ui
