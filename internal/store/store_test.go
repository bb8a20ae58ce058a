package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newAccount(t *testing.T, db *store.DB) (registrar.Account, string) {
	t.Helper()
	acct, token, err := db.CreateAccount(context.Background(), "test", nil, t0)
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return acct, token
}

func newWorkflow(acct, domain string, created time.Time) *registrar.Workflow {
	return &registrar.Workflow{
		ID: registrar.NewID(), AccountID: acct, Env: registrar.EnvLive, Kind: registrar.WorkflowRegistration, Domain: domain,
		State: registrar.StatePending, Step: "start", Context: []byte(`{"domain_name":"` + domain + `"}`), Data: []byte(`{}`),
		CreatedAt: created, UpdatedAt: created, Deadline: created.Add(time.Hour),
	}
}

func TestAccountsAndTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		contact := &registrar.Contact{Email: "ada@example.com", Phone: "+44.2071234567"}
		acct, token, err := db.CreateAccount(ctx, "Ada", contact, t0)
		if err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		if !registrar.ValidID(acct.ID) || !registrar.LooksLikeToken(token) {
			t.Fatalf("CreateAccount = %q, %q: want a 32-hex ID and a token", acct.ID, token)
		}
		p, err := db.Authenticate(ctx, registrar.HashSecret(token))
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		if p.AccountID != acct.ID || !p.Can(registrar.ScopeRead) || !p.Can(registrar.ScopeWrite) {
			t.Errorf("Authenticate = %+v, want account %s with read and write", p, acct.ID)
		}
		if _, err := db.Authenticate(ctx, registrar.HashSecret(token+"x")); !registrar.IsKind(err, registrar.KindUnauthorized) {
			t.Errorf("Authenticate(wrong) error = %v, want unauthorized", err)
		}
		got, err := db.Account(ctx, acct.ID)
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		if diff := cmp.Diff(acct, got); diff != "" {
			t.Errorf("Account mismatch (-created +read):\n%s", diff)
		}
		if b == storetest.SQLite {
			// The token itself must not be anywhere on disk.
			dir := filepath.Dir(storetestPath(t, db))
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				if bytes.Contains(raw, []byte(token)) {
					t.Errorf("the API token is stored in plain text in %s", e.Name())
				}
			}
		}
	})
}

// storetestPath finds the SQLite file behind db through its pragma.
func storetestPath(t *testing.T, db *store.DB) string {
	t.Helper()
	var seq int
	var name, file string
	if err := db.SQLite().QueryRow("PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		t.Fatalf("database_list: %v", err)
	}
	return file
}

func TestClaimDomainAndQuota(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		other, _ := newAccount(t, db)
		claim := func(acct, domain string) (*registrar.Registration, error) {
			var holder *registrar.Registration
			err := db.InTx(ctx, func(tx *store.Tx) error {
				g := &registrar.Registration{AccountID: acct, Env: registrar.EnvLive, WorkflowID: registrar.NewID(), DomainName: domain,
					Status: registrar.RegistrationPending, CreatedAt: t0, Locked: true, PrivacyMode: registrar.PrivacyRedaction}
				var err error
				if holder, err = tx.ClaimDomain(ctx, g, 1); err != nil || holder != nil {
					return err
				}
				return tx.ReserveDomainSlot(ctx, acct, registrar.EnvLive, 2)
			})
			return holder, err
		}
		for _, d := range []string{"one.com", "two.com"} {
			if h, err := claim(a.ID, d); err != nil || h != nil {
				t.Fatalf("claim(%s) = %v, %v; want a new claim", d, h, err)
			}
		}
		if h, err := claim(other.ID, "one.com"); err != nil || h == nil || h.AccountID != a.ID {
			t.Errorf("claim(one.com) by another account = %+v, %v; want the holder", h, err)
		}
		if _, err := claim(a.ID, "three.com"); !registrar.IsKind(err, registrar.KindQuota) {
			t.Errorf("claim over quota error = %v, want quota", err)
		}
		if _, err := db.Registration(ctx, a.ID, registrar.EnvLive, "three.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("a claim refused for quota left a registration behind: %v", err)
		}
		// Giving a domain back frees its slot.
		g, err := db.Registration(ctx, a.ID, registrar.EnvLive, "two.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.DeleteRegistration(ctx, registrar.EnvLive, "two.com", g.WorkflowID)
		}); err != nil {
			t.Fatal(err)
		}
		if h, err := claim(a.ID, "three.com"); err != nil || h != nil {
			t.Errorf("claim after release = %v, %v; want a new claim", h, err)
		}
		// Other accounts and the sandbox have their own counts.
		if _, err := db.Registration(ctx, other.ID, registrar.EnvLive, "one.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("Registration(other account) error = %v, want not found", err)
		}
	})
}

