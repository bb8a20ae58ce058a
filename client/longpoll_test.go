package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// longPollServer serves one workflow status as this registrar does:
// ETag, 304 for the current tag, and Prefer: wait holding a request
// until the status changes (at most 60s). The status changes on a
// script, at times since the server was made.
type longPollServer struct {
	start   time.Time
	mu      sync.Mutex
	version int
	st      *WorkflowStatus
	changed chan struct{} // closed and replaced on each change
	polls   []request
}

func newLongPollServer(start State, script map[time.Duration]State) *longPollServer {
	s := &longPollServer{start: time.Now(), version: 1, st: wfStatus(start), changed: make(chan struct{})}
	for at, state := range script {
		time.AfterFunc(at, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.version++
			s.st = wfStatus(state)
			close(s.changed)
			s.changed = make(chan struct{})
		})
	}
	return s
}

func (s *longPollServer) tag() string { return `"wf1.` + strconv.Itoa(s.version) + `"` }

func (s *longPollServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.polls = append(s.polls, request{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), At: time.Since(s.start)})
	inm := r.Header.Get("If-None-Match")
	var wait time.Duration
	if v, ok := strings.CutPrefix(r.Header.Get("Prefer"), "wait="); ok {
		n, _ := strconv.Atoi(v)
		wait = min(time.Duration(n)*time.Second, time.Minute)
		w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
	}
	if inm == s.tag() && wait > 0 {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(wait):
		case <-r.Context().Done():
		}
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	w.Header().Set("ETag", s.tag())
	if inm == s.tag() {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": s.st})
}

func (s *longPollServer) client(t *testing.T) *Client {
	t.Helper()
	c, err := New(testBase, "tok", WithHTTPClient(&http.Client{Transport: handlerTransport{s}}), WithAccountID("acct"))
	if err != nil {
		t.Fatal(err)
	}
	c.rand = func() float64 { return 0 }
	return c
}

