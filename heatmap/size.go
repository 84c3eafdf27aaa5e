package heatmap

import (
	"fmt"
	"strconv"
)

var sizeUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// FormatSize writes a byte count the way people read it: "512 B", "64 KiB",
// "25.6 MiB", "1.50 TiB": three significant digits, binary units.
func FormatSize(n float64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	u := 0
	for n >= 1024 && u < len(sizeUnits)-1 {
		n /= 1024
		u++
	}
	var s string
	switch {
	case u == 0 && n == float64(int64(n)):
		s = strconv.FormatInt(int64(n), 10)
	case n == float64(int64(n)):
		s = strconv.FormatInt(int64(n), 10)
	case n < 10:
		s = trimZeros(fmt.Sprintf("%.2f", n))
	case n < 100:
		s = trimZeros(fmt.Sprintf("%.1f", n))
	default:
		s = fmt.Sprintf("%.0f", n)
	}
	if neg {
		s = "-" + s
	}
	return s + " " + sizeUnits[u]
}

// FormatBytes is FormatSize for an exact byte count.
func FormatBytes(n int64) string { return FormatSize(float64(n)) }

func trimZeros(s string) string {
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