func TestConcurrentClaimsTakeOneSlotEach(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		const max = 5
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for i := range 20 {
			wg.Go(func() {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					g := &registrar.Registration{AccountID: a.ID, Env: registrar.EnvLive, WorkflowID: registrar.NewID(), DomainName: fmt.Sprintf("d%d.com", i),
						Status: registrar.RegistrationPending, CreatedAt: t0, PrivacyMode: registrar.PrivacyRedaction}
					if _, err := tx.ClaimDomain(ctx, g, 1); err != nil {
						return err
					}
					return tx.ReserveDomainSlot(ctx, a.ID, registrar.EnvLive, max)
				})
				if err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				} else if !registrar.IsKind(err, registrar.KindQuota) {
					t.Errorf("claim %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		page, err := db.ListRegistrations(ctx, a.ID, registrar.EnvLive, registrar.ListOptions{PerPage: registrar.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		if won != max || len(page.Items) != max {
			t.Errorf("20 concurrent claims with a limit of %d: %d succeeded, %d stored", max, won, len(page.Items))
		}
	})
}

func TestSaveWorkflowDetectsConcurrentChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "race.com", t0)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		first, second := *wf, *wf
		first.State, second.State = registrar.StateInProgress, registrar.StateFailed
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, &first) }); err != nil {
			t.Fatalf("first SaveWorkflow: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, &second) }); !registrar.IsKind(err, registrar.KindConflict) {
			t.Fatalf("second SaveWorkflow from the same version: error = %v, want conflict", err)
		}
		got, err := db.RegistrationStatus(ctx, a.ID, registrar.EnvLive, "race.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != registrar.StateInProgress || got.Version != 2 {
			t.Errorf("after the race: state %s version %d, want in_progress version 2", got.State, got.Version)
		}
		if _, err := db.RegistrationStatus(ctx, registrar.NewID(), registrar.EnvLive, "race.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("RegistrationStatus for another account: error = %v, want not found", err)
		}
		if _, err := db.RegistrationStatus(ctx, a.ID, registrar.EnvSandbox, "race.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("RegistrationStatus in the sandbox: error = %v, want not found", err)
		}
	})
}

// TestLostRaceFailsItsTransaction: a SaveWorkflow that lost a race fails
// its whole transaction, with what was written before and after it. On
// PostgreSQL the update is queued and goes out with the next statement
// (River's, here), which then returns the conflict.
func TestLostRaceFailsItsTransaction(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "race.com", t0)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		winner, loser := *wf, *wf
		winner.State, loser.State = registrar.StateInProgress, registrar.StateFailed
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, &winner) }); err != nil {
			t.Fatal(err)
		}
		other := newWorkflow(a.ID, "other.com", t0)
		var next error
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWorkflow(ctx, other); err != nil {
				return err
			}
			if err := tx.SaveWorkflow(ctx, &loser); err != nil {
				return err
			}
			if p := tx.PgxTx(); p != nil {
				_, next = p.Exec(ctx, "SELECT 1") // as River's InsertTx would
				return next
			}
			return nil
		})
		if !registrar.IsKind(err, registrar.KindConflict) {
			t.Fatalf("InTx with a SaveWorkflow that lost the race: error = %v, want conflict", err)
		}
		if b == storetest.Postgres && !registrar.IsKind(next, registrar.KindConflict) {
			t.Errorf("the statement after the lost race: error = %v, want the conflict", next)
		}
		if loser.Version != 1 {
			t.Errorf("the loser's version = %d, want 1 (unchanged)", loser.Version)
		}
		if _, err := db.RegistrationStatus(ctx, a.ID, registrar.EnvLive, "other.com"); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("the workflow inserted before the lost race: error = %v, want not found (rolled back)", err)
		}
		got, err := db.RegistrationStatus(ctx, a.ID, registrar.EnvLive, "race.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != registrar.StateInProgress || got.Version != 2 {
			t.Errorf("after the race: state %s version %d, want in_progress version 2", got.State, got.Version)
		}
	})
}

func TestWorkflowRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "round.com", t0.Add(123456*time.Microsecond))
		wf.ErrorCode, wf.ErrorMessage, wf.RegistryTRID = "x", "y", "OR-1"
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, wf) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.WorkflowByID(ctx, wf.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wf, got); diff != "" {
			t.Errorf("Workflow round trip (-stored +read):\n%s", diff)
		}
		// API reads leave the private data out.
		public := *wf
		public.Data = nil
		for name, read := range map[string]func() (*registrar.Workflow, error){
			"Workflow": func() (*registrar.Workflow, error) { return db.Workflow(ctx, a.ID, wf.ID) },
			"RegistrationStatus": func() (*registrar.Workflow, error) {
				return db.RegistrationStatus(ctx, a.ID, registrar.EnvLive, "round.com")
			},
		} {
			got, err := read()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if diff := cmp.Diff(&public, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}
		if _, err := db.Workflow(ctx, registrar.NewID(), wf.ID); !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("Workflow by another account: error = %v, want not found", err)
		}
		var byTRID *registrar.Workflow
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			byTRID, err = tx.WorkflowByRegistryTRID(ctx, "OR-1")
			return err
		}); err != nil || byTRID.ID != wf.ID {
			t.Errorf("WorkflowByRegistryTRID = %v, %v; want %s", byTRID, err, wf.ID)
		}
		var overdue []*registrar.Workflow
		db.InTx(ctx, func(tx *store.Tx) error {
			overdue, err = tx.OverdueWorkflows(ctx, registrar.EnvLive, t0.Add(2*time.Hour), 10)
			return err
		})
		if len(overdue) != 1 || overdue[0].ID != wf.ID {
			t.Errorf("OverdueWorkflows = %v, %v; want the one workflow", overdue, err)
		}
	})
}

func TestListRegistrationsPaginates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		other, _ := newAccount(t, db)
		const n = 23
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := range n {
				g := &registrar.Registration{AccountID: a.ID, Env: registrar.EnvLive, WorkflowID: registrar.NewID(),
					DomainName: fmt.Sprintf("d%02d.com", (i*7)%n), Status: registrar.RegistrationActive,
					CreatedAt: t0.Add(time.Duration(i%5) * time.Hour), PrivacyMode: registrar.PrivacyRedaction}
				if i%4 != 0 {
					exp := t0.AddDate(1+i%3, 0, 0)
					g.ExpiresAt = &exp
				} else {
					g.Status = registrar.RegistrationPending
				}
				if _, err := tx.ClaimDomain(ctx, g, 1); err != nil {
					return err
				}
			}
			g := &registrar.Registration{AccountID: other.ID, Env: registrar.EnvLive, WorkflowID: registrar.NewID(), DomainName: "theirs.com",
				Status: registrar.RegistrationActive, CreatedAt: t0, PrivacyMode: registrar.PrivacyRedaction}
			_, err := tx.ClaimDomain(ctx, g, 1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		key := map[string]func(g registrar.Registration) string{
			registrar.SortCreatedAt: func(g registrar.Registration) string { return g.CreatedAt.Format(time.RFC3339Nano) },
			registrar.SortExpiresAt: func(g registrar.Registration) string {
				if g.ExpiresAt == nil {
					return "9999"
				}
				return g.ExpiresAt.Format(time.RFC3339Nano)
			},
			registrar.SortName: func(g registrar.Registration) string { return "" },
		}
		for sortBy, k := range key {
			for _, desc := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/desc=%v", sortBy, desc), func(t *testing.T) {
					var all []registrar.Registration
					cursor := ""
					pages := 0
					for {
						page, err := db.ListRegistrations(ctx, a.ID, registrar.EnvLive, registrar.ListOptions{SortBy: sortBy, Descending: desc, PerPage: 10, Cursor: cursor})
						if err != nil {
							t.Fatalf("page %d: %v", pages, err)
						}
						pages++
						all = append(all, page.Items...)
						if page.Next == "" {
							break
						}
						cursor = page.Next
					}
					if pages != 3 || len(all) != n {
						t.Fatalf("got %d items in %d pages, want %d in 3", len(all), pages, n)
					}
					seen := map[string]bool{}
					for i, g := range all {
						if seen[g.DomainName] || g.AccountID != a.ID {
							t.Fatalf("item %d (%s) repeated or not the account's", i, g.DomainName)
						}
						seen[g.DomainName] = true
						if i == 0 {
							continue
						}
						prev, cur := k(all[i-1])+"|"+all[i-1].DomainName, k(g)+"|"+g.DomainName
						if (!desc && prev >= cur) || (desc && prev <= cur) {
							t.Fatalf("items %d and %d out of order: %q then %q", i-1, i, prev, cur)
						}
					}
				})
			}
		}
		// A cursor is bound to its sort order.
		page, _ := db.ListRegistrations(ctx, a.ID, registrar.EnvLive, registrar.ListOptions{PerPage: 5})
		for _, opts := range []registrar.ListOptions{
			{Cursor: page.Next, SortBy: registrar.SortName},
			{Cursor: page.Next, Descending: true},
			{Cursor: "not-a-cursor"},
			{PerPage: 101},
			{SortBy: "price"},
		} {
			if _, err := db.ListRegistrations(ctx, a.ID, registrar.EnvLive, opts); !registrar.IsKind(err, registrar.KindInvalid) {
				t.Errorf("ListRegistrations(%+v) error = %v, want invalid", opts, err)
			}
		}
	})
}

func TestNotifyAfterCommitOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		db := storetest.Open(t, b)
		go db.Listen(ctx)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "notify.com", t0)
		ch, unsubscribe := db.Notifier().Subscribe(wf.ID)
		defer unsubscribe()
		// A rolled-back change announces nothing.
		db.InTx(ctx, func(tx *store.Tx) error {
			tx.InsertWorkflow(ctx, wf)
			return fmt.Errorf("roll back")
		})
		// A committed one does. On PostgreSQL the listener may still be
		// connecting, so keep committing changes until one arrives.
		deadline := time.After(10 * time.Second)
		inserted := false
		for {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if !inserted {
					return tx.InsertWorkflow(ctx, wf)
				}
				return tx.SaveWorkflow(ctx, wf)
			})
			if err != nil {
				t.Fatal(err)
			}
			inserted = true
			select {
			case <-ch:
				return
			case <-time.After(200 * time.Millisecond):
			case <-deadline:
				t.Fatal("no notification within 10s of committed changes")
			}
		}
	})
}

func TestChargesOncePerWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "paid.com", t0)
		var firsts []bool
		for range 3 {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				if len(firsts) == 0 {
					if err := tx.InsertWorkflow(ctx, wf); err != nil {
						return err
					}
				}
				ok, err := tx.InsertCharge(ctx, store.Charge{ID: registrar.NewID(), AccountID: a.ID, WorkflowID: wf.ID, Domain: "paid.com", Years: 1, AmountCents: 1046, Currency: "USD", CreatedAt: t0})
				firsts = append(firsts, ok)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		charges, err := db.Charges(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]bool{true, false, false}, firsts); diff != "" || len(charges) != 1 || charges[0].AmountCents != 1046 {
			t.Errorf("three charges for one workflow: inserted %v, stored %+v; want one", firsts, charges)
		}
	})
}

func TestOutboxAndVerification(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf := newWorkflow(a.ID, "mail.com", t0)
		code, hash := registrar.NewSecret("")
		var id int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWorkflow(ctx, wf); err != nil {
				return err
			}
			if err := tx.InsertVerification(ctx, hash, wf.ID, "verify@example.com", t0, t0.Add(time.Hour)); err != nil {
				return err
			}
			var err error
			id, err = tx.InsertOutbox(ctx, wf.ID, registrar.Message{To: "verify@example.com", Subject: "s", Body: "b"}, t0)
			if err != nil {
				return err
			}
			return tx.MarkOutboxSent(ctx, id, t0.Add(time.Second), "")
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := db.Outbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent := t0.Add(time.Second)
		want := []store.OutboxMessage{{ID: id, WorkflowID: wf.ID, To: "verify@example.com", Subject: "s", Body: "b", CreatedAt: t0, SentAt: &sent, Attempts: 1}}
		if diff := cmp.Diff(want, msgs); diff != "" {
			t.Errorf("Outbox (-want +got):\n%s", diff)
		}
		for i, at := range []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute)} {
			var v store.Verification
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				v, err = tx.ConfirmVerification(ctx, registrar.HashSecret(code), at)
				return err
			})
			if err != nil || v.WorkflowID != wf.ID || !v.ConfirmedAt.Equal(t0.Add(time.Minute)) {
				t.Errorf("ConfirmVerification #%d = %+v, %v; want confirmed at the first time", i+1, v, err)
			}
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ConfirmVerification(ctx, registrar.HashSecret("wrong"), t0)
			return err
		})
		if !registrar.IsKind(err, registrar.KindNotFound) {
			t.Errorf("ConfirmVerification(wrong code) error = %v, want not found", err)
		}
	})
}

