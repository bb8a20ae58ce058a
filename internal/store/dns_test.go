package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestRegistrationDNS: a registration's nameservers and dnssec are absent
// until set, each set alone leaves the other, and DNSSEC off reads back
// as no records, not as absent.
func TestRegistrationDNS(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		read := func() *registrar.Registration {
			t.Helper()
			var g *registrar.Registration
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				g, err = tx.Registration(ctx, registrar.EnvLive, "dns.com")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return g
		}
		set := func(ns []string, d *registrar.DNSSEC) error {
			return db.InTx(ctx, func(tx *store.Tx) error { return tx.SetRegistrationDNS(ctx, registrar.EnvLive, "dns.com", ns, d) })
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ClaimDomain(ctx, &registrar.Registration{AccountID: a.ID, Env: registrar.EnvLive, WorkflowID: registrar.NewID(), DomainName: "dns.com",
				Status: registrar.RegistrationActive, CreatedAt: t0, PrivacyMode: registrar.PrivacyRedaction}, 1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if g := read(); g.Nameservers != nil || g.DNSSEC != nil {
			t.Fatalf("new registration has %q %+v", g.Nameservers, g.DNSSEC)
		}
		ns := []string{"ns1.example.net", "ns2.example.net"}
		ds := registrar.DSRecord{KeyTag: 1, Algorithm: 13, DigestType: 2, Digest: "AB"}
		if err := set(ns, nil); err != nil {
			t.Fatal(err)
		}
		if err := set(nil, &registrar.DNSSEC{DSRecords: []registrar.DSRecord{ds}}); err != nil {
			t.Fatal(err)
		}
		g := read()
		if !cmp.Equal(g.Nameservers, ns) || g.DNSSEC == nil || !cmp.Equal(g.DNSSEC.DSRecords, []registrar.DSRecord{ds}) {
			t.Errorf("read %q %+v", g.Nameservers, g.DNSSEC)
		}
		if err := set(nil, &registrar.DNSSEC{}); err != nil {
			t.Fatal(err)
		}
		if g := read(); g.DNSSEC == nil || g.DNSSEC.DSRecords == nil || len(g.DNSSEC.DSRecords) != 0 || !cmp.Equal(g.Nameservers, ns) {
			t.Errorf("after DNSSEC off: %q %+v", g.Nameservers, g.DNSSEC)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetRegistrationDNS(ctx, registrar.EnvLive, "none.com", ns, nil) }); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("unknown registration: %v", err)
		}
	})
}
