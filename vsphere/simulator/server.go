package simulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// Options configure Start. The zero value serves the demo inventory over
// plain HTTP on a free loopback port.
type Options struct {
	// TLS serves HTTPS with a self-signed certificate for 127.0.0.1.
	TLS bool
	// Listen is the address to listen on; "127.0.0.1:0" when empty. Only
	// loopback addresses are accepted.
	Listen string
	// Latency is added to every call, SOAP or VI/JSON (Knobs.Latency, if set,
	// wins).
	Latency time.Duration
	// PageExtents caps the extents in one reply; 2000 (vCenter's) when zero.
	PageExtents int
	// FalsePositives is the share of changed runs reported one block wider
	// on each side: extra blocks, never missing ones. GroundTruth includes
	// them.
	FalsePositives float64
	// Knobs are the initial test knobs; SetKnobs changes them later.
	Knobs Knobs
	// Inventory is what to serve; Demo() when nil.
	Inventory *Inventory
}

const defaultPageExtents = 2000

// ErrNotLoopback is returned by Start for a listen address that is not on
// loopback: the simulator accepts any password, so it must not be reachable
// from another machine.
var ErrNotLoopback = errors.New("simulator listens on loopback only")

// Server is a running simulator. It is safe for concurrent use.
type Server struct {
	opts Options
	inv  Inventory

	model   *vcsim.Model
	reg     *vcsim.Registry
	vsom    *vcsim.VcenterVStorageObjectManager
	proxy   *cbtManager
	dir     string // datastore directories; removed by Close
	ln      net.Listener
	http    *http.Server
	url     *url.URL
	tlsCert *tls.Certificate
	cert    *x509.Certificate

	knobs knobState
	stats stats

	mu         sync.RWMutex
	disks      map[string]*disk
	order      []*disk
	datastores map[types.ManagedObjectReference]*datastore
	dsOrder    []*datastore
	vms        map[types.ManagedObjectReference]*virtualMachine
	vmOrder    []*virtualMachine

	closeOnce sync.Once
	served    chan struct{}
}

// Start builds the inventory into a fresh vcsim and serves it. Close the
// server to stop it and remove its temporary files.
func Start(opts Options) (*Server, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.PageExtents <= 0 {
		opts.PageExtents = defaultPageExtents
	}
	if opts.Knobs.Latency == 0 {
		opts.Knobs.Latency = opts.Latency
	}
	if err := CheckLoopback(opts.Listen); err != nil {
		return nil, err
	}
	inv := opts.Inventory
	if inv == nil {
		inv = Demo()
	}
	if err := inv.validate(); err != nil {
		return nil, fmt.Errorf("simulator inventory: %w", err)
	}
	s := &Server{
		opts:       opts,
		inv:        inv.withDefaults(),
		disks:      make(map[string]*disk),
		datastores: make(map[types.ManagedObjectReference]*datastore),
		vms:        make(map[types.ManagedObjectReference]*virtualMachine),
		served:     make(chan struct{}),
	}
	s.knobs.set(opts.Knobs)

	// Listen before building, so a busy port fails at once and cleanly.
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	if err := s.build(context.Background()); err != nil {
		ln.Close()
		s.cleanup()
		return nil, fmt.Errorf("simulator: building inventory: %w", err)
	}
	if err := s.serve(ln); err != nil {
		ln.Close()
		s.cleanup()
		return nil, fmt.Errorf("simulator: %w", err)
	}
	return s, nil
}

// CheckLoopback reports ErrNotLoopback unless addr ("host:port") names a
// loopback host: 127.0.0.0/8, ::1 or localhost.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q is not a loopback address (use 127.0.0.1:PORT)", ErrNotLoopback, addr)
}

// serve puts vcsim's handlers behind our own listener and middleware. vcsim
// can run its own server, but that one panics on a busy port and offers no
// hook for transport faults; its NewServer is still called because it is
// what wires the SOAP endpoint, so its own listener is closed at once.
func (s *Server) serve(ln net.Listener) error {
	svc := s.model.Service
	inner := svc.NewServer()
	inner.Close()
	s.reg.SessionManager().ServiceHostName = ln.Addr().String()

	s.url = &url.URL{Scheme: "http", Host: ln.Addr().String(), Path: "/sdk"}
	if s.opts.TLS {
		cert, err := selfSignedCert()
		if err != nil {
			return err
		}
		s.tlsCert = cert
		s.cert = cert.Leaf
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{"http/1.1"}})
		s.url.Scheme = "https"
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s.middleware(s.routes(svc.ServeMux)),
		ReadHeaderTimeout: 30 * time.Second,
		// Dropped connections and clients hanging up are the point of some
		// knobs; their log lines would only be noise.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return nil
}

// URL is the SDK endpoint with credentials, ready for govmomi.NewClient.
// Any non-empty username and password log in.
func (s *Server) URL() *url.URL {
	u := *s.url
	u.User = url.UserPassword("user", "pass")
	return &u
}

// Certificate is the server's TLS certificate, nil without TLS.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

// Close stops serving, waits for the handlers, and removes the temporary
// datastore directories. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.http != nil {
			_ = s.http.Close()
			<-s.served
		}
		s.cleanup()
	})
}

func (s *Server) cleanup() {
	if s.model != nil && s.model.Service != nil {
		s.model.Remove()
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// lockCtx is a locking identity for vcsim's object locks when the server
// itself, not a SOAP request, touches vcsim state.
func (s *Server) lockCtx() *vcsim.Context {
	return &vcsim.Context{Context: context.Background(), Map: s.reg}
}

// diskByID returns the journal-backed disk with this ID, if any.
func (s *Server) diskByID(id string) *disk {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.disks[id]
}

// GroundTruth returns the sorted, merged extents a full sweep of
// VstorageObjectVCenterQueryChangedDiskAreas(disk, snapshot, changeID)
// from offset 0 must produce, or the reason the query faults.
func (s *Server) GroundTruth(diskID, snapshotID, changeID string) ([]Extent, error) {
	d := s.diskByID(diskID)
	if d == nil {
		return nil, fmt.Errorf("ground truth: no disk %q", diskID)
	}
	base, err := parseChangeID(changeID)
	if err != nil {
		return nil, fmt.Errorf("ground truth for disk %s: %w", diskID, err)
	}
	ext, err := d.j.changes(base, snapshotID)
	if err != nil {
		return nil, fmt.Errorf("ground truth for disk %s snapshot %s changeId %s: %w", diskID, snapshotID, changeID, err)
	}
	return slices.Clone(ext), nil
}

// SetKnobs replaces the test knobs and restarts their call count.
func (s *Server) SetKnobs(k Knobs) { s.knobs.set(k) }

// Knobs returns the knobs in force.
func (s *Server) Knobs() Knobs { return s.knobs.get() }

// Stats returns counters since the server started.
func (s *Server) Stats() Stats { return s.stats.snapshot() }