// TestVerificationsSent: the count and newest time of a workflow's
// verification codes, which limit sending its email again; none is zero.
func TestVerificationsSent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := storetest.Open(t, b)
		a, _ := newAccount(t, db)
		wf, other := newWorkflow(a.ID, "resend.com", t0), newWorkflow(a.ID, "other.com", t0)
		sent := func() (n int, newest time.Time) {
			t.Helper()
			err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				n, newest, err = tx.VerificationsSent(ctx, wf.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return n, newest
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.InsertWorkflow(ctx, wf); err != nil {
				return err
			}
			return tx.InsertWorkflow(ctx, other)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, newest := sent(); n != 0 || !newest.Equal(time.UnixMicro(0)) {
			t.Errorf("VerificationsSent before any = %d, %v; want 0 at the epoch", n, newest)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, at := range []time.Time{t0, t0.Add(3 * time.Minute), t0.Add(time.Minute)} {
				_, hash := registrar.NewSecret("")
				if err := tx.InsertVerification(ctx, hash, wf.ID, "verify@example.com", at, t0.Add(time.Hour)); err != nil {
					return err
				}
				if i == 0 { // another workflow's codes do not count
					_, hash := registrar.NewSecret("")
					if err := tx.InsertVerification(ctx, hash, other.ID, "verify@example.com", t0.Add(time.Hour), t0.Add(time.Hour)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, newest := sent(); n != 3 || !newest.Equal(t0.Add(3*time.Minute)) {
			t.Errorf("VerificationsSent = %d, %v; want 3, the newest at %v", n, newest, t0.Add(3*time.Minute))
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		db := storetest.Open(t, b)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
	})
}

// TestStatusCacheFollowsChanges: status reads (served from a cache) see
// every committed change: a new state, and a newer workflow for the same
// domain. Concurrent readers never see a workflow go back in time, and
// all see the last write once writing stops.
func TestStatusCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		db := storetest.Open(t, b)
		go db.Listen(ctx)
		a, _ := newAccount(t, db)
		read := func() (*registrar.Workflow, error) {
			return db.RegistrationStatus(ctx, a.ID, registrar.EnvLive, "cached.com")
		}
		mustRead := func() *registrar.Workflow {
			t.Helper()
			wf, err := read()
			if err != nil {
				t.Fatalf("RegistrationStatus: %v", err)
			}
			return wf
		}
		first := newWorkflow(a.ID, "cached.com", t0)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		mustRead()
		mustRead() // cached now, where the cache is on
		first.State = registrar.StateFailed
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, first) }); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(); got.State != registrar.StateFailed || got.Version != 2 {
			t.Fatalf("after a change: %s v%d, want failed v2", got.State, got.Version)
		}
		second := newWorkflow(a.ID, "cached.com", t0.Add(time.Minute))
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.InsertWorkflow(ctx, second) }); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(); got.ID != second.ID {
			t.Fatalf("after a new workflow: read %s, want the new %s", got.ID, second.ID)
		}

		// Writers and readers at once.
		const writes = 100
		done := make(chan struct{})
		var wg sync.WaitGroup
		for r := range 4 {
			wg.Go(func() {
				var last int64
				for {
					select {
					case <-done:
						return
					default:
					}
					got, err := read()
					if err != nil {
						t.Errorf("reader %d: %v", r, err)
						return
					}
					if got.Version < last {
						t.Errorf("reader %d saw version %d after %d", r, got.Version, last)
						return
					}
					last = got.Version
				}
			})
		}
		for range writes {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveWorkflow(ctx, second) }); err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		wg.Wait()
		if got := mustRead(); got.Version != second.Version || got.Version != writes+1 {
			t.Errorf("after %d writes: read version %d, want %d", writes, got.Version, second.Version)
		}
	})
}

