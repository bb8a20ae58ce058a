package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestWorkflowEvents: a workflow's start and each visible change write a
// workflow.state_changed event with its status as the API renders it, in
// the same transaction: a transaction that fails writes neither the
// change nor its event, and a save that changes nothing visible writes
// none. IDs grow in commit order.
func TestWorkflowEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		events := func() []registrar.Event {
			t.Helper()
			es, err := db.EventsAfter(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		wantLast := func(what string, n int, wf *registrar.Workflow, typ string) {
			t.Helper()
			es := events()
			if len(es) != n {
				t.Fatalf("%s: %d events, want %d", what, len(es), n)
			}
			e := es[n-1]
			want, err := registrar.StatusJSON(wf)
			if err != nil {
				t.Fatal(err)
			}
			if e.Type != typ || e.AccountID != acct.ID || e.Env != wf.Env || e.Domain != wf.Domain || string(e.Data) != string(want) {
				t.Errorf("%s: last event %s %s %s %s %s, want %s %s %s %s %s", what, e.Type, e.AccountID, e.Env, e.Domain, e.Data,
					typ, acct.ID, wf.Env, wf.Domain, want)
			}
			for i := 1; i < len(es); i++ {
				if es[i].ID <= es[i-1].ID {
					t.Errorf("event IDs %d then %d, want increasing", es[i-1].ID, es[i].ID)
				}
			}
		}
		boom := errors.New("boom")

		// A failed transaction writes neither the workflow nor its event.
		lost := newWorkflow(acct.ID, "lost.com", t0)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWorkflow(ctx, lost); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if es := events(); len(es) != 0 {
			t.Fatalf("after a rolled-back insert: %d events, want 0", len(es))
		}

		wf := newWorkflow(acct.ID, "a.com", t0)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		wantLast("insert", 1, wf, registrar.EventWorkflowChanged)

		// A save of the same state and context (a step's bookkeeping) is
		// invisible: no event.
		wf.Step = "next"
		wf.UpdatedAt = t0.Add(1)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		if es := events(); len(es) != 1 {
			t.Fatalf("after an invisible save: %d events, want 1", len(es))
		}

		// A new state is an event; a rolled-back one is not.
		saved := *wf
		wf.State = registrar.StateInProgress
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.SaveWorkflow(ctx, wf); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if es := events(); len(es) != 1 {
			t.Fatalf("after a rolled-back save: %d events, want 1", len(es))
		}
		*wf = saved
		wf.State = registrar.StateInProgress
		wf.UpdatedAt = t0.Add(2)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		wantLast("state change", 2, wf, registrar.EventWorkflowChanged)

		// A new context alone is an event.
		wf.Context = []byte(`{"domain_name":"a.com","detail":"waiting"}`)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		wantLast("context change", 3, wf, registrar.EventWorkflowChanged)

		// A save that loses the race (a stale version) writes nothing.
		stale := *wf
		stale.Version--
		stale.State = registrar.StateFailed
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, &stale) }); !registrar.IsKind(err, registrar.KindConflict) {
			t.Fatalf("stale SaveWorkflow = %v, want a conflict", err)
		}
		if es := events(); len(es) != 3 {
			t.Fatalf("after a conflicting save: %d events, want 3", len(es))
		}

		// An outbound transfer's start is also transfer_out.requested.
		out := newWorkflow(acct.ID, "b.com", t0)
		out.Kind, out.State = registrar.WorkflowTransferOut, registrar.StateBlocked
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, out) }); err != nil {
			t.Fatal(err)
		}
		wantLast("transfer out", 5, out, registrar.EventTransferOutRequested)
		if es := events(); es[3].Type != registrar.EventWorkflowChanged {
			t.Errorf("transfer out: events %s then %s, want %s first", es[3].Type, es[4].Type, registrar.EventWorkflowChanged)
		}
	})
}

