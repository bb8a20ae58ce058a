package epp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memGate is a SessionGate of n slots in memory: what several replicas
// share through the database, here shared by Clients of one test.
type memGate struct {
	mu       sync.Mutex
	free     int
	held     map[*memSlot]struct{}
	acquired int
	released int
	down     error // TryAcquire fails with it when set
}

type memSlot struct {
	lost chan struct{}
	gone bool // released or lost
}

func newMemGate(n int) *memGate {
	return &memGate{free: n, held: make(map[*memSlot]struct{})}
}

func (g *memGate) TryAcquire(ctx context.Context) (func(), <-chan struct{}, bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down != nil {
		return nil, nil, false, g.down
	}
	if g.free == 0 {
		return nil, nil, false, nil
	}
	g.free--
	g.acquired++
	s := &memSlot{lost: make(chan struct{})}
	g.held[s] = struct{}{}
	release := func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if s.gone {
			return
		}
		s.gone = true
		delete(g.held, s)
		g.free++
		g.released++
	}
	return release, s.lost, true, nil
}

// revokeOne loses one held slot to "another replica": its holder is told,
// and the slot does not come back to this gate.
func (g *memGate) revokeOne() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for s := range g.held {
		s.gone = true
		delete(g.held, s)
		close(s.lost)
		return true
	}
	return false
}

// state returns the free slots and the slots held.
func (g *memGate) state() (free, held int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.free, len(g.held)
}

// Two Clients sharing a gate of 3 slots, each with a pool of 3, under
// concurrent load: the registry never sees more than 3 sessions at once,
// both Clients get their commands through, and every slot comes back.
func TestClientSessionGateSharedLimit(t *testing.T) {
	const slots, workers, perWorker = 3, 6, 10
	f := startFake(t, defaultGreeting())
	f.Set(func(k *fakeKnobs) { k.Delay = 3 * time.Millisecond })
	g := newMemGate(slots)
	// Sessions recycle every few commands, so slots change hands.
	mod := func(cfg *ClientConfig) { cfg.PoolSize = slots; cfg.Sessions = g; cfg.MaxSessionCommands = 7 }
	clients := []*Client{newTestClient(t, f, mod), newTestClient(t, f, mod)}

	var wg sync.WaitGroup
	done := make([]int, len(clients))
	var mu sync.Mutex
	refused := 0
	for ci, c := range clients {
		for w := range workers {
			wg.Go(func() {
				for i := 0; i < perWorker; {
					_, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("c%d-w%d-%d.example", ci, w, i)))
					if errors.Is(err, ErrNoSessionSlot) {
						if te := asTransport(t, "domain:check", err); te.Sent {
							t.Errorf("Do(domain:check) = %v, want Sent false", err)
						}
						mu.Lock()
						refused++
						mu.Unlock()
						time.Sleep(2 * time.Millisecond) // the other client's sessions are busy: try again
						continue
					}
					if err != nil {
						t.Errorf("client %d: Do(domain:check) = %v, want nil", ci, err)
						return
					}
					i++
					mu.Lock()
					done[ci]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()

	n := f.Counts()
	if n.MaxLoggedIn > slots {
		t.Errorf("registry saw up to %d sessions logged in at once, want at most %d (the gate's slots)", n.MaxLoggedIn, slots)
	}
	for ci, d := range done {
		if d != workers*perWorker {
			t.Errorf("client %d got %d commands through, want %d", ci, d, workers*perWorker)
		}
	}
	var waits uint64
	for ci, c := range clients {
		st := c.Stats()
		waits += st.SlotWaits
		if st.Connects == 0 {
			t.Errorf("client %d: Stats().Connects = 0, want sessions of its own", ci)
		}
	}
	t.Logf("registry max sessions %d, logins %d; slot waits %d; fast failures %d", n.MaxLoggedIn, n.Logins, waits, refused)

	for _, c := range clients {
		if err := c.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	}
	if free, held := g.state(); free != slots || held != 0 || g.acquired != g.released {
		t.Errorf("after Close: %d free, %d held, %d acquired, %d released; want all %d free", free, held, g.acquired, g.released, slots)
	}
	waitFor(t, "the registry to see every session end", func() bool { return f.Counts().LoggedIn == 0 })
}

// A slot the gate loses closes one session, after its command if it is
// busy; the pool keeps working with the rest.
func TestClientSessionGateLostSlot(t *testing.T) {
	f := startFake(t, defaultGreeting())
	g := newMemGate(2)
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 2; cfg.Sessions = g })

	// Open two sessions: two commands at once.
	f.Set(func(k *fakeKnobs) { k.Delay = 50 * time.Millisecond })
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("n%d.example", i))); err != nil {
				t.Errorf("Do(domain:check) = %v, want nil", err)
			}
		})
	}
	wg.Wait()
	if n := f.Counts(); n.LoggedIn != 2 {
		t.Fatalf("registry has %d sessions, want 2", n.LoggedIn)
	}

	// Lose a slot while both are idle.
	if !g.revokeOne() {
		t.Fatal("no slot held to revoke")
	}
	waitFor(t, "the session of the lost slot to close", func() bool {
		return f.Counts().LoggedIn == 1 && c.Stats().Open == 1
	})
	if st := c.Stats(); st.SlotsLost != 1 {
		t.Errorf("Stats().SlotsLost = %d, want 1", st.SlotsLost)
	}

	// Lose the other one while its session carries a command: the command
	// is answered, then the session closes.
	f.Set(func(k *fakeKnobs) { k.Delay = 100 * time.Millisecond })
	errc := make(chan error, 1)
	go func() {
		_, err := c.Do(t.Context(), checkCmd("busy.example"))
		errc <- err
	}()
	waitFor(t, "the command to reach the registry", func() bool { return f.Counts().Commands == 3 })
	g.revokeOne()
	if err := <-errc; err != nil {
		t.Errorf("Do(domain:check) on a session losing its slot = %v, want its answer", err)
	}
	waitFor(t, "the second session to close", func() bool { return f.Counts().LoggedIn == 0 && c.Stats().Open == 0 })

	// No slot is left for this replica: fail fast, nothing dialed.
	accepts := f.Counts().Accepts
	_, err := c.Do(t.Context(), checkCmd("after.example"))
	if te := asTransport(t, "domain:check", err); te.Sent || !errors.Is(err, ErrNoSessionSlot) {
		t.Errorf("Do(domain:check) with no slot = %v, want ErrNoSessionSlot, not sent", err)
	}
	if n := f.Counts(); n.Accepts != accepts {
		t.Errorf("registry saw %d connections without a slot, want none", n.Accepts-accepts)
	}
}

