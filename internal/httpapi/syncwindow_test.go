package httpapi

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// scriptedWorkflow is a workflow whose state changes on a script, read
// through a Reader and announced (or not) through a Notifier, as the
// store does.
type scriptedWorkflow struct {
	registrar.Reader
	mu         sync.Mutex
	wf         registrar.Workflow
	reads      int
	subscribed int // open subscriptions
	changed    chan struct{}
}

func (s *scriptedWorkflow) Workflow(ctx context.Context, accountID, id string) (*registrar.Workflow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	wf := s.wf
	return &wf, nil
}

func (s *scriptedWorkflow) Subscribe(workflowID string) (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subscribed++
	var once sync.Once
	return s.changed, func() {
		once.Do(func() {
			s.mu.Lock()
			s.subscribed--
			s.mu.Unlock()
		})
	}
}

// set changes the state and, when notify is set, announces it (coalesced,
// as the store's notifier does).
func (s *scriptedWorkflow) set(state registrar.State, notify bool) {
	s.mu.Lock()
	s.wf.State = state
	s.mu.Unlock()
	if notify {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
}

// TestAwaitDone pins the sync window's timing on synctest's fake clock:
// a POST answers as soon as its workflow settles, or when the window
// ends, and a lost notification costs at most the one-second re-read.
// internal/daemon's TestSyncWindow checks the same end to end over HTTP
// with real delays (12s of real time, so -short skips it); this runs in
// the -short loop in microseconds.
func TestAwaitDone(t *testing.T) {
	const window = 5 * time.Second
	type change struct {
		at     time.Duration
		state  registrar.State
		notify bool
	}
	tests := []struct {
		name    string
		start   registrar.State
		changes []change
		cancel  time.Duration // cancel the request's context then (0: never)
		want    registrar.State
		wantAt  time.Duration
	}{
		{name: "settled already", start: registrar.StateSucceeded,
			want: registrar.StateSucceeded, wantAt: 0},
		{name: "finishes in the window", start: registrar.StatePending,
			changes: []change{{time.Second, registrar.StateInProgress, true}, {2500 * time.Millisecond, registrar.StateSucceeded, true}},
			want:    registrar.StateSucceeded, wantAt: 2500 * time.Millisecond},
		{name: "fails in the window", start: registrar.StatePending,
			changes: []change{{700 * time.Millisecond, registrar.StateFailed, true}},
			want:    registrar.StateFailed, wantAt: 700 * time.Millisecond},
		{name: "outlasts the window", start: registrar.StatePending,
			changes: []change{{time.Second, registrar.StateInProgress, true}, {8 * time.Second, registrar.StateSucceeded, true}},
			want:    registrar.StateInProgress, wantAt: window},
		{name: "settles just before the deadline, unannounced", start: registrar.StateInProgress,
			changes: []change{{window - time.Millisecond, registrar.StateSucceeded, false}},
			want:    registrar.StateSucceeded, wantAt: window},
		{name: "lost notification: the re-read finds it", start: registrar.StateInProgress,
			changes: []change{{1500 * time.Millisecond, registrar.StateSucceeded, false}},
			want:    registrar.StateSucceeded, wantAt: 2 * time.Second},
		{name: "action_required answers at once", start: registrar.StatePending,
			changes: []change{{300 * time.Millisecond, registrar.StateActionRequired, true}},
			want:    registrar.StateActionRequired, wantAt: 300 * time.Millisecond},
		{name: "client gone", start: registrar.StatePending, cancel: 1200 * time.Millisecond,
			want: registrar.StatePending, wantAt: 1200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				wf := &scriptedWorkflow{wf: registrar.Workflow{ID: "wf1", AccountID: "acct1", State: tt.start}, changed: make(chan struct{}, 1)}
				s := &Server{Deps: Deps{Reader: wf, Notifier: wf}, cfg: Config{SyncWait: window}}
				for _, c := range tt.changes {
					time.AfterFunc(c.at, func() { wf.set(c.state, c.notify) })
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if tt.cancel > 0 {
					time.AfterFunc(tt.cancel, cancel)
				}
				start := time.Now()
				got := s.awaitDone(ctx, &registrar.Workflow{ID: "wf1", AccountID: "acct1", State: tt.start})
				if elapsed := time.Since(start); got.State != tt.want || elapsed != tt.wantAt {
					t.Errorf("awaitDone = %s after %v, want %s after %v", got.State, elapsed, tt.want, tt.wantAt)
				}
				wf.mu.Lock()
				defer wf.mu.Unlock()
				if wf.subscribed != 0 {
					t.Errorf("%d subscriptions left open", wf.subscribed)
				}
				// Woken only by a change or the once-a-second re-read:
				// never a busy poll.
				if maxReads := 2 + len(tt.changes) + int(tt.wantAt/time.Second); wf.reads > maxReads {
					t.Errorf("%d reads of the workflow in %v, want at most %d", wf.reads, tt.wantAt, maxReads)
				}
			})
		})
	}
}
