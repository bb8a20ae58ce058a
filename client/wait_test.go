package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

const selfPath = "/client/v4/accounts/acct/registrar/registrations/x.com/registration-status"

// repeat returns n copies of a.
func repeat(n int, a answer) []answer {
	as := make([]answer, n)
	for i := range as {
		as[i] = a
	}
	return as
}

// cumulative turns delays into the times of the polls after them.
func cumulative(delays ...time.Duration) []time.Duration {
	var ts []time.Duration
	var t time.Duration
	for _, d := range delays {
		t += d
		ts = append(ts, t)
	}
	return ts
}

// checkPolls checks that every request was a GET of the status link.
func checkPolls(t *testing.T, f *fake) {
	t.Helper()
	for i, r := range f.seen() {
		if r.Method != http.MethodGet || r.Path != selfPath {
			t.Errorf("request %d = %s %s, want GET %s", i, r.Method, r.Path, selfPath)
		}
	}
}

// TestWaitBackoff: while in_progress the delays double from 1s and stop
// growing at 30s.
func TestWaitBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, append(repeat(8, statusAnswer(StateInProgress)), statusAnswer(StateSucceeded))...)
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StatePending), WaitOptions{})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
		}
		s := time.Second
		// pending → in_progress restarts at 1s.
		want := cumulative(1*s, 1*s, 2*s, 4*s, 8*s, 16*s, 30*s, 30*s, 30*s)
		if diff := cmp.Diff(want, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
		checkPolls(t, f)
		if st.Context.Registration == nil || st.Context.Registration.DomainName != "x.com" {
			t.Errorf("succeeded status context = %+v, want the registration", st.Context)
		}
	})
}

// TestWaitJitter: with jitter every delay is within a fifth below the
// schedule.
func TestWaitJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, append(repeat(7, statusAnswer(StateInProgress)), statusAnswer(StateSucceeded))...)
		c := newTestClient(t, f)
		c.rand = func() float64 { return 0.999 }
		if _, err := c.Wait(t.Context(), wfStatus(StateInProgress), WaitOptions{}); err != nil {
			t.Fatal(err)
		}
		s := time.Second
		schedule := []time.Duration{1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s}
		ts := f.times()
		if len(ts) != len(schedule) {
			t.Fatalf("%d polls, want %d", len(ts), len(schedule))
		}
		prev := time.Duration(0)
		for i, d := range schedule {
			got := ts[i] - prev
			prev = ts[i]
			if got < d*4/5 || got > d {
				t.Errorf("delay %d = %s, want in [%s, %s]", i, got, d*4/5, d)
			}
		}
	})
}

// TestWaitBlockedGivesUp: blocked polls start at 30s and grow to 10
// minutes; after an hour blocked in all Wait gives up with
// ErrGaveUpBlocked and the last status, having polled last at the hour.
func TestWaitBlockedGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateBlocked))
		c := newTestClient(t, f)
		start := time.Now()
		st, err := c.Wait(t.Context(), wfStatus(StateBlocked), WaitOptions{})
		if elapsed := time.Since(start); elapsed != time.Hour {
			t.Errorf("gave up after %s, want 1h", elapsed)
		}
		if !errors.Is(err, ErrGaveUpBlocked) {
			t.Fatalf("err = %v, want ErrGaveUpBlocked", err)
		}
		var be *BlockedError
		if !errors.As(err, &be) || be.Blocked != time.Hour || be.Status != st {
			t.Errorf("err = %#v, want a *BlockedError of 1h with the last status", err)
		}
		if st == nil || st.State != StateBlocked || st.Context.BlockedBy != "registry" {
			t.Errorf("status = %+v, want the last, blocked, status", st)
		}
		m := time.Minute
		s := time.Second
		// 30s 1m 2m 4m 8m 10m 10m 10m 10m: 55m30s; then the last poll at
		// the hour.
		want := cumulative(30*s, 1*m, 2*m, 4*m, 8*m, 10*m, 10*m, 10*m, 10*m, 4*m+30*s)
		if diff := cmp.Diff(want, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
		checkPolls(t, f)
	})
}

