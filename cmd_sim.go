package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func init() { commands["sim"] = runSim }

// simSignals is where runSim hears SIGINT and SIGTERM; a variable so the
// signal set is visible in one place.
var simSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// runSim serves the embedded CBT-capable vCenter until interrupted. It
// prints exactly one JSON line (simulator.Description) on stdout once the
// server is listening, so scripts can read the URL (and the VI/JSON base
// URL, "jsonURL"), the disks and the VMs from it.
func runSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts simulator.Options
	fs.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "loopback `address` to listen on")
	fs.BoolVar(&opts.TLS, "tls", false, "serve HTTPS with a self-signed certificate (its thumbprint is printed)")
	fs.DurationVar(&opts.Latency, "latency", 0, "added to every call, SOAP or VI/JSON, e.g. 5ms")
	fs.IntVar(&opts.Knobs.MaxConcurrent, "max-concurrent", 0, "serve at most `N` calls at once, SOAP or VI/JSON, queueing the rest (0: no limit)")
	fs.IntVar(&opts.PageExtents, "page-extents", 2000, "most extents in one changed-areas reply (VstorageObjectVCenterQueryChangedDiskAreas or QueryChangedDiskAreas)")
	fs.Float64Var(&opts.FalsePositives, "false-positives", 0, "share of changed runs reported a block wider on each side (0-1)")
	fs.Uint64Var(&opts.Knobs.Seed, "seed", 0, "seed for probabilistic fault knobs")
	triggers := []struct {
		name, what string
		dst        *simulator.Trigger
	}{
		{"drop-connection", "drop the connection mid-reply", &opts.Knobs.DropConnection},
		{"http-500", "answer HTTP 500 with an HTML body", &opts.Knobs.HTTP500},
		{"session-expiry", "log the session out and answer NotAuthenticated", &opts.Knobs.SessionExpiry},
		{"zero-length-page", "answer a page of length 0 before the disk's end", &opts.Knobs.ZeroLengthPage},
		{"extent-outside-window", "add an extent past the reply's window", &opts.Knobs.ExtentOutsideWindow},
		{"overlapping-extents", "add an extent overlapping another", &opts.Knobs.OverlappingExtents},
	}
	for _, tr := range triggers {
		fs.Func(tr.name, tr.what+" on CBT queries: `WHEN` is N (the Nth call), nth=N, every=N, p=PROB, comma-joined", func(v string) error {
			t, err := simulator.ParseTrigger(v)
			*tr.dst = t
			return err
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cbtscope sim: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := simulator.CheckLoopback(opts.Listen); err != nil {
		fmt.Fprintf(stderr, "cbtscope sim: %v\n", err)
		return exitUsage
	}
	if opts.PageExtents <= 0 || opts.FalsePositives < 0 || opts.FalsePositives > 1 || opts.Latency < 0 || opts.Knobs.MaxConcurrent < 0 {
		fmt.Fprintln(stderr, "cbtscope sim: --page-extents must be positive, --false-positives in [0, 1], --latency and --max-concurrent not negative")
		return exitUsage
	}

	// Listen for signals before announcing, so a signal sent right after
	// the JSON line is read cannot kill the process uncleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, simSignals...)
	defer signal.Stop(sig)

	s, err := simulator.Start(opts)
	if err != nil {
		fmt.Fprintf(stderr, "cbtscope sim: %v\n", err)
		return exitFault
	}
	defer s.Close()
	line, err := json.Marshal(s.Describe())
	if err != nil {
		fmt.Fprintf(stderr, "cbtscope sim: %v\n", err)
		return exitFault
	}
	fmt.Fprintf(stdout, "%s\n", line)
	<-sig
	return exitOK
}