// TestEventFeedReads: an account's events in one environment, oldest
// first after a position, and retention, which deletes a prefix of the
// feed and records how far.
func TestEventFeedReads(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		other, _ := newAccount(t, db)
		insert := func(accountID string, env registrar.Env, domain string, at time.Time) *registrar.Workflow {
			t.Helper()
			wf := newWorkflow(accountID, domain, at)
			wf.Env = env
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
				t.Fatal(err)
			}
			return wf
		}
		insert(acct.ID, registrar.EnvLive, "a1.com", t0)
		insert(other.ID, registrar.EnvLive, "o1.com", t0)
		insert(acct.ID, registrar.EnvSandbox, "s1.com", t0)
		insert(acct.ID, registrar.EnvLive, "a2.com", t0.Add(2*time.Hour))
		insert(acct.ID, registrar.EnvLive, "a3.com", t0.Add(3*time.Hour))
		domains := func(p registrar.EventPage) []string {
			var ds []string
			for _, e := range p.Events {
				ds = append(ds, e.Domain)
			}
			return ds
		}
		page, err := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := domains(page); !slices.Equal(got, []string{"a1.com", "a2.com", "a3.com"}) || page.PrunedThrough != 0 {
			t.Fatalf("Events(live, 0) = %q pruned through %d, want a1 a2 a3, none pruned", got, page.PrunedThrough)
		}
		next, err := db.Events(ctx, acct.ID, registrar.EnvLive, page.Events[0].ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := domains(next); !slices.Equal(got, []string{"a2.com"}) {
			t.Errorf("Events(live, after a1, limit 1) = %q, want a2", got)
		}
		sb, err := db.Events(ctx, acct.ID, registrar.EnvSandbox, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := domains(sb); !slices.Equal(got, []string{"s1.com"}) {
			t.Errorf("Events(sandbox, 0) = %q, want s1", got)
		}

		// Retention deletes the events before the cutoff, every account's,
		// and records the highest ID it deleted.
		n, err := db.PruneEvents(ctx, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("PruneEvents = %d, want 3 (a1, o1, s1)", n)
		}
		page, err = db.Events(ctx, acct.ID, registrar.EnvLive, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		all, err := db.EventsAfter(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := domains(page); !slices.Equal(got, []string{"a2.com", "a3.com"}) || page.PrunedThrough == 0 || page.PrunedThrough >= page.Events[0].ID {
			t.Errorf("after pruning: Events = %q pruned through %d, want a2 a3 pruned through an ID below a2's", got, page.PrunedThrough)
		}
		if len(all) != 2 {
			t.Errorf("after pruning: %d events left, want 2", len(all))
		}
		// Pruning again with nothing to delete keeps the mark.
		if n, err := db.PruneEvents(ctx, t0.Add(time.Hour)); err != nil || n != 0 {
			t.Errorf("PruneEvents again = %d, %v, want 0, nil", n, err)
		}
		again, err := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 10)
		if err != nil || again.PrunedThrough != page.PrunedThrough {
			t.Errorf("mark after a second prune = %d, %v, want %d", again.PrunedThrough, err, page.PrunedThrough)
		}
	})
}

// TestListWorkflows: newest first, filtered, paginated by a cursor that
// resumes where the page ended.
func TestListWorkflows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		other, _ := newAccount(t, db)
		for i, d := range []string{"a.com", "b.com", "c.com", "d.com", "e.com"} {
			wf := newWorkflow(acct.ID, d, t0.Add(time.Duration(i)*time.Minute))
			if i%2 == 1 {
				wf.Kind, wf.State = registrar.WorkflowUpdate, registrar.StateSucceeded
			}
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, newWorkflow(other.ID, "x.com", t0)) }); err != nil {
			t.Fatal(err)
		}
		list := func(opts registrar.WorkflowListOptions) []string {
			t.Helper()
			var ds []string
			for {
				page, err := db.ListWorkflows(ctx, acct.ID, registrar.EnvLive, opts)
				if err != nil {
					t.Fatalf("ListWorkflows(%+v): %v", opts, err)
				}
				for _, w := range page.Items {
					ds = append(ds, w.Domain)
				}
				if page.Next == "" {
					return ds
				}
				opts.Cursor = page.Next
			}
		}
		for _, tc := range []struct {
			name string
			opts registrar.WorkflowListOptions
			want []string
		}{
			{"all", registrar.WorkflowListOptions{}, []string{"e.com", "d.com", "c.com", "b.com", "a.com"}},
			{"pages of two", registrar.WorkflowListOptions{PerPage: 2}, []string{"e.com", "d.com", "c.com", "b.com", "a.com"}},
			{"kind", registrar.WorkflowListOptions{Kind: registrar.WorkflowUpdate, PerPage: 1}, []string{"d.com", "b.com"}},
			{"state", registrar.WorkflowListOptions{State: registrar.StatePending}, []string{"e.com", "c.com", "a.com"}},
			{"domain", registrar.WorkflowListOptions{Domain: "c.com"}, []string{"c.com"}},
			{"since", registrar.WorkflowListOptions{Since: t0.Add(3 * time.Minute)}, []string{"e.com", "d.com"}},
		} {
			if got := list(tc.opts); !slices.Equal(got, tc.want) {
				t.Errorf("%s: ListWorkflows = %q, want %q", tc.name, got, tc.want)
			}
		}
		if _, err := db.ListWorkflows(ctx, acct.ID, registrar.EnvLive, registrar.WorkflowListOptions{Cursor: "nonsense"}); !registrar.IsKind(err, registrar.KindInvalid) {
			t.Errorf("ListWorkflows(bad cursor) = %v, want invalid", err)
		}
	})
}

