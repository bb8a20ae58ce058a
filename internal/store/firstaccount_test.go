package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestCreateFirstAccountOnce: servers starting at once on one empty
// database (each with its own connections, as replicas are) create one
// first account between them, and none on a database that has one.
func TestCreateFirstAccountOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		cfg := storetest.Config(t, b)
		const servers = 8
		dbs := make([]*store.DB, servers)
		for i := range dbs {
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			dbs[i] = db
		}
		for round := range 2 {
			var wg sync.WaitGroup
			var mu sync.Mutex
			created := 0
			start := make(chan struct{})
			for _, db := range dbs {
				wg.Go(func() {
					<-start
					_, token, ok, err := db.CreateFirstAccount(ctx, "sandbox", nil, time.Now())
					if err != nil {
						t.Errorf("CreateFirstAccount: %v", err)
					}
					if ok != (token != "") {
						t.Errorf("CreateFirstAccount: ok %v with token %q", ok, token)
					}
					if ok {
						mu.Lock()
						created++
						mu.Unlock()
					}
				})
			}
			close(start)
			wg.Wait()
			want := 1
			if round > 0 {
				want = 0
			}
			if created != want {
				t.Errorf("round %d: %d servers created the first account, want %d", round, created, want)
			}
			if n, err := dbs[0].CountAccounts(ctx); err != nil || n != 1 {
				t.Errorf("round %d: %d accounts (%v), want 1", round, n, err)
			}
		}
	})
}

// TestCreateUniqueAccount: a second account of one name is refused,
// naming the first; CreateAccount still allows it.
func TestCreateUniqueAccount(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db, err := store.Open(ctx, storetest.Config(t, b))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		first, _, err := db.CreateUniqueAccount(ctx, "acme", nil, at)
		if err != nil {
			t.Fatal(err)
		}
		_, token, err := db.CreateUniqueAccount(ctx, "acme", nil, at.Add(time.Hour))
		want := `an account named "acme" exists already (ID ` + first.ID + `, created 2026-01-02T03:04:05Z)`
		if !registrar.IsKind(err, registrar.KindConflict) || registrar.AsError(err).Message != want || token != "" {
			t.Errorf("CreateUniqueAccount(acme) again = %q, %v; want KindConflict %q", token, err, want)
		}
		if _, _, err := db.CreateUniqueAccount(ctx, "acme2", nil, at); err != nil {
			t.Errorf("CreateUniqueAccount(acme2) = %v", err)
		}
		if _, _, err := db.CreateAccount(ctx, "acme", nil, at); err != nil {
			t.Errorf("CreateAccount(acme), a duplicate allowed = %v", err)
		}
	})
}
