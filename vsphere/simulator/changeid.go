package simulator

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// epochID identifies one CBT epoch: the UUID a disk's change tracking file
// gets each time tracking is (re)started. vSphere prints it as sixteen hex
// bytes, two groups of eight joined by a dash.
type epochID [16]byte

// newEpochID draws an epoch from rng. Real ctk UUIDs tend to start with 0x52;
// keeping that makes demo changeIds look like the ones admins paste.
func newEpochID(rng *rand.Rand) epochID {
	var e epochID
	for i := range e {
		e[i] = byte(rng.Uint32())
	}
	e[0] = 0x52
	return e
}

func (e epochID) String() string {
	var b strings.Builder
	b.Grow(47)
	for i, x := range e {
		switch {
		case i == 8:
			b.WriteByte('-')
		case i > 0:
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{x}))
	}
	return b.String()
}

// changeID is a parsed changeId: either "*" (all allocated areas) or an
// epoch and the journal sequence number the change is counted from.
type changeID struct {
	star  bool
	epoch epochID
	seq   uint64
}

func (c changeID) String() string {
	if c.star {
		return "*"
	}
	return c.epoch.String() + "/" + strconv.FormatUint(c.seq, 10)
}

var errMalformedChangeID = errors.New("malformed changeId")

// parseChangeID accepts exactly the form vSphere hands out. It is strict on
// purpose: a changeId mangled by a script (quotes, lost spaces) must fault
// as InvalidArgument rather than silently mean something else.
func parseChangeID(s string) (changeID, error) {
	if s == "*" {
		return changeID{star: true}, nil
	}
	uuid, seq, ok := strings.Cut(s, "/")
	if !ok || len(uuid) != 47 || seq == "" {
		return changeID{}, fmt.Errorf("%w %q: want \"52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx/N\" or \"*\"", errMalformedChangeID, s)
	}
	var c changeID
	for i := range c.epoch {
		pos := i * 3
		if i > 0 {
			sep := byte(' ')
			if i == 8 {
				sep = '-'
			}
			if uuid[pos-1] != sep {
				return changeID{}, fmt.Errorf("%w %q: byte %d is not preceded by %q", errMalformedChangeID, s, i, sep)
			}
		}
		b, err := hex.DecodeString(uuid[pos : pos+2])
		if err != nil {
			return changeID{}, fmt.Errorf("%w %q: %v", errMalformedChangeID, s, err)
		}
		c.epoch[i] = b[0]
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return changeID{}, fmt.Errorf("%w %q: sequence %q is not a number", errMalformedChangeID, s, seq)
	}
	c.seq = n
	return c, nil
}
