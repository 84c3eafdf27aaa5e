// Package heatmap owns a disk's change map: the changed extents a CBT query
// reported, the ranges that were scanned (so "not scanned yet" is never
// mistaken for "unchanged"), and the ranges where scanning stopped on a fault.
// It lays any byte range of the disk out on a grid of cells at any zoom,
// computes statistics, and renders grids as ANSI heatmaps with a legend.
//
// It is a plain Go library: it knows nothing of vSphere or of the terminal UI.
// A ChangeMap is not safe for concurrent use; its owner (the UI's model, or an
// exporter) feeds it pages from one goroutine.
package heatmap
