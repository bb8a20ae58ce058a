package store_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/faultproxy"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// An outage is not a bug: with the database out of reach, reads, writes
// and authentication fail with KindUnavailable (the API's 503 with
// Retry-After), never KindInternal (a 500 and an ERROR line).
func TestOutageIsUnavailable(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, db *store.DB, token string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := db.Authenticate(ctx, registrar.HashSecret(token))
		if !registrar.IsKind(err, registrar.KindUnavailable) {
			t.Errorf("Authenticate during the outage: %v, want unavailable", err)
		}
		_, err = db.Verification(ctx, registrar.HashSecret("code"))
		if !registrar.IsKind(err, registrar.KindUnavailable) {
			t.Errorf("Verification during the outage: %v, want unavailable", err)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, newWorkflow("a", "down.com", t0)) })
		if !registrar.IsKind(err, registrar.KindUnavailable) {
			t.Errorf("InTx during the outage: %v, want unavailable", err)
		}
	}
	t.Run("sqlite closed under the server", func(t *testing.T) {
		t.Parallel()
		db := storetest.Open(t, storetest.SQLite)
		_, token := newAccount(t, db)
		db.Close()
		check(t, db, token)
	})
	t.Run("postgres unreachable", func(t *testing.T) {
		t.Parallel()
		u, err := url.Parse(storetest.NewPostgresDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		proxy, err := faultproxy.Start(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer proxy.Close()
		u.Host = proxy.Addr()
		ctx := context.Background()
		db, err := store.Open(ctx, store.Config{DatabaseURL: u.String()})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		_, token := newAccount(t, db)
		// The server goes away: open connections drop, new ones are refused.
		proxy.Set(faultproxy.Faults{Refuse: true})
		proxy.DropConnections()
		check(t, db, token)
	})
}
