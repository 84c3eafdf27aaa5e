// Package keymap holds cbtscope's key bindings: one struct of key.Binding per
// scope with a Default constructor, from which the help screen is generated.
//
// The bindings arrive with the explorer; until then this package is empty.
package keymap