// TestRegistrationEvents: a new registration and each change of its
// status write registration.status_changed with the registration as GET
// registrations/{domain} renders it; a save that keeps the status writes
// none.
func TestRegistrationEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		in := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		check := func(what string, n int) {
			t.Helper()
			page, err := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Events) != n {
				t.Fatalf("%s: %d events, want %d", what, len(page.Events), n)
			}
			e := page.Events[n-1]
			g, err := db.Registration(ctx, acct.ID, registrar.EnvLive, "r.com")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(g)
			if e.Type != registrar.EventRegistrationChanged || string(e.Data) != string(want) {
				t.Errorf("%s: last event %s %s, want %s %s", what, e.Type, e.Data, registrar.EventRegistrationChanged, want)
			}
		}
		g := &registrar.Registration{AccountID: acct.ID, Env: registrar.EnvLive, WorkflowID: "wf1", DomainName: "r.com",
			Status: registrar.RegistrationPending, CreatedAt: t0, PrivacyMode: registrar.PrivacyRedaction}
		in(func(tx *store.Tx) error {
			_, err := tx.ClaimDomain(ctx, g, 1)
			return err
		})
		check("claim", 1)
		g.AutoRenew = true
		in(func(tx *store.Tx) error { return tx.SaveRegistration(ctx, g) })
		if page, _ := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 100); len(page.Events) != 1 {
			t.Fatalf("after a save of the same status: %d events, want 1", len(page.Events))
		}
		g.Status = registrar.RegistrationActive
		in(func(tx *store.Tx) error { return tx.SaveRegistrationStatus(ctx, g, t0.Add(time.Minute)) })
		check("active", 2)
	})
}

// TestReconciliationEvents: a recorded check writes drift_found with its
// new differences, and status_changed when it changes the status; a
// check dropped (the registration moved on) writes neither.
func TestReconciliationEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		exp := t0.AddDate(1, 0, 0)
		g := &registrar.Registration{AccountID: acct.ID, Env: registrar.EnvLive, DomainName: "d.com", WorkflowID: "wf-d",
			Status: registrar.RegistrationActive, CreatedAt: t0, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ClaimDomain(ctx, g, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		diff := registrar.SyncDifference{Field: "existence", Ours: "present", Registry: "absent", Action: registrar.SyncOursCorrected}
		record := func(status registrar.RegistrationStatus) bool {
			t.Helper()
			r := store.SyncResult{Env: registrar.EnvLive, Domain: "d.com", AccountID: acct.ID, WorkflowID: "wf-d", Status: status,
				NewStatus: registrar.RegistrationSuspended, Report: []registrar.SyncDifference{diff},
				Sync: registrar.RegistrySync{State: registrar.SyncMissing, CheckedAt: t0.Add(time.Hour), Differences: []registrar.SyncDifference{diff}}}
			var ok bool
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				ok, err = tx.RecordSync(ctx, r)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		types := func() []string {
			t.Helper()
			page, err := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var ts []string
			for _, e := range page.Events {
				ts = append(ts, e.Type)
			}
			return ts
		}
		if record(registrar.RegistrationPending) { // not the status it has: dropped
			t.Fatal("RecordSync of a stale status was recorded")
		}
		if got := types(); len(got) != 1 {
			t.Fatalf("after a dropped check: events %q, want the claim's alone", got)
		}
		if !record(registrar.RegistrationActive) {
			t.Fatal("RecordSync was dropped")
		}
		want := []string{registrar.EventRegistrationChanged, registrar.EventReconciliationDrift, registrar.EventRegistrationChanged}
		if got := types(); !slices.Equal(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
		page, _ := db.Events(ctx, acct.ID, registrar.EnvLive, 0, 100)
		var drift struct {
			DomainName  string                     `json:"domain_name"`
			Differences []registrar.SyncDifference `json:"differences"`
		}
		if err := json.Unmarshal(page.Events[1].Data, &drift); err != nil || drift.DomainName != "d.com" || len(drift.Differences) != 1 || drift.Differences[0] != diff {
			t.Errorf("drift data %s (%v), want d.com with the difference", page.Events[1].Data, err)
		}
		var now registrar.Registration
		if err := json.Unmarshal(page.Events[2].Data, &now); err != nil || now.Status != registrar.RegistrationSuspended {
			t.Errorf("status event data %s (%v), want suspended", page.Events[2].Data, err)
		}
	})
}
