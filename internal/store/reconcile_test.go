package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestRegistrationsDueForSync walks the due registrations a page at a
// time, never-checked first, skips those being registered, and records a
// check: registry_sync on the registration, a report row per difference,
// and a purge that deletes and releases the slot.
func TestRegistrationsDueForSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _, err := db.CreateAccount(ctx, "ada", nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		claim := func(domain string, status registrar.RegistrationStatus) {
			t.Helper()
			exp := t0.AddDate(1, 0, 0)
			g := &registrar.Registration{AccountID: acct.ID, Env: registrar.EnvLive, DomainName: domain, WorkflowID: "wf-" + domain,
				Status: status, CreatedAt: t0, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.ReserveDomainSlot(ctx, acct.ID, registrar.EnvLive, 10); err != nil {
					return err
				}
				_, err := tx.ClaimDomain(ctx, g, 1)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		claim("a.com", registrar.RegistrationActive)
		claim("b.com", registrar.RegistrationRedemptionPeriod)
		claim("c.com", registrar.RegistrationActive)
		claim("pending.com", registrar.RegistrationPending)

		due := func(before time.Time) []string {
			t.Helper()
			var names []string
			var cur store.SyncCursor
			for {
				page, next, err := db.RegistrationsDueForSync(ctx, registrar.EnvLive, before, cur, 2)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range page {
					names = append(names, g.DomainName)
				}
				if len(page) < 2 {
					return names
				}
				cur = next
			}
		}
		if got, want := due(t0), []string{"a.com", "b.com", "c.com"}; !cmp.Equal(got, want) {
			t.Fatalf("due = %q, want %q", got, want)
		}
		if n, err := db.CountSyncHeld(ctx); err != nil || n != 3 {
			t.Fatalf("CountSyncHeld = %d, %v; want 3", n, err)
		}

		at := t0.Add(time.Hour)
		newExp := t0.AddDate(2, 0, 0)
		sync := registrar.RegistrySync{State: registrar.SyncDiffers, CheckedAt: at, Differences: []registrar.SyncDifference{
			{Field: "expires_at", Ours: "2027-03-01T12:00:00Z", Registry: "2028-03-01T12:00:00Z", Action: registrar.SyncOursCorrected}}}
		record := func(r store.SyncResult) bool {
			t.Helper()
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
		if !record(store.SyncResult{Env: registrar.EnvLive, Domain: "a.com", AccountID: acct.ID, WorkflowID: "wf-a.com",
			Status: registrar.RegistrationActive, Sync: sync, Report: sync.Differences, NewExpiresAt: &newExp, DueBefore: at}) {
			t.Fatal("RecordSync(a.com) = false")
		}
		// A concurrent run's result about the same check is dropped: a.com
		// has been checked since that run read it as due.
		later := sync
		later.CheckedAt = at.Add(time.Second)
		if record(store.SyncResult{Env: registrar.EnvLive, Domain: "a.com", AccountID: acct.ID, WorkflowID: "wf-a.com",
			Status: registrar.RegistrationActive, Sync: later, Report: sync.Differences, NewExpiresAt: &newExp, DueBefore: at}) {
			t.Fatal("RecordSync(a.com, by a concurrent run) = true")
		}
		// A result about a registration that moved on is dropped.
		if record(store.SyncResult{Env: registrar.EnvLive, Domain: "c.com", AccountID: acct.ID, WorkflowID: "wf-c.com",
			Status: registrar.RegistrationExpired, Sync: sync}) {
			t.Fatal("RecordSync(c.com, stale status) = true")
		}
		if !record(store.SyncResult{Env: registrar.EnvLive, Domain: "b.com", AccountID: acct.ID, WorkflowID: "wf-b.com",
			Status: registrar.RegistrationRedemptionPeriod, Delete: true, Sync: registrar.RegistrySync{State: registrar.SyncMissing, CheckedAt: at},
			Report: []registrar.SyncDifference{{Field: "existence", Ours: "redemption_period", Registry: "not found", Action: registrar.SyncOursCorrected}}}) {
			t.Fatal("RecordSync(b.com, purge) = false")
		}

		g, err := db.Registration(ctx, acct.ID, registrar.EnvLive, "a.com")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&sync, g.RegistrySync); diff != "" || !g.ExpiresAt.Equal(newExp) {
			t.Errorf("a.com: registry_sync (-want +got):\n%s expires_at %v, want %v", diff, g.ExpiresAt, newExp)
		}
		if _, err := db.Registration(ctx, acct.ID, registrar.EnvLive, "b.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("b.com after purge: %v, want not found", err)
		}
		// Checked ones are due again only once their check is old enough.
		if got, want := due(at), []string{"c.com"}; !cmp.Equal(got, want) {
			t.Errorf("due after the checks = %q, want %q", got, want)
		}
		if got, want := due(at.Add(time.Second)), []string{"c.com", "a.com"}; !cmp.Equal(got, want) {
			t.Errorf("due a second later = %q, want %q", got, want)
		}

		report, err := db.SyncDifferences(ctx, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range report {
			got = append(got, d.Domain+" "+d.Field+" "+d.Action)
		}
		if want := []string{"b.com existence ours_corrected", "a.com expires_at ours_corrected"}; !cmp.Equal(got, want) {
			t.Errorf("report = %q, want %q", got, want)
		}
		if r, _ := db.SyncDifferences(ctx, registrar.EnvSandbox, 10); len(r) != 0 {
			t.Errorf("sandbox report = %v, want none", r)
		}
	})
}

// TestRecordSyncHistory: every change RecordSync makes to a registration
// is in its history, written in the same transaction; a check that
// changes nothing adds none, and a dropped result writes none.
func TestRecordSyncHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _, err := db.CreateAccount(ctx, "ada", nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		exp := t0.AddDate(1, 0, 0)
		claim := func(domain string, status registrar.RegistrationStatus) {
			t.Helper()
			g := &registrar.Registration{AccountID: acct.ID, Env: registrar.EnvLive, DomainName: domain, WorkflowID: "wf-" + domain,
				Status: status, CreatedAt: t0, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.ReserveDomainSlot(ctx, acct.ID, registrar.EnvLive, 10); err != nil {
					return err
				}
				_, err := tx.ClaimDomain(ctx, g, 1)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		at := t0.Add(time.Hour)
		record := func(domain string, status registrar.RegistrationStatus, state string, mutate func(*store.SyncResult), diffs ...registrar.SyncDifference) bool {
			t.Helper()
			r := store.SyncResult{Env: registrar.EnvLive, Domain: domain, AccountID: acct.ID, WorkflowID: "wf-" + domain, Status: status,
				Sync: registrar.RegistrySync{State: state, CheckedAt: at, Differences: diffs}, Report: diffs}
			if mutate != nil {
				mutate(&r)
			}
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
		history := func(domain string) []string {
			t.Helper()
			evs, err := db.RegistrationHistory(ctx, acct.ID, registrar.EnvLive, domain)
			if err != nil {
				t.Fatalf("history of %s: %v", domain, err)
			}
			var out []string
			for _, ev := range evs {
				if !ev.At.Equal(at) {
					t.Errorf("%s: event at %v, want %v", domain, ev.At, at)
				}
				s := ev.Type + " " + string(ev.Status) + " " + ev.Detail
				if ev.ExpiresAt != nil {
					s += " @" + ev.ExpiresAt.UTC().Format(time.RFC3339)
				}
				out = append(out, s)
			}
			return out
		}
		expS, newExp := exp.Format(time.RFC3339), exp.AddDate(1, 0, 0)
		newS := newExp.Format(time.RFC3339)

		claim("expiry.com", registrar.RegistrationActive)
		claim("missing.com", registrar.RegistrationActive)
		claim("foreign.com", registrar.RegistrationActive)
		claim("purged.com", registrar.RegistrationRedemptionPeriod)
		claim("back.com", registrar.RegistrationSuspended)
		claim("hold.com", registrar.RegistrationActive)

		ok := record("expiry.com", registrar.RegistrationActive, registrar.SyncDiffers, func(r *store.SyncResult) { r.NewExpiresAt = &newExp },
			registrar.SyncDifference{Field: "expires_at", Ours: expS, Registry: newS, Action: registrar.SyncOursCorrected})
		ok = ok && record("missing.com", registrar.RegistrationActive, registrar.SyncMissing,
			func(r *store.SyncResult) { r.NewStatus = registrar.RegistrationSuspended },
			registrar.SyncDifference{Field: "existence", Ours: "active", Registry: "not found", Action: registrar.SyncOursCorrected})
		ok = ok && record("foreign.com", registrar.RegistrationActive, registrar.SyncForeign,
			func(r *store.SyncResult) { r.NewStatus = registrar.RegistrationSuspended },
			registrar.SyncDifference{Field: "sponsor", Ours: "us", Registry: "other-registrar", Action: registrar.SyncOursCorrected})
		ok = ok && record("purged.com", registrar.RegistrationRedemptionPeriod, registrar.SyncMissing,
			func(r *store.SyncResult) { r.Delete = true },
			registrar.SyncDifference{Field: "existence", Ours: "redemption_period", Registry: "not found", Action: registrar.SyncOursCorrected})
		ok = ok && record("back.com", registrar.RegistrationSuspended, registrar.SyncDiffers,
			func(r *store.SyncResult) { r.NewStatus = registrar.RegistrationActive },
			registrar.SyncDifference{Field: "sponsor", Ours: "suspended", Registry: "us", Action: registrar.SyncOursCorrected})
		// Recorded, not acted on: no change, no event.
		ok = ok && record("hold.com", registrar.RegistrationActive, registrar.SyncDiffers, nil,
			registrar.SyncDifference{Field: "status:serverHold", Ours: "absent", Registry: "present", Action: registrar.SyncRecorded})
		if !ok {
			t.Fatal("a RecordSync was dropped")
		}
		// The same finding again on the suspended one changes nothing.
		if !record("missing.com", registrar.RegistrationSuspended, registrar.SyncMissing, nil,
			registrar.SyncDifference{Field: "existence", Ours: "active", Registry: "not found", Action: registrar.SyncOursCorrected}) {
			t.Fatal("second RecordSync(missing.com) dropped")
		}
		// A stale result writes no event either.
		if record("hold.com", registrar.RegistrationExpired, registrar.SyncMissing, func(r *store.SyncResult) { r.NewStatus = registrar.RegistrationSuspended }) {
			t.Fatal("stale RecordSync(hold.com) = true")
		}

		for domain, want := range map[string][]string{
			"expiry.com":  {"reconciled active expires_at: " + expS + " → " + newS + " @" + newS},
			"missing.com": {"registry_missing suspended not found at the registry: active → suspended @" + expS},
			"foreign.com": {"registry_missing suspended sponsored by other-registrar at the registry: active → suspended @" + expS},
			"purged.com":  {"deleted deleted purged by the registry after its redemption period @" + expS},
			"back.com":    {"reconciled active status: suspended → active @" + expS},
			"hold.com":    nil,
		} {
			if got := history(domain); !cmp.Equal(got, want) {
				t.Errorf("history of %s = %q, want %q", domain, got, want)
			}
		}
	})
}