// TestWaitBlockedLimitOptions: MaxBlocked and the blocked intervals are
// settable, and blocked time adds up over separate blocked spells.
func TestWaitBlockedLimitOptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// blocked 3 polls (10s each), in_progress, blocked again.
		f := newFake(t, statusAnswer(StateBlocked), statusAnswer(StateBlocked), statusAnswer(StateInProgress), statusAnswer(StateBlocked))
		c := newTestClient(t, f)
		opts := WaitOptions{BlockedInterval: 10 * time.Second, MaxBlockedInterval: 10 * time.Second, MaxBlocked: time.Minute}
		_, err := c.Wait(t.Context(), wfStatus(StateBlocked), opts)
		if !errors.Is(err, ErrGaveUpBlocked) {
			t.Fatalf("err = %v, want ErrGaveUpBlocked", err)
		}
		s := time.Second
		// blocked 0-30s (30s), in_progress 30-31s, blocked from 31s: 30s
		// more at 61s.
		want := cumulative(10*s, 10*s, 10*s, 1*s, 10*s, 10*s, 10*s)
		if diff := cmp.Diff(want, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
	})
}

// TestWaitNoBlockedLimit: a negative MaxBlocked polls a blocked workflow
// until it ends.
func TestWaitNoBlockedLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, append(repeat(20, statusAnswer(StateBlocked)), statusAnswer(StateSucceeded))...)
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StateBlocked), WaitOptions{MaxBlocked: -1})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
		}
		if n := len(f.seen()); n != 21 {
			t.Errorf("%d polls, want 21", n)
		}
	})
}

// TestWaitActionRequired: Wait returns at once when it reads
// action_required: exactly one request answers it, and none follows.
func TestWaitActionRequired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateInProgress), statusAnswer(StateActionRequired))
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StatePending), WaitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st.State != StateActionRequired || st.Context.Action != ActionRegistrantEmailConfirmationPending ||
			st.Context.ConfirmationSentTo != "v***@example.com" || st.Context.ActionExpiresAt.IsZero() {
			t.Errorf("status = %+v, want action_required with its action, address and expiry", st)
		}
		if st.Completed || st.Err() != nil {
			t.Errorf("action_required status: Completed %v, Err %v; want false, nil", st.Completed, st.Err())
		}
		time.Sleep(24 * time.Hour) // nothing polls behind our back
		synctest.Wait()
		s := time.Second
		if diff := cmp.Diff(cumulative(1*s, 1*s), f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
	})
}

// TestWaitStopsWithoutPolling: a status that needs no poller is returned
// as is, with no request.
func TestWaitStopsWithoutPolling(t *testing.T) {
	for _, s := range []State{StateSucceeded, StateFailed, StateActionRequired} {
		t.Run(string(s), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t)
				c := newTestClient(t, f)
				in := wfStatus(s)
				var calls int
				st, err := c.Wait(t.Context(), in, WaitOptions{OnChange: func(prev, cur *WorkflowStatus, next time.Duration) {
					calls++
					if prev != nil || cur != in || next != 0 {
						t.Errorf("OnChange(%v, %v, %s), want (nil, the status, 0)", prev, cur, next)
					}
				}})
				if err != nil || st != in {
					t.Errorf("Wait = %v, %v; want the status given", st, err)
				}
				if calls != 1 {
					t.Errorf("OnChange called %d times, want 1", calls)
				}
				if n := len(f.seen()); n != 0 {
					t.Errorf("%d requests, want none", n)
				}
			})
		})
	}
}

// TestWaitFailed: a failed workflow is returned with a nil error; its Err
// is the workflow's error.
func TestWaitFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateFailed))
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StateInProgress), WaitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var we *WorkflowError
		if !errors.As(st.Err(), &we) || we.Code != WorkflowErrRegistryRejected {
			t.Errorf("Err() = %v, want the registry_rejected WorkflowError", st.Err())
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d polls, want 1", n)
		}
	})
}

