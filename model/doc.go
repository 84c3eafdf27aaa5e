// Package model holds cbtscope's root Bubble Tea model: it owns the screens and
// their state, routes messages to the ui components, and starts and cancels the
// background fetches whose events it folds into a heatmap.ChangeMap.
//
// The model arrives with the explorer; until then this package is empty.
package model