// A gate that cannot grant (its database is down) and a connect that
// fails: no session is dialed without a slot, a failed connect gives its
// slot back, and callers fail fast instead of waiting.
func TestClientSessionGateRefusals(t *testing.T) {
	f := startFake(t, defaultGreeting())
	g := newMemGate(1)
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.PoolSize = 2; cfg.Sessions = g })

	down := errors.New("database out of reach")
	g.mu.Lock()
	g.down = down
	g.mu.Unlock()
	for i := range 3 {
		start := time.Now()
		_, err := c.Do(t.Context(), checkCmd("a.example"))
		if te := asTransport(t, "domain:check", err); te.Sent || !errors.Is(err, ErrNoSessionSlot) || !errors.Is(err, down) {
			t.Errorf("call %d: Do(domain:check) = %v, want ErrNoSessionSlot wrapping the gate's error", i, err)
		}
		if i > 0 && !errors.Is(err, ErrBackingOff) {
			t.Errorf("call %d: Do(domain:check) = %v, want ErrBackingOff until the gate is asked again", i, err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("call %d took %v, want a fast failure", i, d)
		}
	}
	if n := f.Counts(); n.Accepts != 0 {
		t.Errorf("registry saw %d connections while the gate was down, want 0", n.Accepts)
	}
	if st := c.Stats(); st.SlotWaits != 1 || st.ConnectFailures != 0 {
		t.Errorf("Stats() = %+v, want one slot wait and no connect failure", st)
	}

	// The gate is back and the registry down: the failed connect returns
	// its slot.
	g.mu.Lock()
	g.down = nil
	g.mu.Unlock()
	f.Set(func(k *fakeKnobs) { k.Down = true })
	waitFor(t, "a connect attempt", func() bool {
		_, err := c.Do(t.Context(), checkCmd("b.example"))
		return err != nil && !errors.Is(err, ErrBackingOff)
	})
	if free, held := g.state(); free != 1 || held != 0 {
		t.Errorf("after a failed connect: %d free, %d held, want the slot back", free, held)
	}

	// The registry is back: one session, and a second caller waits for it
	// rather than dialing without a slot.
	f.Set(func(k *fakeKnobs) { k.Down = false; k.Delay = 30 * time.Millisecond })
	waitFor(t, "a command after the registry is back", func() bool {
		_, err := c.Do(t.Context(), checkCmd("c.example"))
		return err == nil
	})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := c.Do(t.Context(), checkCmd(fmt.Sprintf("d%d.example", i))); err != nil {
				t.Errorf("Do(domain:check) = %v, want nil (one session open)", err)
			}
		})
	}
	wg.Wait()
	if n := f.Counts(); n.MaxLoggedIn != 1 {
		t.Errorf("registry saw up to %d sessions, want 1 (one slot)", n.MaxLoggedIn)
	}
	c.Close()
	if free, held := g.state(); free != 1 || held != 0 {
		t.Errorf("after Close: %d free, %d held, want the slot back", free, held)
	}
}

// Idle sessions of a gated pool give their slot back instead of keeping
// it alive with <hello>.
func TestClientSessionGateIdle(t *testing.T) {
	f := startFake(t, defaultGreeting())
	g := newMemGate(2)
	c := newTestClient(t, f, func(cfg *ClientConfig) { cfg.Sessions = g; cfg.KeepAlive = 50 * time.Millisecond })
	if _, err := c.Do(t.Context(), checkCmd("a.example")); err != nil {
		t.Fatalf("Do(domain:check) = %v, want nil", err)
	}
	waitFor(t, "the idle session to log out", func() bool {
		free, _ := g.state()
		return free == 2 && f.Counts().Logouts == 1
	})
	if st, n := c.Stats(), f.Counts(); st.IdleClosed != 1 || n.Hellos != 0 {
		t.Errorf("IdleClosed %d, hellos %d; want 1 and 0", st.IdleClosed, n.Hellos)
	}
	if _, err := c.Do(t.Context(), checkCmd("b.example")); err != nil {
		t.Fatalf("Do(domain:check) after the idle logout = %v, want nil", err)
	}
}
