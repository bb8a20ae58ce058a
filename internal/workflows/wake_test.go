package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// On SQLite River runs without a listener (localSQLite) and hears of new
// jobs only through wake. With its fetch poll pushed out to an hour, a
// registration, a step job queued by the POST's transaction, finishes only
// if wake makes the workers fetch it; an update, likewise. And River wrote
// nothing to its polled notification table. This pins what wake.go relies
// on in River: after a River upgrade, a failure here means re-checking it.
func TestWakeRunsStepsWithoutFetchPoll(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, storetest.SQLite)
	sbx, _ := sandboxtest.Registry(t, sandbox.Config{})
	routes := registrar.NewRouter()
	routes.AddCatalog(registrar.EnvSandbox, registrar.DefaultCatalog(), sbx)

	e, err := New(Deps{DB: db, Registries: routes}, Config{fetchPoll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := e.Stop(stopCtx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})

	contact := &registrar.Contact{Email: "ada@example.com", Phone: "+44.2071234567", PostalInfo: registrar.PostalInfo{
		Name: "Ada Lovelace", Address: registrar.Address{Street: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", CountryCode: "GB"}}}
	acct, _, err := db.CreateAccount(ctx, "wake", contact, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := registrar.Principal{AccountID: acct.ID}

	// River fetched once on start, before this was queued; from here on
	// only wake makes it fetch.
	wf, err := e.StartRegistration(ctx, p, registrar.EnvSandbox, registrar.RegistrationRequest{DomainName: "wake-test.com", Extension: "com"})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitSettled(t, db, wf); got.State != registrar.StateSucceeded {
		t.Fatalf("registration: state %s (%s %s), want succeeded", got.State, got.ErrorCode, got.ErrorMessage)
	}

	off := false
	wf, err = e.StartUpdate(ctx, p, registrar.EnvSandbox, "wake-test.com", registrar.UpdateRequest{AutoRenew: &off})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitSettled(t, db, wf); got.State != registrar.StateSucceeded {
		t.Fatalf("update: state %s (%s %s), want succeeded", got.State, got.ErrorCode, got.ErrorMessage)
	}

	var notifications int
	if err := db.SQLite().QueryRowContext(ctx, "SELECT count(*) FROM river_notification").Scan(&notifications); err != nil {
		t.Fatal(err)
	}
	if notifications != 0 {
		t.Errorf("River wrote %d rows to river_notification, want 0: it announces jobs through its polled listener again (see wake.go)", notifications)
	}
}

// waitSettled waits on the workflow's change notifications until it is
// terminal, for at most 20 seconds (the step itself takes milliseconds;
// the bound is for a loaded machine, far below the hour-long fetch poll).
func waitSettled(t *testing.T, db interface {
	Notifier() registrar.Notifier
	Workflow(context.Context, string, string) (*registrar.Workflow, error)
}, wf *registrar.Workflow) *registrar.Workflow {
	t.Helper()
	changed, cancel := db.Notifier().Subscribe(wf.ID)
	defer cancel()
	timeout := time.After(20 * time.Second)
	for {
		cur, err := db.Workflow(context.Background(), wf.AccountID, wf.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Completed() {
			return cur
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("workflow %s still %s at step %s after 20s: its job was not fetched", wf.ID, cur.State, cur.Step)
		}
	}
}