// TestWaitRetryAfter: a status's Retry-After replaces the delay of its
// state, longer or shorter, jittered as the backoff is; polls without one
// go back to the state's own delays.
func TestWaitRetryAfter(t *testing.T) {
	s := time.Second
	tests := []struct {
		name    string
		start   State
		answers []answer
		rand    float64
		want    []time.Duration // delays between polls
		// startRetryAfter is the starting status's RetryAfter.
		startRetryAfter time.Duration
	}{
		{"longer and shorter than the backoff", StateInProgress, []answer{
			statusAnswer(StateInProgress, "Retry-After", "7"), // instead of 2s
			statusAnswer(StateInProgress, "Retry-After", "1"), // instead of 4s
			statusAnswer(StateSucceeded)}, 0, []time.Duration{1 * s, 7 * s, 1 * s}, 0},
		{"blocked: the server's next attempt, not 30s", StateInProgress, []answer{
			statusAnswer(StateBlocked, "Retry-After", "2"),
			statusAnswer(StateBlocked, "Retry-After", "3"),
			statusAnswer(StateSucceeded)}, 0, []time.Duration{1 * s, 2 * s, 3 * s}, 0},
		{"jittered", StateBlocked, []answer{
			statusAnswer(StateBlocked, "Retry-After", "10"),
			statusAnswer(StateSucceeded)}, 0.5, []time.Duration{27 * s, 9 * s}, 0},
		{"the starting status's, from the answer that started the workflow", StateBlocked, []answer{
			statusAnswer(StateSucceeded)}, 0, []time.Duration{2 * s}, 2 * s},
		{"absent: the state's own delays", StateBlocked, []answer{
			statusAnswer(StateBlocked, "Retry-After", "2"),
			statusAnswer(StateBlocked),
			statusAnswer(StateBlocked),
			statusAnswer(StateSucceeded)}, 0, []time.Duration{30 * s, 2 * s, 2 * time.Minute, 4 * time.Minute}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t, tt.answers...)
				c := newTestClient(t, f)
				start := wfStatus(tt.start)
				start.RetryAfter = tt.startRetryAfter
				c.rand = func() float64 { return tt.rand }
				st, err := c.Wait(t.Context(), start, WaitOptions{})
				if err != nil || st.State != StateSucceeded {
					t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
				}
				if diff := cmp.Diff(cumulative(tt.want...), f.times()); diff != "" {
					t.Errorf("poll times (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestWaitUnreachable: polls that find the server out of reach are
// retried with backoff, and Wait goes on when it answers again; after
// MaxUnreachable of failures in a row it gives up with ErrUnreachable and
// the last status read.
func TestWaitUnreachable(t *testing.T) {
	refused := answer{netErr: &netError{syscall.ECONNREFUSED}}
	s := time.Second
	tests := []struct {
		name    string
		answers []answer
		opts    WaitOptions
		want    []time.Duration // delays between requests
		state   State
		err     error
	}{
		{"back after a restart", []answer{statusAnswer(StateInProgress), refused, refused, fail(502, 1502, "bad gateway"), statusAnswer(StateSucceeded)},
			WaitOptions{}, []time.Duration{1 * s, 2 * s, 1 * s, 2 * s, 4 * s}, StateSucceeded, nil},
		{"gone for good", []answer{statusAnswer(StateInProgress), refused},
			WaitOptions{}, []time.Duration{1 * s, 2 * s, 1 * s, 2 * s, 4 * s, 8 * s, 16 * s, 29 * s}, StateInProgress, ErrUnreachable},
		{"a shorter bound", []answer{refused},
			WaitOptions{MaxUnreachable: 5 * s, UnreachableInterval: 2 * s}, []time.Duration{1 * s, 2 * s, 3 * s}, StateInProgress, ErrUnreachable},
		{"no bound: the first failure ends Wait", []answer{refused},
			WaitOptions{MaxUnreachable: -1}, []time.Duration{1 * s}, StateInProgress, ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(t, tt.answers...)
				c := newTestClient(t, f, WithRetry(0, time.Second, time.Second))
				st, err := c.Wait(t.Context(), wfStatus(StateInProgress), tt.opts)
				if !errors.Is(err, tt.err) || st.State != tt.state {
					t.Fatalf("Wait = %v, %v; want %v, %v", st.State, err, tt.state, tt.err)
				}
				if diff := cmp.Diff(cumulative(tt.want...), f.times()); diff != "" {
					t.Errorf("request times (-want +got):\n%s", diff)
				}
				var ue *UnreachableError
				if tt.err != nil && (!errors.As(err, &ue) || !errors.Is(err, syscall.ECONNREFUSED) || ue.Status.State != tt.state) {
					t.Errorf("err = %#v, want an *UnreachableError wrapping ECONNREFUSED with the last status", err)
				}
			})
		})
	}
}

// TestWaitRetryAfterBeyondBlockedLimit: when the server asks to wait past
// MaxBlocked, Wait gives up at the limit without polling.
func TestWaitRetryAfterBeyondBlockedLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateBlocked, "Retry-After", "7200"))
		c := newTestClient(t, f)
		start := time.Now()
		_, err := c.Wait(t.Context(), wfStatus(StateBlocked), WaitOptions{})
		if !errors.Is(err, ErrGaveUpBlocked) || time.Since(start) != time.Hour {
			t.Errorf("Wait = %v after %s, want ErrGaveUpBlocked after 1h", err, time.Since(start))
		}
		if diff := cmp.Diff([]time.Duration{30 * time.Second}, f.times()); diff != "" {
			t.Errorf("poll times (-want +got):\n%s", diff)
		}
	})
}

