package keymap

import "testing"

func TestDetailsKeysAreDistinctAndDescribed(t *testing.T) {
	d := DefaultDetails()
	owner := map[string]string{}
	for _, b := range d.All() {
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("a details binding without keys or help: %+v", b.Help())
		}
		for _, k := range b.Keys() {
			if prev, dup := owner[k]; dup {
				t.Errorf("key %q is bound to both %q and %q", k, prev, b.Help().Desc)
			}
			owner[k] = b.Help().Desc
		}
	}
	// The full help lists every binding once; the short help is a subset.
	listed := map[string]int{}
	for _, col := range d.FullHelp() {
		for _, b := range col {
			listed[b.Help().Desc]++
		}
	}
	for _, b := range d.All() {
		if listed[b.Help().Desc] != 1 {
			t.Errorf("%q is on the full help %d times", b.Help().Desc, listed[b.Help().Desc])
		}
	}
	for _, b := range d.ShortHelp() {
		if listed[b.Help().Desc] != 1 {
			t.Errorf("short help shows %q, which the full help does not", b.Help().Desc)
		}
	}
}
