// Command cbtscope shows, interactively, which parts of a vSphere virtual disk
// changed between two points in time, from changed block tracking (CBT).
//
//	cbtscope [connection flags]          the explorer; the embedded demo when no --url/GOVC_URL
//	cbtscope export [flags]              a disk's change map as JSON or CSV
//	cbtscope open FILE                   the explorer on a saved export, offline
//	cbtscope timeline [flags]            every interval of a disk's snapshot chain, with what looks wrong
//	cbtscope diff A.json B.json          two exports of one disk compared: only in A, only in B, in both
//	cbtscope sim [flags]                 serve the embedded CBT-capable vCenter simulator
package main

import (
	"io"
	"os"
)

// Exit codes are part of the command-line contract.
const (
	exitOK    = 0
	exitFault = 1 // a fault, or an incomplete map
	exitUsage = 2 // usage or configuration errors
)

// command is one subcommand: it gets its own arguments and reports an exit code.
type command func(args []string, stdout, stderr io.Writer) int

// commands maps subcommand names to their implementations.
var commands = map[string]command{}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			// The explorer's usage is this text and its flags.
			return runExplorer([]string{"-h"}, stdout, stdout)
		}
		if cmd, ok := commands[args[0]]; ok {
			return cmd(args[1:], stdout, stderr)
		}
	}
	return runExplorer(args, stdout, stderr)
}

const usage = `cbtscope: see which parts of a vSphere virtual disk changed (changed block tracking)

usage:
  cbtscope [connection flags]          the explorer; the embedded demo when no --url/GOVC_URL
  cbtscope export [flags]              a disk's change map as JSON or CSV
  cbtscope open FILE                   the explorer on a saved export, offline
  cbtscope timeline [flags]            every interval of a disk's snapshot chain, with what looks wrong
  cbtscope diff A.json B.json          two exports of one disk compared: only in A, only in B, in both
  cbtscope sim [flags]                 serve the embedded CBT-capable vCenter simulator
`