// TestWaitCancel: Wait returns the last status and ctx's error as soon as
// ctx is done, mid-delay.
func TestWaitCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateBlocked))
		c := newTestClient(t, f)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(45*time.Second, cancel) // during the 60s delay after the poll at 30s
		start := time.Now()
		st, err := c.Wait(ctx, wfStatus(StateBlocked), WaitOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if d := time.Since(start); d != 45*time.Second {
			t.Errorf("returned after %s, want 45s", d)
		}
		if st == nil || st.State != StateBlocked {
			t.Errorf("status = %v, want the last one read, blocked", st)
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d polls, want 1", n)
		}
	})
}

// TestWaitOnChange: OnChange reports the starting status and each change
// of state, with the next delay; not the polls that change nothing.
func TestWaitOnChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t,
			statusAnswer(StatePending),
			statusAnswer(StateInProgress),
			statusAnswer(StateInProgress),
			statusAnswer(StateBlocked),
			statusAnswer(StateBlocked),
			statusAnswer(StateInProgress),
			statusAnswer(StateSucceeded))
		c := newTestClient(t, f)
		var got []string
		onChange := func(prev, cur *WorkflowStatus, next time.Duration) {
			from := State("nil")
			if prev != nil {
				from = prev.State
			}
			got = append(got, fmt.Sprintf("%s→%s next %s at %s", from, cur.State, next, time.Since(f.start)))
		}
		if _, err := c.Wait(t.Context(), wfStatus(StatePending), WaitOptions{OnChange: onChange}); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"nil→pending next 1s at 0s",
			"pending→in_progress next 1s at 3s",    // still pending at 1s; 2s later in_progress
			"in_progress→blocked next 30s at 6s",   // in_progress at 4s; 2s later blocked
			"blocked→in_progress next 1s at 1m36s", // blocked at 36s; 60s later in_progress
			"in_progress→succeeded next 0s at 1m37s",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("OnChange calls (-want +got):\n%s", diff)
		}
		checkPolls(t, f)
	})
}

// TestWaitPollError: a poll that fails with an error that is not retried
// ends Wait with it and the last status.
func TestWaitPollError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer(StateInProgress), fail(404, 7003, "no such workflow"))
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StatePending), WaitOptions{})
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 404 {
			t.Fatalf("err = %v, want the 404", err)
		}
		if st.State != StateInProgress {
			t.Errorf("status = %s, want the last one read, in_progress", st.State)
		}
	})
}

// TestWaitTransientPollError: a poll that fails transiently is retried by
// the client's retry policy, not counted as a state.
func TestWaitTransientPollError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, fail(503, 1503, "down"), statusAnswer(StateSucceeded))
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StateInProgress), WaitOptions{})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st, err)
		}
		if diff := cmp.Diff([]time.Duration{time.Second, 1500 * time.Millisecond}, f.times()); diff != "" {
			t.Errorf("request times (-want +got):\n%s", diff)
		}
	})
}

