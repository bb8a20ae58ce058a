package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestLifecycleRecords covers the lifecycle's records on both databases:
// the renewal state and status_since of a registration, one renewal per
// term, each notice once, the history (outliving the registration, the
// account's only) and the keyset scan.
func TestLifecycleRecords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		acct, _ := newAccount(t, db)
		other, _ := newAccount(t, db)
		in := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		// Twelve registrations, two sharing each expiry.
		for i := range 12 {
			exp := t0.AddDate(1, 0, i/2)
			g := &registrar.Registration{AccountID: acct.ID, Env: registrar.EnvLive, WorkflowID: fmt.Sprintf("wf%d", i),
				DomainName: fmt.Sprintf("d%02d.com", i), Status: registrar.RegistrationActive, CreatedAt: t0, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}
			in(func(tx *store.Tx) error {
				_, err := tx.ClaimDomain(ctx, g, 1)
				return err
			})
		}
		var seen []string
		var cur store.LifecycleCursor
		for {
			page, err := db.ScanLifecycle(ctx, registrar.EnvLive, []registrar.RegistrationStatus{registrar.RegistrationActive}, t0.AddDate(1, 0, 5), cur, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range page {
				seen = append(seen, g.DomainName)
			}
			if len(page) < 4 {
				break
			}
			cur = store.LifecycleCursor{Expires: *page[len(page)-1].ExpiresAt, Domain: page[len(page)-1].DomainName}
		}
		if len(seen) != 10 || seen[0] != "d00.com" || seen[9] != "d09.com" {
			t.Errorf("scan %q, want d00..d09 once each", seen)
		}

		// Renewal state and status_since.
		since := t0.Add(time.Hour)
		in(func(tx *store.Tx) error {
			g, err := tx.Registration(ctx, registrar.EnvLive, "d00.com")
			if err != nil {
				return err
			}
			g.Status = registrar.RegistrationExpired
			g.Renewal = &registrar.RenewalState{WorkflowID: "r1", State: registrar.StateFailed, ErrorCode: "registry_rejected", UpdatedAt: since}
			if err := tx.SaveRegistrationStatus(ctx, g, since); err != nil {
				return err
			}
			return tx.AddRegistrationEvent(ctx, g.Env, g.DomainName, g.AccountID, registrar.RegistrationEvent{At: since, Type: registrar.EventExpired, Status: g.Status, ExpiresAt: g.ExpiresAt})
		})
		g, err := db.Registration(ctx, acct.ID, registrar.EnvLive, "d00.com")
		if err != nil || g.Renewal == nil || g.Renewal.ErrorCode != "registry_rejected" || g.Status != registrar.RegistrationExpired {
			t.Fatalf("registration %+v (%v), want expired with its renewal state", g, err)
		}
		in(func(tx *store.Tx) error {
			lg, err := tx.LifecycleRegistration(ctx, registrar.EnvLive, "d00.com")
			if err == nil && !lg.StatusSince.Equal(since) {
				t.Errorf("status_since %s, want %s", lg.StatusSince, since)
			}
			return err
		})

		// One renewal per term; each notice once.
		in(func(tx *store.Tx) error {
			if ex, err := tx.ClaimRenewal(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "r1"); err != nil || ex != "" {
				t.Errorf("first claim: %q, %v", ex, err)
			}
			if ex, err := tx.ClaimRenewal(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "r2"); err != nil || ex != "r1" {
				t.Errorf("second claim: %q, %v; want r1", ex, err)
			}
			if ok, err := tx.ReplaceRenewal(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "r1", "r3"); err != nil || !ok {
				t.Errorf("replace: %v, %v", ok, err)
			}
			if ok, err := tx.ReplaceRenewal(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "r1", "r4"); err != nil || ok {
				t.Errorf("a stale replace: %v, %v; want refused", ok, err)
			}
			for i, want := range []bool{true, false} {
				if ok, err := tx.ClaimNotice(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "week", since); err != nil || ok != want {
					t.Errorf("notice claim %d: %v, %v; want %v", i, ok, err, want)
				}
			}
			return nil
		})

		// The history outlives the registration; it is the account's own.
		in(func(tx *store.Tx) error {
			if err := tx.DeleteRegistration(ctx, registrar.EnvLive, "d00.com", "wf0"); err != nil {
				return err
			}
			if err := tx.ForgetDomain(ctx, registrar.EnvLive, "d00.com"); err != nil {
				return err
			}
			return tx.AddRegistrationEvent(ctx, registrar.EnvLive, "d00.com", acct.ID, registrar.RegistrationEvent{At: since.Add(time.Hour), Type: registrar.EventDeleted, Status: "deleted"})
		})
		h, err := db.RegistrationHistory(ctx, acct.ID, registrar.EnvLive, "d00.com")
		if err != nil || len(h) != 2 || h[0].Type != registrar.EventExpired || h[1].Type != registrar.EventDeleted || h[0].ExpiresAt == nil {
			t.Errorf("history %+v (%v), want expired then deleted", h, err)
		}
		if _, err := db.RegistrationHistory(ctx, other.ID, registrar.EnvLive, "d00.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("another account's history: %v, want not found", err)
		}
		if h, err := db.RegistrationHistory(ctx, acct.ID, registrar.EnvLive, "d01.com"); err != nil || len(h) != 0 {
			t.Errorf("history without events: %v, %v; want empty", h, err)
		}
		in(func(tx *store.Tx) error {
			if ex, err := tx.ClaimRenewal(ctx, registrar.EnvLive, "d00.com", *g.ExpiresAt, "r9"); err != nil || ex != "" {
				t.Errorf("claim after the domain was forgotten: %q, %v", ex, err)
			}
			return nil
		})
	})
}
