package controllers

import (
	"context"
	"errors"

	"github.com/kubenode/kubenode/pkg/supervisor"
)

// Gate returns a supervisor component for the controller named name: it
// starts nothing (the Host runs the controller), is ready when the
// controller is (its informers synced and its own Ready, if any, nil), and
// reports the controller's health under its own name. It lets the node's
// start order wait for one controller at a later point than the Host's
// start, e.g. the mesh, which is ready only once the kubelet has
// registered the Node.
func (h *Host) Gate(name string) supervisor.Component {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.runs {
		if r.c.Name() == name {
			r.gated = true
			return &gate{r: r}
		}
	}
	panic("controllers: Gate for a controller not added: " + name)
}

type gate struct{ r *run }

var (
	_ supervisor.Readier  = (*gate)(nil)
	_ supervisor.Healther = (*gate)(nil)
)

func (g *gate) Name() string                { return g.r.c.Name() }
func (g *gate) Init(context.Context) error  { return nil }
func (g *gate) Start(context.Context) error { return nil }
func (g *gate) Stop(context.Context) error  { return nil }

func (g *gate) Ready(context.Context) error {
	g.r.mu.Lock()
	running := g.r.running
	g.r.mu.Unlock()
	if !running {
		return errors.New("informers not synced yet")
	}
	if rc, ok := g.r.c.(Readier); ok {
		if err := rc.Ready(); err != nil {
			return err
		}
	}
	return nil
}

func (g *gate) Health(context.Context) []supervisor.Condition { return g.r.health() }