// TestWaitUnknownState: a state this package does not know is returned
// with an error, not polled forever.
func TestWaitUnknownState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(t, statusAnswer("paused"))
		c := newTestClient(t, f)
		st, err := c.Wait(t.Context(), wfStatus(StateInProgress), WaitOptions{})
		if err == nil || st.State != "paused" {
			t.Errorf("Wait = %v, %v; want the paused status and an error", st.State, err)
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d polls, want 1", n)
		}
	})
}

// TestWaitBadStatus: Wait needs a status with a link on the API's host.
func TestWaitBadStatus(t *testing.T) {
	f := newFake(t)
	c := newTestClient(t, f)
	if _, err := c.Wait(t.Context(), nil, WaitOptions{}); err == nil {
		t.Error("Wait(nil) succeeded")
	}
	st := wfStatus(StateInProgress)
	st.Links.Self = ""
	if _, err := c.Wait(t.Context(), st, WaitOptions{}); !errors.Is(err, ErrNoStatusLink) {
		t.Errorf("Wait without links.self = %v, want ErrNoStatusLink", err)
	}
	st.Links.Self = "https://evil.test/accounts/acct/registrar/registrations/x.com/registration-status"
	if _, err := c.Wait(t.Context(), st, WaitOptions{}); err == nil {
		t.Error("Wait with a link on another host succeeded")
	}
	if n := len(f.seen()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestRegisterThenWait: the whole story against a fake server that plays
// the workflow: one POST, then only GETs of links.self, never a second
// POST, and the sandbox paths with WithSandbox.
func TestRegisterThenWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pending := wfStatus(StatePending)
		pending.Links.Self = "/accounts/acct/registrar-sandbox/registrations/x.com/registration-status"
		f := newFake(t,
			okStatus(http.StatusAccepted, pending, "Preference-Applied", "respond-async"),
			statusAnswer(StateInProgress),
			statusAnswer(StateBlocked),
			statusAnswer(StateSucceeded))
		c := newTestClient(t, f, WithSandbox(true))
		st, err := c.Register(t.Context(), RegisterRequest{DomainName: "x.com", Years: 2}, RegisterOptions{Async: true})
		if err != nil {
			t.Fatal(err)
		}
		st, err = c.Wait(t.Context(), st, WaitOptions{})
		if err != nil || st.State != StateSucceeded {
			t.Fatalf("Wait = %v, %v; want succeeded", st.State, err)
		}
		reqs := f.seen()
		var got []string
		for _, r := range reqs {
			got = append(got, r.Method+" "+r.Path)
		}
		sp := "/client/v4/accounts/acct/registrar-sandbox/registrations/x.com/registration-status"
		want := []string{"POST /client/v4/accounts/acct/registrar-sandbox/registrations", "GET " + sp, "GET " + sp, "GET " + sp}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		if p := reqs[0].Header.Get("Prefer"); p != "respond-async" {
			t.Errorf("POST Prefer = %q, want respond-async", p)
		}
		if reqs[0].Body != `{"domain_name":"x.com","years":2}` {
			t.Errorf("POST body = %s", reqs[0].Body)
		}
	})
}

// TestWaitOnPoll: OnPoll reports each poll Wait follows with another,
// with the delay it chose and whether the server was out of reach.
func TestWaitOnPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refused := answer{netErr: &netError{syscall.ECONNREFUSED}}
		f := newFake(t, statusAnswer(StateBlocked, "Retry-After", "3"), refused, statusAnswer(StateInProgress), statusAnswer(StateSucceeded))
		c := newTestClient(t, f, WithRetry(0, time.Second, time.Second))
		var got []string
		onPoll := func(cur *WorkflowStatus, err error, next time.Duration) {
			got = append(got, fmt.Sprintf("%s %t next %s at %s", cur.State, err != nil, next, time.Since(f.start)))
		}
		if _, err := c.Wait(t.Context(), wfStatus(StateInProgress), WaitOptions{OnPoll: onPoll}); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"blocked false next 3s at 1s",
			"blocked true next 1s at 4s", // the last status read, and the failure
			"in_progress false next 1s at 5s",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("OnPoll calls (-want +got):\n%s", diff)
		}
	})
}