// TestWaitLongPoll: against a server that applies Prefer: wait, Wait
// polls again at once after each answer, sees each change when it
// happens, and sends the last tag; it still stops on action_required.
func TestWaitLongPoll(t *testing.T) {
	s := time.Second
	tests := []struct {
		name      string
		script    map[time.Duration]State
		want      State
		wantAt    time.Duration
		wantPolls []time.Duration
		wantINM   []string
	}{
		{name: "to success", script: map[time.Duration]State{10 * s: StateBlocked, 95 * s: StateSucceeded},
			want: StateSucceeded, wantAt: 95 * s,
			// The first poll, from a status with no tag, follows the
			// Interval; then each poll is held until a change or 60s.
			wantPolls: []time.Duration{1 * s, 1 * s, 10 * s, 70 * s},
			wantINM:   []string{"", `"wf1.1"`, `"wf1.2"`, `"wf1.2"`}},
		{name: "stops on action_required", script: map[time.Duration]State{30 * s: StateActionRequired},
			want: StateActionRequired, wantAt: 30 * s,
			wantPolls: []time.Duration{1 * s, 1 * s},
			wantINM:   []string{"", `"wf1.1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newLongPollServer(StateInProgress, tt.script)
				var changes []State
				st, err := srv.client(t).Wait(t.Context(), wfStatus(StatePending), WaitOptions{
					OnChange: func(prev, cur *WorkflowStatus, next time.Duration) { changes = append(changes, cur.State) }})
				if err != nil || st.State != tt.want {
					t.Fatalf("Wait = %v, %v; want %s", st.State, err, tt.want)
				}
				if elapsed := time.Since(srv.start); elapsed != tt.wantAt {
					t.Errorf("Wait returned after %v, want %v: at the change", elapsed, tt.wantAt)
				}
				var at []time.Duration
				var inm []string
				for _, p := range srv.polls {
					at = append(at, p.At)
					inm = append(inm, p.Header.Get("If-None-Match"))
					if got := p.Header.Get("Prefer"); got != "wait=60" {
						t.Errorf("poll at %v: Prefer = %q, want wait=60", p.At, got)
					}
				}
				if diff := cmp.Diff(tt.wantPolls, at); diff != "" {
					t.Errorf("poll times (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantINM, inm); diff != "" {
					t.Errorf("If-None-Match of the polls (-want +got):\n%s", diff)
				}
				if st.ETag == "" {
					t.Errorf("final status has no ETag")
				}
				if changes[len(changes)-1] != tt.want {
					t.Errorf("OnChange saw %v, want it to end with %s", changes, tt.want)
				}
			})
		})
	}
}

// TestWaitLongPollMaxBlocked: long-polls of a blocked workflow ask no
// longer than MaxBlocked has left, and Wait gives up at the limit.
func TestWaitLongPollMaxBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLongPollServer(StateBlocked, nil)
		start := time.Now()
		_, err := srv.client(t).Wait(t.Context(), wfStatus(StateBlocked), WaitOptions{MaxBlocked: 100 * time.Second})
		if !errors.Is(err, ErrGaveUpBlocked) {
			t.Fatalf("err = %v, want ErrGaveUpBlocked", err)
		}
		if elapsed := time.Since(start); elapsed != 100*time.Second {
			t.Errorf("gave up after %v, want 100s", elapsed)
		}
		var prefer []string
		for _, p := range srv.polls {
			prefer = append(prefer, p.Header.Get("Prefer"))
		}
		// The first after BlockedInterval (30s), then held: 60s, the 10s left.
		if diff := cmp.Diff([]string{"wait=60", "wait=60", "wait=10"}, prefer); diff != "" {
			t.Errorf("Prefer of the polls (-want +got):\n%s", diff)
		}
	})
}

// TestWaitLongPollFromTag: a status that has a tag (a 202's) is
// long-polled at once, so a short blocked spell is seen, not slept
// through; within a second of MaxBlocked the poll asks for no hold and
// Wait gives up at the limit.
func TestWaitLongPollFromTag(t *testing.T) {
	tagged := func(st State) *WorkflowStatus {
		w := wfStatus(st)
		w.ETag = `"wf1.1"`
		return w
	}
	t.Run("short blocked spell", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := newLongPollServer(StateInProgress, map[time.Duration]State{300 * time.Millisecond: StateBlocked, 900 * time.Millisecond: StateSucceeded})
			var seen []State
			st, err := srv.client(t).Wait(t.Context(), tagged(StateInProgress), WaitOptions{
				OnChange: func(_, cur *WorkflowStatus, _ time.Duration) { seen = append(seen, cur.State) }})
			if err != nil || st.State != StateSucceeded {
				t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
			}
			if diff := cmp.Diff([]State{StateInProgress, StateBlocked, StateSucceeded}, seen); diff != "" {
				t.Errorf("states seen (-want +got):\n%s", diff)
			}
			if len(srv.polls) == 0 || srv.polls[0].At != 0 || srv.polls[0].Header.Get("Prefer") != "wait=60" {
				t.Errorf("first poll %+v: want it at once, held (Prefer: wait=60)", srv.polls)
			}
		})
	})
	t.Run("MaxBlocked under a second", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := newLongPollServer(StateBlocked, map[time.Duration]State{900 * time.Millisecond: StateSucceeded})
			_, err := srv.client(t).Wait(t.Context(), tagged(StateBlocked), WaitOptions{MaxBlocked: 100 * time.Millisecond})
			if !errors.Is(err, ErrGaveUpBlocked) {
				t.Fatalf("err = %v, want ErrGaveUpBlocked at 100ms, before the change at 900ms", err)
			}
			if elapsed := time.Since(srv.start); elapsed != 100*time.Millisecond {
				t.Errorf("gave up after %v, want 100ms", elapsed)
			}
			for _, p := range srv.polls {
				if got := p.Header.Get("Prefer"); got != "" {
					t.Errorf("poll at %v asks Prefer %q with less than a second left; want none", p.At, got)
				}
			}
		})
	})
}

// TestWaitLongPollCancel: a held poll ends with ctx.
func TestWaitLongPollCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLongPollServer(StateInProgress, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
		defer cancel()
		st, err := srv.client(t).Wait(ctx, wfStatus(StateInProgress), WaitOptions{})
		if !errors.Is(err, context.DeadlineExceeded) || st.State != StateInProgress {
			t.Fatalf("Wait = %v, %v; want in_progress, context.DeadlineExceeded", st.State, err)
		}
		if elapsed := time.Since(srv.start); elapsed != 45*time.Second {
			t.Errorf("Wait returned after %v, want 45s", elapsed)
		}
	})
}
