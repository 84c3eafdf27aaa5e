package model

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// NewProgram builds the program around a model of cfg: the one wiring main,
// the tests and the screenshot generator share.
func NewProgram(cfg Config, opts ...tea.ProgramOption) (*tea.Program, *Model) {
	m := New(cfg)
	return tea.NewProgram(m, opts...), m
}

// Demo is the explorer on the embedded demo vCenter, which start brings up
// when connecting (in the background, while the UI says so). main, the
// tests and the screenshot generator all open the demo through it.
func Demo(start func() (*simulator.Server, error)) Config {
	return DemoOver(start, "")
}

// DemoOver is Demo spoken to over a given transport (soap, json, auto;
// empty is auto).
func DemoOver(start func() (*simulator.Server, error), transport string) Config {
	return Config{
		Where:  "demo: embedded vCenter simulator",
		Prefer: simulator.DemoDatabase,
		Connect: func(ctx context.Context) (Source, error) {
			s, err := start()
			if err != nil {
				return nil, err
			}
			return connectSimulator(s, transport)(ctx)
		},
	}
}

// ConnectSimulator connects to an embedded simulator as the demo does:
// pinned by its certificate's thumbprint, any user name.
func ConnectSimulator(s *simulator.Server) func(ctx context.Context) (Source, error) {
	return connectSimulator(s, "")
}

func connectSimulator(s *simulator.Server, transport string) func(ctx context.Context) (Source, error) {
	return func(ctx context.Context) (Source, error) {
		u := s.URL()
		u.User = nil
		return vsphere.Connect(ctx, vsphere.Settings{URL: u.String(), Username: "demo", Password: vsphere.NewSecret("demo"), Thumbprint: s.Thumbprint(), Transport: transport})
	}
}
