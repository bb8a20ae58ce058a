package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

func TestCreateScenarios(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		wantPending bool
		wantErr     *registrar.Error
		wantResult  string
	}{
		{name: "example.com", wantResult: ok1000},
		{name: "slow-example.com", wantResult: ok1000},
		{name: "pending-example.com", wantPending: true, wantResult: ok1001},
		{name: "reject-example.com",
			wantErr:    rerr(registrar.KindRejected, "2306 Parameter value policy error: name reserved by registry policy"),
			wantResult: "2306 Parameter value policy error: name reserved by registry policy"},
		{name: "taken-example.com", wantErr: rerr(registrar.KindConflict, err2302), wantResult: err2302},
		{name: "premium-example.com",
			wantErr:    rerr(registrar.KindRejected, "2306 Parameter value policy error: premium name requires fee acknowledgement"),
			wantResult: "2306 Parameter value policy error: premium name requires fee acknowledgement"},
		// Only the first label counts.
		{name: "example.reject-x.com", wantResult: ok1000},
		{name: "Upper.COM", wantResult: ok1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			e, _ := open(t, Config{Clock: clock})
			r := e.Client("us")
			start := time.Now()
			got, err := r.Create(context.Background(), createReq(tt.name))
			if d := errDiff(err, tt.wantErr); d != "" {
				t.Fatalf("Create(%q): %s", tt.name, d)
			}
			if scenarioOf(normalizeName(tt.name)) == scenarioSlow {
				if elapsed := time.Since(start); elapsed < testDelay {
					t.Errorf("Create(%q) answered after %v, want at least %v", tt.name, elapsed, testDelay)
				}
			}
			if err == nil {
				now := clock.Now().Truncate(time.Microsecond)
				want := registrar.CreateResult{Pending: tt.wantPending, CreatedAt: now, ExpiresAt: now.AddDate(1, 0, 0), ServerTransactionID: "SANDBOX-1"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Create(%q) result mismatch (-want +got):\n%s", tt.name, diff)
				}
			}
			wantLog := []LogEntry{entry("us", "create", normalizeName(tt.name), tt.wantResult, "cl-"+tt.name)}
			if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
				t.Errorf("Log() after Create(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestCreateExisting(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{Clock: newFakeClock()})
	mustCreate(t, e.Client("us"), "example.com")
	mustCreate(t, e.Client("us"), "pending-example.com")
	for _, client := range []string{"us", "them"} {
		for _, name := range []string{"example.com", "EXAMPLE.com", "pending-example.com"} {
			_, err := e.Client(client).Create(context.Background(), createReq(name))
			if d := errDiff(err, rerr(registrar.KindConflict, err2302)); d != "" {
				t.Errorf("Create(%q) as %s: %s", name, client, d)
			}
		}
	}
}

func TestCreateInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc    string
		modify  func(*registrar.CreateRequest)
		wantErr *registrar.Error
	}{
		{"zero years", func(r *registrar.CreateRequest) { r.Years = 0 },
			rerr(registrar.KindInvalid, "2004 Parameter value range error: period must be 1 to 10 years")},
		{"eleven years", func(r *registrar.CreateRequest) { r.Years = 11 },
			rerr(registrar.KindInvalid, "2004 Parameter value range error: period must be 1 to 10 years")},
		{"no auth info", func(r *registrar.CreateRequest) { r.AuthInfo = "" },
			rerr(registrar.KindInvalid, "2003 Required parameter missing: authInfo is required")},
		{"no registrant email", func(r *registrar.CreateRequest) { r.Registrant.Email = "" },
			rerr(registrar.KindInvalid, "2003 Required parameter missing: registrant email is required")},
		{"bad name", func(r *registrar.CreateRequest) { r.Name = "-bad.com" },
			rerr(registrar.KindInvalid, `2005 Parameter value syntax error: invalid domain name "-bad.com"`)},
		{"single label", func(r *registrar.CreateRequest) { r.Name = "com" },
			rerr(registrar.KindInvalid, `2005 Parameter value syntax error: invalid domain name "com"`)},
		{"ten years", func(r *registrar.CreateRequest) { r.Years = 10 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			e, _ := open(t, Config{Clock: newFakeClock()})
			req := createReq("example.com")
			tt.modify(&req)
			_, err := e.Client("us").Create(context.Background(), req)
			if d := errDiff(err, tt.wantErr); d != "" {
				t.Fatalf("Create(%+v): %s", req, d)
			}
			wantResult := ok1000
			if tt.wantErr != nil {
				wantResult = tt.wantErr.Message
			}
			wantLog := []LogEntry{entry("us", "create", req.Name, wantResult, req.TransactionID)}
			if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
				t.Errorf("Log() mismatch (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil {
				if _, err := e.Client("us").Info(context.Background(), req.Name); !registrar.IsKind(err, registrar.KindNotFound) && !registrar.IsKind(err, registrar.KindInvalid) {
					t.Errorf("Info(%q) after a failed create = %v, want not found", req.Name, err)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{Clock: newFakeClock()})
	mustCreate(t, e.Client("them"), "theirs.com")
	mustCreate(t, e.Client("us"), "pending-example.com")
	names := []string{"free.com", "theirs.com", "Theirs.COM", "taken-example.com", "premium-example.com", "reject-example.com", "pending-example.com", "slow-example.com"}
	got, err := e.Client("us").Check(context.Background(), names)
	if err != nil {
		t.Fatalf("Check(%q) = %v", names, err)
	}
	want := []registrar.Availability{
		{Name: "free.com", Available: true},
		{Name: "theirs.com", Reason: "In use"},
		{Name: "theirs.com", Reason: "In use"},
		{Name: "taken-example.com", Reason: "In use"},
		{Name: "premium-example.com", Available: true, Premium: true},
		{Name: "reject-example.com", Available: true},
		{Name: "pending-example.com", Reason: "In use"},
		{Name: "slow-example.com", Available: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check(%q) mismatch (-want +got):\n%s", names, diff)
	}

	bad := []string{"ok.com", "not a name"}
	_, err = e.Client("us").Check(context.Background(), bad)
	if d := errDiff(err, rerr(registrar.KindInvalid, `2005 Parameter value syntax error: invalid domain name "not a name"`)); d != "" {
		t.Errorf("Check(%q): %s", bad, d)
	}
	_, err = e.Client("us").Check(context.Background(), nil)
	if d := errDiff(err, rerr(registrar.KindInvalid, "2003 Required parameter missing: no names to check")); d != "" {
		t.Errorf("Check(nil): %s", d)
	}

	wantLog := []LogEntry{
		entry("them", "create", "theirs.com", ok1000, "cl-theirs.com"),
		entry("us", "create", "pending-example.com", ok1001, "cl-pending-example.com"),
		entry("us", "check", "free.com,theirs.com,theirs.com,taken-example.com,premium-example.com,reject-example.com,pending-example.com,slow-example.com", ok1000, ""),
		entry("us", "check", "ok.com,not a name", `2005 Parameter value syntax error: invalid domain name "not a name"`, ""),
		entry("us", "check", "", "2003 Required parameter missing: no names to check", ""),
	}
	if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestInfo(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e, _ := open(t, Config{Clock: clock, Delay: time.Hour})
	t0 := clock.Now().Truncate(time.Microsecond)
	mustCreate(t, e.Client("us"), "example.com")
	mustCreate(t, e.Client("us"), "pending-example.com")
	mustCreate(t, e.Client("them"), "theirs.com")
	if err := e.Client("us").Update(context.Background(), registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientTransferProhibited", "clientDeleteProhibited"}}); err != nil {
		t.Fatalf("Update = %v", err)
	}

	tests := []struct {
		client, name string
		want         registrar.DomainInfo
		wantErr      *registrar.Error
	}{
		{"us", "example.com", registrar.DomainInfo{Name: "example.com", Sponsored: true, AuthInfo: "auth-example.com",
			Statuses: []string{"clientDeleteProhibited", "clientTransferProhibited"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"them", "example.com", registrar.DomainInfo{Name: "example.com",
			Statuses: []string{"clientDeleteProhibited", "clientTransferProhibited"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"us", "pending-example.com", registrar.DomainInfo{Name: "pending-example.com", Sponsored: true, AuthInfo: "auth-pending-example.com",
			Pending: true, Statuses: []string{"pendingCreate"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"us", "theirs.com", registrar.DomainInfo{Name: "theirs.com", Statuses: []string{"ok"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"them", "theirs.com", registrar.DomainInfo{Name: "theirs.com", Sponsored: true, AuthInfo: "auth-theirs.com", Statuses: []string{"ok"}, CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"us", "taken-example.com", registrar.DomainInfo{Name: "taken-example.com", Statuses: []string{"ok"}, CreatedAt: t0.AddDate(-1, 0, 0), ExpiresAt: t0.AddDate(1, 0, 0)}, nil},
		{"us", "missing.com", registrar.DomainInfo{}, rerr(registrar.KindNotFound, err2303)},
		{"us", "premium-example.com", registrar.DomainInfo{}, rerr(registrar.KindNotFound, err2303)},
	}
	var wantLog []LogEntry
	for _, tt := range tests {
		got, err := e.Client(tt.client).Info(context.Background(), tt.name)
		if d := errDiff(err, tt.wantErr); d != "" {
			t.Errorf("Info(%q) as %s: %s", tt.name, tt.client, d)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Info(%q) as %s mismatch (-want +got):\n%s", tt.name, tt.client, diff)
		}
		result := ok1000
		if tt.wantErr != nil {
			result = tt.wantErr.Message
		}
		wantLog = append(wantLog, entry(tt.client, "info", tt.name, result, ""))
	}
	if diff := cmp.Diff(wantLog, mustLog(t, e)[4:], ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestTakenIsStable(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e, _ := open(t, Config{Clock: clock})
	r := e.Client("us")
	first, err := r.Info(context.Background(), "taken-example.com")
	if err != nil {
		t.Fatalf("Info = %v", err)
	}
	clock.Advance(48 * time.Hour)
	second, err := r.Info(context.Background(), "taken-example.com")
	if err != nil {
		t.Fatalf("Info = %v", err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("Info(taken-example.com) changed over time (-first +second):\n%s", diff)
	}
	if err := r.Update(context.Background(), registrar.DomainUpdate{Name: "taken-example.com", AddStatuses: []string{"clientHold"}}); !registrar.IsKind(err, registrar.KindRejected) {
		t.Errorf("Update(taken-example.com) = %v, want rejected", err)
	}
	info, err := e.Client(OtherRegistrar).Info(context.Background(), "taken-example.com")
	if err != nil || !info.Sponsored || info.AuthInfo == "" {
		t.Errorf("Info(taken-example.com) as %s = %+v, %v; want sponsored with auth info", OtherRegistrar, info, err)
	}
}

func TestSlowCreateCancelled(t *testing.T) {
	t.Parallel()
	records := make(chan string, 16)
	e, _ := open(t, Config{Clock: newFakeClock(), Delay: time.Hour, Logger: slog.New(notifyHandler{records})})
	r := e.Client("us")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := r.Create(ctx, createReq("slow-example.com"))
		done <- err
	}()
	if msg := <-records; msg != "sandbox command" {
		t.Fatalf("log record %q, want the create's", msg)
	}
	cancel() // the create has committed and waits out the delay
	err := <-done
	if d := errDiff(err, rerr(registrar.KindUnavailable, "no answer from registry")); d != "" {
		t.Fatalf("Create(slow-example.com) with a cancelled context: %s", d)
	}
	info, err := r.Info(context.Background(), "slow-example.com")
	if err != nil {
		t.Fatalf("Info(slow-example.com) = %v", err)
	}
	if !info.Sponsored || info.AuthInfo != "auth-slow-example.com" || info.Pending {
		t.Errorf("Info(slow-example.com) = %+v, want sponsored, not pending, AuthInfo %q", info, "auth-slow-example.com")
	}
	wantLog := []LogEntry{
		entry("us", "create", "slow-example.com", ok1000, "cl-slow-example.com"),
		entry("us", "info", "slow-example.com", ok1000, ""),
	}
	if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestCancelledBeforeSending(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{Clock: newFakeClock()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Client("us").Create(ctx, createReq("example.com"))
	if d := errDiff(err, rerr(registrar.KindUnavailable, "registry unreachable")); d != "" {
		t.Errorf("Create with a cancelled context: %s", d)
	}
	if l := mustLog(t, e); len(l) != 0 {
		t.Errorf("Log() = %+v, want empty", l)
	}
}

func TestPending(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	const delay = 3 * time.Second
	e, _ := open(t, Config{Clock: clock, Delay: delay})
	ctx := context.Background()
	us, them := e.Client("us"), e.Client("them")
	t0 := clock.Now().Truncate(time.Microsecond)

	res := mustCreate(t, us, "pending-example.com")
	if !res.Pending {
		t.Fatalf("Create(pending-example.com) = %+v, want pending", res)
	}
	msg, err := us.Poll(ctx)
	if err != nil || msg != nil {
		t.Fatalf("Poll() before due = %+v, %v; want nil, nil", msg, err)
	}
	clock.Advance(delay - time.Microsecond)
	if msg, err := us.Poll(ctx); err != nil || msg != nil {
		t.Fatalf("Poll() just before due = %+v, %v; want nil, nil", msg, err)
	}
	clock.Advance(time.Microsecond)
	msg, err = us.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll() after due = %v", err)
	}
	want := &registrar.PollMessage{ID: "1", Domain: "pending-example.com", Success: true, TransactionID: "cl-pending-example.com",
		Message: "Pending create of pending-example.com approved", Date: t0.Add(delay)}
	if diff := cmp.Diff(want, msg); diff != "" {
		t.Fatalf("Poll() after due mismatch (-want +got):\n%s", diff)
	}
	if m, err := them.Poll(ctx); err != nil || m != nil {
		t.Errorf("Poll() as another client = %+v, %v; want nil, nil", m, err)
	}
	info, err := us.Info(ctx, "pending-example.com")
	if err != nil || info.Pending || !cmp.Equal(info.Statuses, []string{"ok"}) {
		t.Errorf("Info(pending-example.com) after due = %+v, %v; want not pending, status ok", info, err)
	}
	again, err := us.Poll(ctx)
	if err != nil || !cmp.Equal(again, want) {
		t.Errorf("Poll() again before Ack = %+v, %v; want the same message", again, err)
	}
	if err := them.Ack(ctx, msg.ID); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("Ack(%q) as another client = %v, want not found", msg.ID, err)
	}
	if err := us.Ack(ctx, msg.ID); err != nil {
		t.Fatalf("Ack(%q) = %v", msg.ID, err)
	}
	if m, err := us.Poll(ctx); err != nil || m != nil {
		t.Errorf("Poll() after Ack = %+v, %v; want nil, nil", m, err)
	}
	for _, id := range []string{msg.ID, "42", "bogus"} {
		err := us.Ack(ctx, id)
		if d := errDiff(err, rerr(registrar.KindNotFound, fmt.Sprintf("2303 Object does not exist: no message %q", id))); d != "" {
			t.Errorf("Ack(%q): %s", id, d)
		}
	}

	wantLog := []LogEntry{
		entry("us", "create", "pending-example.com", ok1001, "cl-pending-example.com"),
		entry("us", "poll", "", ok1300, ""),
		entry("us", "poll", "", ok1300, ""),
		entry("us", "poll", "pending-example.com", ok1301, ""),
		entry("them", "poll", "", ok1300, ""),
		entry("us", "info", "pending-example.com", ok1000, ""),
		entry("us", "poll", "pending-example.com", ok1301, ""),
		entry("them", "ack", "", `2303 Object does not exist: no message "1"`, ""),
		entry("us", "ack", "pending-example.com", ok1000, ""),
		entry("us", "poll", "", ok1300, ""),
		entry("us", "ack", "", `2303 Object does not exist: no message "1"`, ""),
		entry("us", "ack", "", `2303 Object does not exist: no message "42"`, ""),
		entry("us", "ack", "", `2303 Object does not exist: no message "bogus"`, ""),
	}
	if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

// TestPendingSettledByAnyCommand checks that a due pending create is
// approved by whatever command comes first, not only by Poll.
func TestPendingSettledByAnyCommand(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e, _ := open(t, Config{Clock: clock})
	us := e.Client("us")
	mustCreate(t, us, "pending-a.com")
	clock.Advance(testDelay)
	info, err := e.Client("them").Info(context.Background(), "pending-a.com")
	if err != nil || info.Pending {
		t.Fatalf("Info(pending-a.com) after due = %+v, %v; want not pending", info, err)
	}
	msg, err := us.Poll(context.Background())
	if err != nil || msg == nil || msg.Domain != "pending-a.com" || !msg.Success {
		t.Errorf("Poll() = %+v, %v; want the approval of pending-a.com", msg, err)
	}
}

func TestOutage(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	const delay = 3 * time.Second
	e, path := open(t, Config{Clock: clock, Delay: delay})
	ctx := context.Background()
	r := e.Client("us")
	unreachable := rerr(registrar.KindUnavailable, "registry unreachable")

	calls := []struct {
		desc string
		call func() error
	}{
		{"Check", func() error { _, err := r.Check(ctx, []string{"fine.com", "outage-example.com"}); return err }},
		{"Create", func() error { _, err := r.Create(ctx, createReq("outage-example.com")); return err }},
		{"Info", func() error { _, err := r.Info(ctx, "outage-example.com"); return err }},
		{"Renew", func() error { _, err := r.Renew(ctx, "outage-example.com", time.Now(), 1); return err }},
		{"Update", func() error {
			return r.Update(ctx, registrar.DomainUpdate{Name: "outage-example.com", AddStatuses: []string{"clientHold"}})
		}},
	}
	for _, c := range calls {
		if d := errDiff(c.call(), unreachable); d != "" {
			t.Errorf("%s(outage-example.com) during the outage: %s", c.desc, d)
		}
	}
	var retry *registrar.Error
	if _, err := r.Info(ctx, "outage-example.com"); registrar.AsError(err) != nil {
		retry = registrar.AsError(err)
	}
	if retry == nil || retry.RetryAfterSeconds != 3 {
		t.Errorf("Info(outage-example.com) = %v, want RetryAfterSeconds 3", retry)
	}
	// The window is the first Delay after the first sighting, also after
	// a restart.
	clock.Advance(delay - time.Microsecond)
	e.Close()
	e = openAt(t, path, Config{Clock: clock, Delay: delay})
	r = e.Client("us")
	if d := errDiff(calls[1].call(), unreachable); d != "" {
		t.Errorf("Create(outage-example.com) at the end of the outage, after reopening: %s", d)
	}
	if l := mustLog(t, e); len(l) != 0 {
		t.Errorf("Log() during the outage = %+v, want empty", l)
	}
	// Poll mentions no name and is not affected.
	if _, err := r.Poll(ctx); err != nil {
		t.Errorf("Poll() during the outage = %v", err)
	}

	clock.Advance(time.Microsecond)
	if _, err := r.Create(ctx, createReq("outage-example.com")); err != nil {
		t.Fatalf("Create(outage-example.com) after the outage = %v", err)
	}
	if info, err := r.Info(ctx, "outage-example.com"); err != nil || !info.Sponsored {
		t.Errorf("Info(outage-example.com) after the outage = %+v, %v", info, err)
	}
	wantLog := []LogEntry{
		entry("us", "poll", "", ok1300, ""),
		entry("us", "create", "outage-example.com", ok1000, "cl-outage-example.com"),
		entry("us", "info", "outage-example.com", ok1000, ""),
	}
	if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestRenew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc      string
		name      string
		client    string
		curExpiry func(exp time.Time) time.Time
		years     int
		setup     func(t *testing.T, r registrar.Registry)
		wantAdd   int // years added to the expiry, on success
		wantErr   *registrar.Error
	}{
		{desc: "one year", years: 1, wantAdd: 1},
		{desc: "nine years to ten", years: 9, wantAdd: 9},
		{desc: "other time same date", years: 1, wantAdd: 1,
			curExpiry: func(exp time.Time) time.Time {
				return time.Date(exp.Year(), exp.Month(), exp.Day(), 0, 0, 0, 0, time.UTC)
			}},
		{desc: "beyond ten years", years: 10,
			wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: registration period may not exceed 10 years")},
		{desc: "wrong date", years: 1, curExpiry: func(exp time.Time) time.Time { return exp.AddDate(0, 0, 1) },
			wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: curExpDate does not match")},
		{desc: "zero years", years: 0,
			wantErr: rerr(registrar.KindInvalid, "2004 Parameter value range error: period must be 1 to 10 years")},
		{desc: "not sponsor", client: "them", years: 1, wantErr: rerr(registrar.KindRejected, err2201)},
		{desc: "taken", name: "taken-example.com", years: 1, wantErr: rerr(registrar.KindRejected, err2201)},
		{desc: "missing", name: "missing.com", years: 1, wantErr: rerr(registrar.KindNotFound, err2303)},
		{desc: "pending", name: "pending-example.com", years: 1,
			wantErr: rerr(registrar.KindConflict, "2304 Object status prohibits operation: pendingCreate")},
		{desc: "renew prohibited", years: 1,
			setup: func(t *testing.T, r registrar.Registry) {
				if err := r.Update(context.Background(), registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientRenewProhibited"}}); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: rerr(registrar.KindConflict, "2304 Object status prohibits operation: clientRenewProhibited")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			e, _ := open(t, Config{Clock: clock, Delay: time.Hour})
			us := e.Client("us")
			mustCreate(t, us, "example.com")
			mustCreate(t, us, "pending-example.com")
			if tt.setup != nil {
				tt.setup(t, us)
			}
			name, client := tt.name, tt.client
			if name == "" {
				name = "example.com"
			}
			if client == "" {
				client = "us"
			}
			t0 := clock.Now().Truncate(time.Microsecond)
			exp := t0.AddDate(1, 0, 0) // also taken- names' expiry
			cur := exp
			if tt.curExpiry != nil {
				cur = tt.curExpiry(exp)
			}
			got, err := e.Client(client).Renew(context.Background(), name, cur, tt.years)
			if d := errDiff(err, tt.wantErr); d != "" {
				t.Fatalf("Renew(%q, %v, %d): %s", name, cur, tt.years, d)
			}
			wantExp := exp
			if tt.wantErr == nil {
				wantExp = exp.AddDate(tt.wantAdd, 0, 0)
				if !got.Equal(wantExp) {
					t.Errorf("Renew(%q, %v, %d) = %v, want %v", name, cur, tt.years, got, wantExp)
				}
			}
			if info, err := e.Client("us").Info(context.Background(), name); err == nil && !info.ExpiresAt.Equal(wantExp) {
				t.Errorf("Info(%q).ExpiresAt after Renew = %v, want %v", name, info.ExpiresAt, wantExp)
			}
			result := ok1000
			if tt.wantErr != nil {
				result = tt.wantErr.Message
			}
			l := mustLog(t, e)
			want := entry(client, "renew", name, result, "")
			var renews []LogEntry
			for _, le := range l {
				if le.Command == "renew" {
					renews = append(renews, le)
				}
			}
			if diff := cmp.Diff([]LogEntry{want}, renews, ignoreLogVolatile); diff != "" {
				t.Errorf("renews in Log() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc         string
		client       string
		name         string
		initial      []string
		add, remove  []string
		wantStatuses []string
		wantErr      *registrar.Error
	}{
		{desc: "add", add: []string{"clientTransferProhibited"}, wantStatuses: []string{"clientTransferProhibited"}},
		{desc: "add all", add: []string{"clientHold", "clientUpdateProhibited", "clientDeleteProhibited", "clientRenewProhibited", "clientTransferProhibited"},
			wantStatuses: []string{"clientDeleteProhibited", "clientHold", "clientRenewProhibited", "clientTransferProhibited", "clientUpdateProhibited"}},
		{desc: "remove", initial: []string{"clientHold", "clientDeleteProhibited"}, remove: []string{"clientHold"}, wantStatuses: []string{"clientDeleteProhibited"}},
		{desc: "remove last", initial: []string{"clientHold"}, remove: []string{"clientHold"}, wantStatuses: []string{"ok"}},
		{desc: "add present and remove absent", initial: []string{"clientHold"}, add: []string{"clientHold"}, remove: []string{"clientDeleteProhibited"},
			wantStatuses: []string{"clientHold"}},
		{desc: "remove update prohibited", initial: []string{"clientUpdateProhibited"}, remove: []string{"clientUpdateProhibited"}, add: []string{"clientHold"},
			wantStatuses: []string{"clientHold"}},
		{desc: "update prohibited", initial: []string{"clientUpdateProhibited"}, add: []string{"clientHold"},
			wantStatuses: []string{"clientUpdateProhibited"},
			wantErr:      rerr(registrar.KindConflict, "2304 Object status prohibits operation: clientUpdateProhibited")},
		{desc: "server status", add: []string{"serverHold"}, wantStatuses: []string{"ok"},
			wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status serverHold cannot be set by a client")},
		{desc: "remove ok", remove: []string{"ok"}, wantStatuses: []string{"ok"},
			wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status ok cannot be set by a client")},
		{desc: "unknown status", add: []string{"clientTransferProhibited", "bogus"}, wantStatuses: []string{"ok"},
			wantErr: rerr(registrar.KindInvalid, `2005 Parameter value syntax error: unknown status "bogus"`)},
		{desc: "add and remove", add: []string{"clientHold"}, remove: []string{"clientHold"}, wantStatuses: []string{"ok"},
			wantErr: rerr(registrar.KindRejected, "2306 Parameter value policy error: status clientHold both added and removed")},
		{desc: "not sponsor", client: "them", add: []string{"clientHold"}, wantStatuses: []string{"ok"},
			wantErr: rerr(registrar.KindRejected, err2201)},
		{desc: "missing", name: "missing.com", add: []string{"clientHold"},
			wantErr: rerr(registrar.KindNotFound, err2303)},
		{desc: "pending", name: "pending-example.com", add: []string{"clientHold"}, wantStatuses: []string{"pendingCreate"},
			wantErr: rerr(registrar.KindConflict, "2304 Object status prohibits operation: pendingCreate")},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			e, _ := open(t, Config{Clock: newFakeClock(), Delay: time.Hour})
			us := e.Client("us")
			ctx := context.Background()
			mustCreate(t, us, "example.com")
			mustCreate(t, us, "pending-example.com")
			if tt.initial != nil {
				if err := us.Update(ctx, registrar.DomainUpdate{Name: "example.com", AddStatuses: tt.initial}); err != nil {
					t.Fatalf("Update(initial) = %v", err)
				}
			}
			name, client := tt.name, tt.client
			if name == "" {
				name = "example.com"
			}
			if client == "" {
				client = "us"
			}
			req := registrar.DomainUpdate{Name: name, AddStatuses: tt.add, RemoveStatuses: tt.remove}
			err := e.Client(client).Update(ctx, req)
			if d := errDiff(err, tt.wantErr); d != "" {
				t.Fatalf("Update(%+v): %s", req, d)
			}
			if tt.wantStatuses != nil {
				info, err := us.Info(ctx, name)
				if err != nil {
					t.Fatalf("Info(%q) = %v", name, err)
				}
				if diff := cmp.Diff(tt.wantStatuses, info.Statuses); diff != "" {
					t.Errorf("Info(%q).Statuses after Update(%+v) mismatch (-want +got):\n%s", name, req, diff)
				}
			}
			result := ok1000
			if tt.wantErr != nil {
				result = tt.wantErr.Message
			}
			l := mustLog(t, e)
			i := 2
			if tt.initial != nil {
				i = 3
			}
			if diff := cmp.Diff(entry(client, "update", name, result, ""), l[i], ignoreLogVolatile); diff != "" {
				t.Errorf("Log()[%d] mismatch (-want +got):\n%s", i, diff)
			}
		})
	}
}

func TestLogEntries(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e, _ := open(t, Config{Clock: clock})
	ctx := context.Background()
	t0 := clock.Now().Truncate(time.Microsecond)
	_, resp, err := e.Create(ctx, "us", "ABC-1", createReq("example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Response{Code: 1000, Message: "Command completed successfully", ClientTRID: "ABC-1", ServerTRID: "SANDBOX-1"}, resp); diff != "" {
		t.Errorf("Create response mismatch (-want +got):\n%s", diff)
	}
	clock.Advance(time.Second)
	_, resp, err = e.Create(ctx, "them", "XYZ-9", createReq("example.com"))
	if !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("second Create = %v, want conflict", err)
	}
	if diff := cmp.Diff(Response{Code: 2302, Message: "Object exists", ClientTRID: "XYZ-9", ServerTRID: "SANDBOX-2"}, resp); diff != "" {
		t.Errorf("second Create response mismatch (-want +got):\n%s", diff)
	}
	want := []LogEntry{
		{Seq: 1, Time: t0, ClientID: "us", Domain: "example.com", Command: "create", Result: ok1000, ClientTRID: "ABC-1", ServerTRID: "SANDBOX-1"},
		{Seq: 2, Time: t0.Add(time.Second), ClientID: "them", Domain: "example.com", Command: "create", Result: err2302, ClientTRID: "XYZ-9", ServerTRID: "SANDBOX-2"},
	}
	if diff := cmp.Diff(want, mustLog(t, e)); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e, path := open(t, Config{Clock: clock, Delay: time.Hour})
	ctx := context.Background()
	mustCreate(t, e.Client("us"), "example.com")
	mustCreate(t, e.Client("us"), "pending-example.com")
	if err := e.Client("us").Update(ctx, registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientHold"}}); err != nil {
		t.Fatal(err)
	}
	before, err := e.Client("us").Info(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	logBefore := mustLog(t, e)
	if err := e.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	e = openAt(t, path, Config{Clock: clock, Delay: time.Hour})
	if diff := cmp.Diff(logBefore, mustLog(t, e)); diff != "" {
		t.Errorf("Log() after reopening mismatch (-before +after):\n%s", diff)
	}
	after, err := e.Client("us").Info(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("Info(example.com) after reopening mismatch (-before +after):\n%s", diff)
	}
	// The pending create keeps its due time and clTRID across the restart.
	clock.Advance(time.Hour)
	msg, err := e.Client("us").Poll(ctx)
	if err != nil || msg == nil || msg.TransactionID != "cl-pending-example.com" {
		t.Errorf("Poll() after reopening and due = %+v, %v; want the pending create's message", msg, err)
	}
	l := mustLog(t, e)
	if last := l[len(l)-1]; last.Seq != int64(len(l)) || last.ServerTRID != fmt.Sprintf("SANDBOX-%d", len(l)) {
		t.Errorf("last Log() entry = %+v, want seq and svtrid %d", last, len(l))
	}
}

func TestReadLog(t *testing.T) {
	t.Parallel()
	e, path := open(t, Config{Clock: newFakeClock()})
	ctx := context.Background()
	mustCreate(t, e.Client("us"), "example.com")
	if _, err := e.Client("us").Info(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLog(ctx, path)
	if err != nil {
		t.Fatalf("ReadLog(%q) while open = %v", path, err)
	}
	if diff := cmp.Diff(mustLog(t, e), got); diff != "" {
		t.Errorf("ReadLog(%q) while open mismatch (-Log +ReadLog):\n%s", path, diff)
	}
	// Writes go on while a reader has read.
	mustCreate(t, e.Client("us"), "example.net")
	want := mustLog(t, e)
	if len(want) != 3 {
		t.Fatalf("Log() has %d entries, want 3", len(want))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	got, err = ReadLog(ctx, path)
	if err != nil {
		t.Fatalf("ReadLog(%q) after Close = %v", path, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadLog(%q) after Close mismatch (-want +got):\n%s", path, diff)
	}
}

func TestReadLogErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := ReadLog(context.Background(), missing); err == nil {
		t.Errorf("ReadLog(%q) = nil error, want one", missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("ReadLog(%q) created the file", missing)
	}
	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, []byte("not a database at all, just some text that is long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLog(context.Background(), other); err == nil {
		t.Errorf("ReadLog(%q) = nil error, want one", other)
	}
	if _, err := Open(other, Config{}); err == nil {
		t.Errorf("Open(%q) = nil error, want one", other)
	}
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{Clock: newFakeClock()})
	const n = 50
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			req := createReq("example.com")
			req.AuthInfo = fmt.Sprintf("auth-%d", i)
			_, errs[i] = e.Client(fmt.Sprintf("client-%d", i)).Create(context.Background(), req)
		})
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !registrar.IsKind(err, registrar.KindConflict):
			t.Errorf("Create(example.com) as client-%d = %v, want success or conflict", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d concurrent creates succeeded, want 1", winners, n)
	}
	l := mustLog(t, e)
	if len(l) != n {
		t.Errorf("Log() has %d entries, want %d", len(l), n)
	}
	svtrids := make(map[string]bool)
	for _, le := range l {
		svtrids[le.ServerTRID] = true
	}
	if len(svtrids) != n {
		t.Errorf("Log() has %d distinct svTRIDs, want %d", len(svtrids), n)
	}
}

func TestOpenInvalid(t *testing.T) {
	t.Parallel()
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Config{Delay: -time.Second}); err == nil {
		t.Error("Open with a negative delay = nil error, want one")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), Config{}); err == nil {
		t.Error("Open in a missing directory = nil error, want one")
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{})
	e.Close()
	if _, err := e.Client("us").Info(context.Background(), "example.com"); !registrar.IsKind(err, registrar.KindUnavailable) {
		t.Errorf("Info after Close = %v, want unavailable", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	e, err := Open(filepath.Join(t.TempDir(), "x.db"), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Delay() != DefaultDelay {
		t.Errorf("Delay() = %v, want %v", e.Delay(), DefaultDelay)
	}
	before := time.Now().UTC().Add(-time.Second)
	res, err := e.Client("us").Create(context.Background(), createReq("example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CreatedAt.Location() != time.UTC || res.CreatedAt.Before(before) {
		t.Errorf("CreatedAt = %v, want the current UTC time", res.CreatedAt)
	}
}
