package vsphere

import (
	"reflect"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// vimTypes is govmomi's registry of vim25 type names.
var vimTypes = types.TypeFunc()

// typeNamePrefixes are the vmodl packages some servers put before a type
// name in xsi:type ("vmodl.fault.InvalidArgument", "vim.fault.FileFault");
// the wire format's own names have none.
var typeNamePrefixes = []string{"vmodl.fault.", "vim.fault.", "vmodl.", "vim."}

// typeFunc resolves the xsi:type names of replies, with or without a vmodl
// package, so a fault so named still arrives as its own type rather than as
// an anonymous fault. Every decoder of the client uses it.
func typeFunc(name string) (reflect.Type, bool) {
	if t, ok := vimTypes(name); ok {
		return t, true
	}
	for _, p := range typeNamePrefixes {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return vimTypes(rest)
		}
	}
	return nil, false
}
