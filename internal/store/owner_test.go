package store_test

import (
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestDomainContacts: a domain's changed contacts and its transfer lock
// are stored, replaced and read back on both databases; a domain never
// changed is not found.
func TestDomainContacts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		db := storetest.Open(t, b)
		ctx := t.Context()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		if _, err := db.DomainContacts(ctx, registrar.EnvLive, "example.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Fatalf("before any change: %v, want not found", err)
		}
		c := store.DomainContacts{Env: registrar.EnvLive, Domain: "example.com", AccountID: "acct", WorkflowID: "wf1", ChangedAt: now,
			Contacts:          registrar.Contacts{Registrant: &registrar.Contact{Email: "grace@example.net", PostalInfo: registrar.PostalInfo{Name: "Grace"}}},
			TransferLockUntil: now.Add(registrar.TransferLockAfterChange)}
		for _, save := range []store.DomainContacts{c, func() store.DomainContacts { c.WorkflowID = "wf2"; return c }()} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveDomainContacts(ctx, save) }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.DomainContacts(ctx, registrar.EnvLive, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.WorkflowID != "wf2" || got.Contacts.Registrant.Email != "grace@example.net" || !got.TransferLockUntil.Equal(c.TransferLockUntil) || !got.ChangedAt.Equal(now) {
			t.Errorf("read back %+v", got)
		}
		if !got.TransferLocked(now.Add(59*24*time.Hour)) || got.TransferLocked(now.Add(60*24*time.Hour)) {
			t.Error("the lock does not hold exactly 60 days")
		}
		if _, err := db.DomainContacts(ctx, registrar.EnvSandbox, "example.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("another environment: %v, want not found", err)
		}
	})
}
