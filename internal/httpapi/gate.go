package httpapi

import "sync"

// gate bounds how many calls of one key (an account) run at once. It holds
// an entry only for keys with calls running, so its size is bounded by
// the requests in flight.
type gate struct {
	max int // < 0: no bound
	mu  sync.Mutex
	n   map[string]int
}

func newGate(max int) *gate { return &gate{max: max, n: map[string]int{}} }

// enter reports whether key may start a call now; each true must be
// followed by one leave.
func (g *gate) enter(key string) bool {
	if g.max < 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key] >= g.max {
		return false
	}
	g.n[key]++
	return true
}

// leave ends a call that enter let start.
func (g *gate) leave(key string) {
	if g.max < 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n[key]--; g.n[key] <= 0 {
		delete(g.n, key)
	}
}
