package heatmap

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseOffset(t *testing.T) {
	const capacity = 16 << 40 // 16 TiB
	good := map[string]int64{
		"0": 0, "4096": 4096, "4_096": 4096, "1,048,576": 1 << 20, "0x1000": 4096, "0X10_00": 4096,
		"12G": 12 << 30, "12g": 12 << 30, "12GiB": 12 << 30, "12 GiB": 12 << 30, "12gb": 12 << 30,
		"1.5T": 3 << 39, "512k": 512 << 10, "64KiB": 64 << 10, "3M": 3 << 20, "100b": 100, "100 B": 100,
		"50%": 8 << 40, "0%": 0, "12.5%": 2 << 40, " 7 ": 7, "1.0000000001K": 1024,
	}
	for in, want := range good {
		got, err := ParseOffset(in, capacity)
		if err != nil || got != want {
			t.Errorf("ParseOffset(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := []string{"", "x", "12Q", "-5", "0x", "0xZZ", "1.2.3G", "100%", "16T", "17T", "99999999999999999999", "1.5",
		"%", "G", ".", "..G", "0x-1", "1e3", "NaN%", "-1%"}
	for _, in := range bad {
		if got, err := ParseOffset(in, capacity); err == nil {
			t.Errorf("ParseOffset(%q) = %d, want an error", in, got)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseOffset(%q): a multi-line error %q", in, err)
		}
	}
}

// Whatever is typed, the result is an offset inside the disk or a one-line
// error; and an exact byte count reads back as itself.
func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"0", "12G", "0x1f", "37.5%", "1,024", "1.5 TiB", "99999999999999999999T"} {
		f.Add(s, int64(1<<40))
	}
	f.Fuzz(func(t *testing.T, s string, capacity int64) {
		if capacity <= 0 {
			return
		}
		v, err := ParseOffset(s, capacity)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if v < 0 || v >= capacity {
			t.Fatalf("ParseOffset(%q, %d) = %d, outside the disk", s, capacity, v)
		}
		if back, err := ParseOffset(strconv.FormatInt(v, 10), capacity); err != nil || back != v {
			t.Fatalf("%d reads back as %d, %v", v, back, err)
		}
	})
}
