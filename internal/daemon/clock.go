package daemon

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// The environments' clocks (issue 13, "The clock"): each runs its
// stored offset ahead of real time, so that a year of a domain's life
// can pass in seconds on a running server (`registrar sandbox clock
// advance 335d`). The sandbox is always shiftable; the live environment
// only in demo mode, where the demo registry runs on the same shifted
// clock. With real registries the live environment runs on real time.

// shiftable reports whether env's clock may be shifted on this server.
func (d *Daemon) shiftable(env registrar.Env) bool {
	return env == registrar.EnvSandbox || d.DemoMode()
}

// setupClocks records which environments are shiftable (every start, so
// a server restarted with real registries stops shifting the live one)
// and reads their offsets.
func (d *Daemon) setupClocks(ctx context.Context) error {
	d.clocks = map[registrar.Env]*store.ShiftedClock{}
	d.registryClocks = map[registrar.Env]*store.ShiftedClock{}
	for _, env := range []registrar.Env{registrar.EnvSandbox, registrar.EnvLive} {
		shiftable := d.shiftable(env)
		if !shiftable {
			if off, _, err := d.db.ClockOffset(ctx, env); err != nil {
				return err
			} else if off != 0 {
				d.log.Warn("the live clock runs on real time with real registries: the offset a demo-mode server left is ignored",
					"env", env, "offset", off.String())
			}
		}
		if err := d.db.SetClockShiftable(ctx, env, shiftable); err != nil {
			return err
		}
		d.clocks[env] = d.db.NewShiftedClock(env, d.cfg.Clock)
		d.registryClocks[env] = d.db.NewShiftedClock(env, registrar.SystemClock{})
		for _, c := range []*store.ShiftedClock{d.clocks[env], d.registryClocks[env]} {
			if _, err := c.Refresh(ctx); err != nil {
				return err
			}
		}
		if off := d.clocks[env].Offset(); off != 0 {
			d.log.Info("clock shifted", "env", env, "offset", off.String(), "now", d.clocks[env].Now().Format(time.RFC3339))
		}
	}
	return nil
}

// engineClocks are the workflows' clocks by environment.
func (d *Daemon) engineClocks() map[registrar.Env]registrar.Clock {
	m := make(map[registrar.Env]registrar.Clock, len(d.clocks))
	for env, c := range d.clocks {
		m[env] = c
	}
	return m
}

// refreshClocks reads the offsets every interval until ctx ends, and
// runs the lifecycle job at once when one moved, so that what the
// advance made due happens now, not at the job's next interval.
func (d *Daemon) refreshClocks(ctx context.Context, every time.Duration) {
	defer close(d.clocksDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		moved := false
		for env, c := range d.clocks {
			changed, err := c.Refresh(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.log.Warn("cannot read the clock's offset", "env", env, "error", err)
				}
				continue
			}
			if _, err := d.registryClocks[env].Refresh(ctx); err != nil && ctx.Err() == nil {
				d.log.Warn("cannot read the clock's offset", "env", env, "error", err)
			}
			if changed {
				moved = true
				d.log.Info("clock shifted", "env", env, "offset", c.Offset().String(), "now", c.Now().Format(time.RFC3339))
			}
		}
		if moved {
			d.engine.KickLifecycle(ctx)
		}
	}
}

// Clock returns env's business clock, as the workflows read it (for
// tests and tools).
func (d *Daemon) Clock(env registrar.Env) registrar.Clock { return d.clocks[env] }
