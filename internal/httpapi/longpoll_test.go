package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

func TestPreferWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   time.Duration
		wantOK bool
	}{
		{"none", nil, 0, false},
		{"other preferences", []string{"respond-async, return=minimal"}, 0, false},
		{"wait", []string{"wait=10"}, 10 * time.Second, true},
		{"case and spaces", []string{"respond-async,  Wait = 7 "}, 7 * time.Second, true},
		{"quoted", []string{`wait="5"`}, 5 * time.Second, true},
		{"with parameters", []string{"wait=3; foo=bar"}, 3 * time.Second, true},
		{"second header", []string{"return=minimal", "wait=2"}, 2 * time.Second, true},
		{"zero", []string{"wait=0"}, 0, true},
		{"at the cap", []string{"wait=60"}, MaxPreferWait, true},
		{"over the cap", []string{"wait=600"}, MaxPreferWait, true},
		{"beyond uint64", []string{"wait=99999999999999999999999"}, MaxPreferWait, true},
		{"negative", []string{"wait=-1"}, 0, false},
		{"not a number", []string{"wait=soon"}, 0, false},
		{"empty", []string{"wait="}, 0, false},
		{"first counts", []string{"wait=4, wait=9"}, 4 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := preferWait(tt.values)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("preferWait(%q) = %v, %v, want %v, %v", tt.values, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestETag(t *testing.T) {
	t.Parallel()
	a := &registrar.Workflow{ID: "0123abcd", Version: 3}
	tests := []struct {
		name string
		wf   *registrar.Workflow
		want string
	}{
		{"id and version", a, `"0123abcd.3"`},
		{"next version", &registrar.Workflow{ID: "0123abcd", Version: 4}, `"0123abcd.4"`},
		{"another workflow, same version", &registrar.Workflow{ID: "ffff0000", Version: 3}, `"ffff0000.3"`},
	}
	for _, tt := range tests {
		if got := etag(tt.wf); got != tt.want {
			t.Errorf("%s: etag = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestStatusConditional checks ETag and If-None-Match on real answers of
// a status endpoint, and the ETag of a 202 that starts a workflow.
func TestStatusConditional(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	reader := api.srv.Reader.(fakeReader)
	wf := registrar.Workflow{ID: "wf0001", Version: 7, Kind: registrar.WorkflowRegistration, State: registrar.StateInProgress,
		Domain: "ada.com", AccountID: api.account, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	api.srv.Reader = statusReader{fakeReader: reader, wf: &wf}
	const tag = `"wf0001.7"`
	tests := []struct {
		name        string
		ifNoneMatch string
		want        int
	}{
		{"no condition", "", http.StatusOK},
		{"current tag", tag, http.StatusNotModified},
		{"weak form of the current tag", "W/" + tag, http.StatusNotModified},
		{"in a list", `"wf0001.6", ` + tag, http.StatusNotModified},
		{"star", "*", http.StatusNotModified},
		{"older version", `"wf0001.6"`, http.StatusOK},
		{"another workflow", `"wf0002.7"`, http.StatusOK},
		{"unquoted", "wf0001.7", http.StatusOK},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.ifNoneMatch != "" {
			hdr = []string{"If-None-Match", tt.ifNoneMatch}
		}
		r := api.do("GET", "registrar", "registrations/ada.com/registration-status", "", hdr...)
		if r.Status != tt.want {
			t.Fatalf("%s: GET = %d %s, want %d", tt.name, r.Status, r.Body, tt.want)
		}
		if got := r.Header.Get("ETag"); got != tag {
			t.Errorf("%s: ETag = %s, want %s", tt.name, got, tag)
		}
		if got := r.Header.Get("Retry-After"); got != "2" {
			t.Errorf("%s: Retry-After = %q, want 2", tt.name, got)
		}
		if tt.want == http.StatusNotModified && len(r.Body) != 0 {
			t.Errorf("%s: 304 with a body: %s", tt.name, r.Body)
		}
		if r.Header.Get("Preference-Applied") != "" {
			t.Errorf("%s: Preference-Applied %q without a wait preference", tt.name, r.Header.Get("Preference-Applied"))
		}
	}

	api.srv.Reader = reader
	r := api.do("PATCH", "registrar", "registrations/ada.com", `{"auto_renew": true}`, "Prefer", "respond-async")
	if r.Status != http.StatusAccepted {
		t.Fatalf("PATCH = %d %s, want 202", r.Status, r.Body)
	}
	if got := r.Header.Get("ETag"); !strings.HasPrefix(got, `"`) || !strings.HasSuffix(got, `"`) || len(got) < 4 {
		t.Errorf("PATCH 202: ETag = %q, want a quoted tag", got)
	}
}

// changingStatus is a status endpoint's workflow that changes on a
// script, read through the Reader's status read and announced (or not)
// through a Notifier, as the store does.
type changingStatus struct {
	fakeReader
	mu     sync.Mutex
	wf     registrar.Workflow
	reads  int
	topics []string
	subs   int // open subscriptions
	ch     chan struct{}
}

func (c *changingStatus) RegistrationStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	wf := c.wf
	return &wf, nil
}

func (c *changingStatus) Subscribe(topic string) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.topics = append(c.topics, topic)
	c.subs++
	var once sync.Once
	return c.ch, func() {
		once.Do(func() {
			c.mu.Lock()
			c.subs--
			c.mu.Unlock()
		})
	}
}

// change bumps the version (with a new state) or starts a new workflow,
// and announces it when notify is set.
func (c *changingStatus) change(newWorkflow, notify bool) {
	c.mu.Lock()
	if newWorkflow {
		c.wf.ID, c.wf.Version, c.wf.State = "wf0002", 1, registrar.StatePending
	} else {
		c.wf.Version++
		c.wf.State = registrar.StateSucceeded
	}
	c.mu.Unlock()
	if notify {
		c.wake()
	}
}

func (c *changingStatus) wake() {
	select {
	case c.ch <- struct{}{}:
	default:
	}
}

// TestLongPoll pins the long-poll's timing on synctest's fake clock: a
// request with the current tag and Prefer: wait is held until a change
// or the wait's end, at most MaxPreferWait, and costs no read while held.
// internal/daemon's TestLongPollE2E drives the same through the real
// store and HTTP.
func TestLongPoll(t *testing.T) {
	t.Parallel()
	const tag = `"wf0001.1"`
	type event struct {
		at time.Duration
		do string // "change", "new", "silent change", "spurious", "cancel", "drain"
	}
	tests := []struct {
		name        string
		ifNoneMatch string
		prefer      string
		events      []event
		want        int
		wantAt      time.Duration
		wantTag     string
		wantApplied string
		maxReads    int
	}{
		{name: "woken by a change", ifNoneMatch: tag, prefer: "wait=30", events: []event{{3 * time.Second, "change"}},
			want: 200, wantAt: 3 * time.Second, wantTag: `"wf0001.2"`, wantApplied: "wait=30", maxReads: 2},
		{name: "woken by a new workflow of the kind", ifNoneMatch: tag, prefer: "wait=30", events: []event{{5 * time.Second, "new"}},
			want: 200, wantAt: 5 * time.Second, wantTag: `"wf0002.1"`, wantApplied: "wait=30", maxReads: 2},
		{name: "times out", ifNoneMatch: tag, prefer: "wait=10",
			want: 304, wantAt: 10 * time.Second, wantTag: tag, wantApplied: "wait=10", maxReads: 1},
		{name: "capped at 60s", ifNoneMatch: tag, prefer: "wait=3600",
			want: 304, wantAt: MaxPreferWait, wantTag: tag, wantApplied: "wait=60", maxReads: 1},
		{name: "a wake-up without a change holds on", ifNoneMatch: tag, prefer: "wait=10", events: []event{{2 * time.Second, "spurious"}},
			want: 304, wantAt: 10 * time.Second, wantTag: tag, wantApplied: "wait=10", maxReads: 2},
		{name: "an unannounced change waits for the end", ifNoneMatch: tag, prefer: "wait=10", events: []event{{2 * time.Second, "silent change"}},
			want: 304, wantAt: 10 * time.Second, wantTag: tag, wantApplied: "wait=10", maxReads: 1},
		{name: "star: held until the status changes", ifNoneMatch: "*", prefer: "wait=20", events: []event{{4 * time.Second, "change"}},
			want: 200, wantAt: 4 * time.Second, wantTag: `"wf0001.2"`, wantApplied: "wait=20", maxReads: 2},
		{name: "no If-None-Match: at once", prefer: "wait=30",
			want: 200, wantTag: tag, wantApplied: "wait=30", maxReads: 1},
		{name: "an old tag: at once", ifNoneMatch: `"wf0001.0"`, prefer: "wait=30",
			want: 200, wantTag: tag, wantApplied: "wait=30", maxReads: 1},
		{name: "wait=0: at once", ifNoneMatch: tag, prefer: "wait=0",
			want: 304, wantTag: tag, wantApplied: "wait=0", maxReads: 1},
		{name: "no wait preference: at once", ifNoneMatch: tag,
			want: 304, wantTag: tag, maxReads: 1},
		{name: "client gone", ifNoneMatch: tag, prefer: "wait=30", events: []event{{7 * time.Second, "cancel"}},
			want: 304, wantAt: 7 * time.Second, wantTag: tag, wantApplied: "wait=30", maxReads: 1},
		{name: "server draining", ifNoneMatch: tag, prefer: "wait=30", events: []event{{2 * time.Second, "drain"}},
			want: 304, wantAt: 2 * time.Second, wantTag: tag, wantApplied: "wait=30", maxReads: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				api := newTestAPI(t, testCatalog())
				st := &changingStatus{fakeReader: api.srv.Reader.(fakeReader), ch: make(chan struct{}, 1),
					wf: registrar.Workflow{ID: "wf0001", Version: 1, AccountID: api.account, Kind: registrar.WorkflowRegistration,
						Domain: "ada.com", State: registrar.StateInProgress, CreatedAt: time.Now(), UpdatedAt: time.Now()}}
				api.srv.Reader, api.srv.Notifier = st, st
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				for _, e := range tt.events {
					time.AfterFunc(e.at, func() {
						switch e.do {
						case "change":
							st.change(false, true)
						case "new":
							st.change(true, true)
						case "silent change":
							st.change(false, false)
						case "spurious":
							st.wake()
						case "cancel":
							cancel()
						case "drain":
							api.srv.Drain()
						}
					})
				}
				req := httptest.NewRequestWithContext(ctx, "GET", "/client/v4/accounts/"+api.account+"/registrar/registrations/ada.com/registration-status", nil)
				req.Header.Set("Authorization", "Bearer "+api.token)
				if tt.ifNoneMatch != "" {
					req.Header.Set("If-None-Match", tt.ifNoneMatch)
				}
				if tt.prefer != "" {
					req.Header.Set("Prefer", tt.prefer)
				}
				rec := httptest.NewRecorder()
				start := time.Now()
				api.srv.ServeHTTP(rec, req)
				if elapsed := time.Since(start); rec.Code != tt.want || elapsed != tt.wantAt {
					t.Errorf("GET = %d after %v, want %d after %v (%s)", rec.Code, elapsed, tt.want, tt.wantAt, rec.Body)
				}
				if got := rec.Header().Get("ETag"); got != tt.wantTag {
					t.Errorf("ETag = %s, want %s", got, tt.wantTag)
				}
				if got := rec.Header().Get("Preference-Applied"); got != tt.wantApplied {
					t.Errorf("Preference-Applied = %q, want %q", got, tt.wantApplied)
				}
				if rec.Code == http.StatusNotModified && rec.Body.Len() != 0 {
					t.Errorf("304 with a body: %s", rec.Body)
				}
				st.mu.Lock()
				defer st.mu.Unlock()
				if st.reads > tt.maxReads {
					t.Errorf("%d status reads, want at most %d: a held request reads only when woken", st.reads, tt.maxReads)
				}
				if st.subs != 0 {
					t.Errorf("%d subscriptions left open", st.subs)
				}
				wantTopic := registrar.StatusTopic(api.account, registrar.EnvLive, registrar.WorkflowRegistration, "ada.com")
				for _, topic := range st.topics {
					if topic != wantTopic {
						t.Errorf("subscribed to %q, want %q", topic, wantTopic)
					}
				}
			})
		})
	}
}