// TestSQLiteDurableAndPrivate: the writer syncs every commit
// (synchronous=FULL, 2) unless NORMAL (1) is asked for, and the database
// and its -wal and -shm files are created 0600.
func TestSQLiteDurableAndPrivate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		synchronous string
		want        int
	}{
		{"", 2},
		{store.SynchronousFull, 2},
		{store.SynchronousNormal, 1},
	} {
		t.Run("synchronous="+tc.synchronous, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "registrar.db")
			db, err := store.Open(ctx, store.Config{SQLitePath: path, Synchronous: tc.synchronous})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var got int
			if err := db.SQLite().QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA synchronous = %d, want %d", got, tc.want)
			}
			newAccount(t, db)
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				info, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if m := info.Mode().Perm(); m != 0o600 {
					t.Errorf("mode of %s = %04o, want 0600", p, m)
				}
			}
		})
	}
	if _, err := store.Open(context.Background(), store.Config{SQLitePath: filepath.Join(t.TempDir(), "x.db"), Synchronous: "off"}); err == nil {
		t.Error("Open with synchronous=off: no error")
	}
}

// TestOutboxRedactsSecretOnDelivery: a message's one-time secret stays in
// the outbox while delivery is pending (retries need it) and is gone once
// the message is sent: the body keeps the redaction mark, no column keeps
// the secret, and on SQLite neither does the database file.
func TestOutboxRedactsSecretOnDelivery(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		cfg := storetest.Config(t, b)
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		code, _ := registrar.NewSecret("")
		body := "Hello,\nopen http://x.test/verify-email/" + code + "\n"
		msg := registrar.Message{To: "verify@example.com", Subject: "s", Body: body, Secret: code}
		var id, plain int64
		inTx := func(f func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		inTx(func(tx *store.Tx) (err error) {
			if id, err = tx.InsertOutbox(ctx, "", msg, t0); err != nil {
				return err
			}
			// No SMTP: no secret to redact, the body is the inbox's copy.
			plain, err = tx.InsertOutbox(ctx, "", registrar.Message{To: "a@example.com", Subject: "s", Body: "keep " + code}, t0)
			return err
		})
		checkpoint := func() {
			if db.SQLite() != nil {
				if _, err := db.SQLite().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
					t.Fatal(err)
				}
			}
		}
		checkpoint() // the clear body reaches the database file
		inTx(func(tx *store.Tx) error { return tx.MarkOutboxSent(ctx, id, t0, "connection refused") })
		msgs, _ := db.Outbox(ctx)
		if msgs[0].Body != body {
			t.Errorf("after a failed attempt the body is %q, want it whole for the retry", msgs[0].Body)
		}
		inTx(func(tx *store.Tx) error { return tx.MarkOutboxSent(ctx, id, t0.Add(time.Second), "") })
		msgs, _ = db.Outbox(ctx)
		want := "Hello,\nopen http://x.test/verify-email/" + registrar.SecretRedacted + "\n"
		if msgs[0].Body != want || msgs[0].SentAt == nil || msgs[0].Attempts != 2 {
			t.Errorf("after delivery: %+v, want body %q, sent, 2 attempts", msgs[0], want)
		}
		if msgs[1].ID != plain || msgs[1].Body != "keep "+code {
			t.Errorf("a message without a secret: %+v, want its body kept", msgs[1])
		}
		var n int
		q := `SELECT count(*) FROM outbox WHERE id = $1 AND (secret IS NOT NULL OR body LIKE '%' || $2 || '%')`
		if db.SQLite() != nil {
			err = db.SQLite().QueryRowContext(ctx, q, id, code).Scan(&n)
		} else {
			err = db.Pool().QueryRow(ctx, q, id, code).Scan(&n)
		}
		if err != nil || n != 0 {
			t.Errorf("delivered row still holds the secret: %d, %v", n, err)
		}
		if db.SQLite() == nil {
			return
		}
		// The delivered message's secret is overwritten in the file
		// (secure_delete), not left in a free part of the page. Only the
		// undelivered message keeps it.
		inTx(func(tx *store.Tx) error {
			_, err := tx.SQLTx().ExecContext(ctx, `DELETE FROM outbox WHERE id = $1`, plain)
			return err
		})
		checkpoint()
		raw, err := os.ReadFile(cfg.SQLitePath)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(code)) {
			t.Errorf("%s still holds the delivered secret", cfg.SQLitePath)
		}
	})
}
