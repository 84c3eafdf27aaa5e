package main

import (
	"net"
	"strings"
	"sync"
	"testing"
)

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// --timeout bounds each call: a vCenter that never answers ends export with
// exit 1 and the limit in the message; a limit that is not positive is a
// usage error.
func TestExportTimeout(t *testing.T) {
	addr := silentServer(t)
	base := []string{"export", "--url", "https://" + addr + "/sdk", "--insecure", "--username", "u", "--password", testPassword, "--disk", "x"}
	code, _, stderr := runCLI(t, append(base, "--timeout", "300ms")...)
	if code != 1 || !strings.Contains(stderr, "no reply in 300ms from https://") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming the 300ms limit", code, stderr)
	}
	code, _, stderr = runCLI(t, append(base, "--timeout", "-1s")...)
	if code != 2 || !strings.Contains(stderr, "timeout") {
		t.Fatalf("exit %d, stderr %q; want exit 2 about the timeout", code, stderr)
	}
}
