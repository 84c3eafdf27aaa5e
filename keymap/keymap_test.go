package keymap

import "testing"

func TestNoKeyIsBoundTwiceInAScope(t *testing.T) {
	for scope, bindings := range Default().Scopes() {
		owner := map[string]string{}
		for _, b := range bindings {
			if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
				t.Errorf("%s: a binding without keys or help: %+v", scope, b.Help())
			}
			for _, k := range b.Keys() {
				if prev, dup := owner[k]; dup {
					t.Errorf("%s: key %q is bound to both %q and %q", scope, k, prev, b.Help().Desc)
				}
				owner[k] = b.Help().Desc
			}
		}
	}
}

func TestHelpShowsEveryScopeBinding(t *testing.T) {
	k := Default()
	shown := map[string]bool{}
	for _, col := range k.FullHelp() {
		for _, b := range col {
			shown[b.Help().Desc] = true
		}
	}
	for scope, bindings := range k.Scopes() {
		for _, b := range bindings {
			if !shown[b.Help().Desc] {
				t.Errorf("%s: %q is not on the help screen", scope, b.Help().Desc)
			}
		}
	}
}
