package main

import (
	"os"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/keymap"
)

// The README's key table lists every key the help screen does (the dialog
// keys aside: each dialog shows its own).
func TestReadmeKeyTableMatchesTheHelp(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "| keys | what they do |")
	if !ok {
		t.Fatal("README.md has no key table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	// How the table spells keys it groups.
	spelled := map[string]string{"left": "arrows", "right": "arrows", "up": "arrows", "down": "arrows",
		"h": "`hjkl`", "j": "`hjkl`", "k": "`hjkl`", "l": "`hjkl`", "pgdown": "`pgdn`"}
	help := keymap.Default().FullHelp()
	for _, col := range help[:len(help)-1] { // the last column is the dialogs'
		for _, b := range col {
			for _, key := range b.Keys() {
				if strings.HasPrefix(key, "ctrl+") && key != "ctrl+c" {
					continue // the vi-style aliases of pgup/pgdn
				}
				want, ok := spelled[key]
				if !ok {
					want = "`" + key + "`"
				}
				if !strings.Contains(table, want) {
					t.Errorf("the help binds %q (%s); the README's key table lacks %s", key, b.Help().Desc, want)
				}
			}
		}
	}
}
