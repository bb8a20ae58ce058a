package daemon_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// waitClock waits until env's clock on d runs about ahead of the wall
// clock, failing the test after 10s.
func waitClock(t *testing.T, d *daemon.Daemon, env registrar.Env, ahead time.Duration) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := time.Until(d.Clock(env).Now())
		if got > ahead-time.Minute && got < ahead+time.Minute {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the %s clock runs %s ahead, want %s", env, got.Round(time.Second), ahead)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestClockAdvance: on a running server in demo mode an advance of the
// stored clock (what `registrar sandbox clock advance` does) moves the
// environments' clocks within a second or so, and a registration made
// after it is created and expires on the shifted time, by the workflows
// and by the built-in registry alike. The offset survives a restart.
func TestClockAdvance(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	ctx := context.Background()
	for _, env := range []registrar.Env{registrar.EnvSandbox, registrar.EnvLive} {
		if _, shiftable, err := s.d.DB().ClockOffset(ctx, env); err != nil || !shiftable {
			t.Fatalf("%s clock in demo mode: shiftable %v, %v; want shiftable", env, shiftable, err)
		}
	}
	ahead := 335 * 24 * time.Hour
	if _, err := s.d.DB().AdvanceClock(ctx, registrar.EnvSandbox, ahead); err != nil {
		t.Fatal(err)
	}
	waitClock(t, s.d, registrar.EnvSandbox, ahead)
	waitClock(t, s.d, registrar.EnvLive, 0)

	r := s.register("registrar-sandbox", "clock-shifted.com")
	if st := r.status(t); st.State != registrar.StateSucceeded {
		t.Fatalf("sandbox registration after the advance: %d %s", r.Status, r.Body)
	}
	g := s.do("GET", s.base("registrar-sandbox")+"/registrations/clock-shifted.com", s.token, nil)
	var reg struct {
		Result registrar.Registration `json:"result"`
	}
	if err := json.Unmarshal(g.Body, &reg); err != nil || reg.Result.ExpiresAt == nil {
		t.Fatalf("GET registration: %s (%v)", g.Body, err)
	}
	want := time.Now().Add(ahead)
	if d := reg.Result.CreatedAt.Sub(want).Abs(); d > time.Hour {
		t.Errorf("created_at %s, want about %s (the shifted clock)", reg.Result.CreatedAt, want)
	}
	if d := reg.Result.ExpiresAt.Sub(want.AddDate(1, 0, 0)).Abs(); d > 25*time.Hour {
		t.Errorf("expires_at %s, want about a year after %s", reg.Result.ExpiresAt, want)
	}
}

// TestClockLiveRefused: with real registries the live clock cannot be
// shifted, a stale offset from a demo-mode start is ignored, and the
// sandbox's still can be.
func TestClockLiveRefused(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t, 300*time.Millisecond)
	dir := t.TempDir()
	demo := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.DataDir = dir })
	ctx := context.Background()
	if _, err := demo.d.DB().AdvanceClock(ctx, registrar.EnvLive, 24*time.Hour); err != nil {
		t.Fatalf("AdvanceClock(live) in demo mode: %v", err)
	}
	if err := demo.d.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
		c.DataDir = dir
		c.Registries = reg.file
	})
	_, err := s.d.DB().AdvanceClock(ctx, registrar.EnvLive, time.Hour)
	if !registrar.IsKind(err, registrar.KindConflict) || !strings.Contains(err.Error(), "real time with real registries") {
		t.Errorf("AdvanceClock(live) with real registries = %v, want refused", err)
	}
	if d := time.Until(s.d.Clock(registrar.EnvLive).Now()).Abs(); d > time.Minute {
		t.Errorf("the live clock with real registries is %s off real time, want real time despite the stored offset", d)
	}
	if _, err := s.d.DB().AdvanceClock(ctx, registrar.EnvSandbox, time.Hour); err != nil {
		t.Errorf("AdvanceClock(sandbox) with real registries: %v", err)
	}
	waitClock(t, s.d, registrar.EnvSandbox, time.Hour)
}
