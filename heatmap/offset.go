package heatmap

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ParseOffset reads a disk offset as a person types it: exact bytes
// ("4398046511104", "4_398_046_511_104", "4,398,046,511,104"), hexadecimal
// ("0x40000000000"), binary units ("12G", "12GiB", "1.5 TiB", "512k"), or a
// share of the disk ("37.5%"). Units are always powers of 1024, as vSphere
// sizes disks. The result lies in [0, capacity); a fractional byte is rounded
// down.
func ParseOffset(s string, capacity int64) (int64, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, errors.New("no offset given")
	}
	v, err := parseOffset(in, capacity)
	if err != nil {
		return 0, fmt.Errorf("offset %q: %w", s, err)
	}
	if v < 0 || v >= capacity {
		return 0, fmt.Errorf("offset %q is past the end of the disk (%s, %d bytes)", s, FormatBytes(capacity), capacity)
	}
	return v, nil
}

var unitShift = map[string]uint{"": 0, "b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}

func parseOffset(s string, capacity int64) (int64, error) {
	lower := strings.ToLower(s)
	if rest, ok := strings.CutPrefix(lower, "0x"); ok {
		v, err := strconv.ParseUint(strings.ReplaceAll(rest, "_", ""), 16, 63)
		if err != nil {
			return 0, errors.New("not a hexadecimal number")
		}
		return int64(v), nil
	}
	if num, ok := strings.CutSuffix(lower, "%"); ok {
		r, ok := new(big.Rat).SetString(strings.TrimSpace(num))
		if !ok || r.Sign() < 0 {
			return 0, errors.New("not a percentage")
		}
		r.Mul(r, new(big.Rat).SetInt64(capacity))
		r.Quo(r, big.NewRat(100, 1))
		return ratFloor(r)
	}
	// Split the number from its unit.
	i := 0
	for i < len(lower) && (lower[i] >= '0' && lower[i] <= '9' || lower[i] == '.' || lower[i] == '_' || lower[i] == ',') {
		i++
	}
	num, unit := lower[:i], strings.TrimSpace(lower[i:])
	unit = strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i")
	if unit == "" && strings.HasSuffix(lower, "b") && !strings.HasSuffix(lower, "ib") {
		unit = "b"
	}
	shift, ok := unitShift[unit]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q (use bytes, K, M, G, T, P, 0x… or %%)", strings.TrimSpace(s[i:]))
	}
	if num == "" || strings.Count(num, ".") > 1 {
		return 0, errors.New("not a number")
	}
	digits := strings.NewReplacer("_", "", ",", "").Replace(num)
	if digits == "" || digits == "." {
		return 0, errors.New("not a number")
	}
	if strings.Contains(digits, ".") && shift == 0 {
		return 0, errors.New("a byte offset is a whole number")
	}
	r, ok := new(big.Rat).SetString(digits)
	if !ok {
		return 0, errors.New("not a number")
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), shift)))
	return ratFloor(r)
}

func ratFloor(r *big.Rat) (int64, error) {
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsInt64() || q.Int64() > math.MaxInt64 {
		return 0, errors.New("too large")
	}
	return q.Int64(), nil
}
