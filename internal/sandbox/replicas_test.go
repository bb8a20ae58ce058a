package sandbox_test

// These tests are about a sandbox registry kept in PostgreSQL: several
// engines on one schema (the replicas of a registrar, each with its own
// EPP server) are one registry; engines on different schemas are
// different registries.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestReplicas runs two engines on the same database and schema, each
// behind its own EPP server on loopback, as two replicas of the registrar
// do, and sends the same registrar's commands through both.
func TestReplicas(t *testing.T) {
	t.Parallel()
	st := &store{db: openPostgres(t)}
	clock := sandbox.NewFakeClock()
	cfg := sandbox.Config{Delay: testDelay, Clock: clock}
	var engines []*sandbox.Engine
	replica := func() registrar.Registry {
		srv := sandboxtest.Start(t, sandboxtest.Options{Engine: cfg, Open: st.open, ClientIDs: []string{ours}, PoolSize: 4})
		engines = append(engines, srv.Engine)
		return srv.Registry(t, ours)
	}
	a, b := replica(), replica()
	ctx := context.Background()

	// The same 20 names created through both at once: each once.
	names := make([]string, 20)
	for i := range names {
		names[i] = fmt.Sprintf("replica-%02d.com", i)
	}
	errs := make([][2]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		for j, r := range []registrar.Registry{a, b} {
			wg.Go(func() { _, errs[i][j] = r.Create(ctx, createReq(name)) })
		}
	}
	wg.Wait()
	for i, name := range names {
		var created, exists int
		for j, err := range errs[i] {
			switch {
			case err == nil:
				created++
			case errDiff(err, rerr(registrar.KindConflict, err2302)) == "":
				exists++
			default:
				t.Errorf("Create(%q) through replica %d = %v, want success or 2302", name, j, err)
			}
		}
		if created != 1 || exists != 1 {
			t.Errorf("Create(%q) through both replicas: %d created, %d 2302; want 1 and 1", name, created, exists)
		}
	}

	// The log, through either engine or without one, has one successful
	// create per name, and one 2302.
	logA, err := engines[0].Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logB, err := engines[1].Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(logA, logB); diff != "" {
		t.Errorf("Log() through the two engines mismatch (-first +second):\n%s", diff)
	}
	read, err := st.readLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(logA, read); diff != "" {
		t.Errorf("ReadLogPostgres() mismatch (-Log +ReadLogPostgres):\n%s", diff)
	}
	results := make(map[string][]string)
	for _, le := range logA {
		if le.Command == "create" {
			results[le.Domain] = append(results[le.Domain], le.Result)
		}
	}
	for _, name := range names {
		got := strings.Join(results[name], ", ")
		if got != ok1000+", "+err2302 && got != err2302+", "+ok1000 {
			t.Errorf("Log() creates of %s: %s; want one %q and one %q", name, got, ok1000, err2302)
		}
	}

	// A check through either answers the same.
	var checks [][]registrar.Availability
	for _, r := range []registrar.Registry{a, b} {
		avail, err := r.Check(ctx, append([]string{"free-replica.com"}, names...))
		if err != nil {
			t.Fatalf("Check = %v", err)
		}
		checks = append(checks, avail)
	}
	if diff := cmp.Diff(checks[0], checks[1]); diff != "" {
		t.Errorf("Check through the two replicas mismatch (-first +second):\n%s", diff)
	}
	for i, av := range checks[0] {
		if want := i == 0; av.Available != want {
			t.Errorf("Check: %s available %v, want %v", av.Name, av.Available, want)
		}
	}

	// A pending create made through one is approved, polled and acked
	// through the other.
	if res := mustCreate(t, a, "pending-replica.com"); !res.Pending {
		t.Fatalf("Create(pending-replica.com) = %+v, want pending", res)
	}
	clock.Advance(testDelay)
	msg, err := b.Poll(ctx)
	if err != nil || msg == nil || msg.Domain != "pending-replica.com" || !msg.Success || msg.TransactionID != "cl-pending-replica.com" {
		t.Fatalf("Poll() through the other replica = %+v, %v; want the approval of pending-replica.com", msg, err)
	}
	if err := b.Ack(ctx, msg.ID); err != nil {
		t.Fatalf("Ack(%q) through the other replica = %v", msg.ID, err)
	}
	if m, err := a.Poll(ctx); err != nil || m != nil {
		t.Errorf("Poll() through the first replica after the ack = %+v, %v; want nil, nil", m, err)
	}
	if info, err := a.Info(ctx, "pending-replica.com"); err != nil || info.Pending {
		t.Errorf("Info(pending-replica.com) = %+v, %v; want not pending", info, err)
	}

	// An outage window started through one holds through the other.
	if _, err := a.Create(ctx, createReq("outage-replica.com")); errDiff(err, unreachable) != "" {
		t.Fatalf("Create(outage-replica.com) = %v, want 2400", err)
	}
	clock.Advance(testDelay - time.Microsecond)
	if _, err := b.Create(ctx, createReq("outage-replica.com")); errDiff(err, unreachable) != "" {
		t.Errorf("Create(outage-replica.com) through the other replica within the window = %v, want 2400", err)
	}
	clock.Advance(time.Microsecond)
	if _, err := b.Create(ctx, createReq("outage-replica.com")); err != nil {
		t.Errorf("Create(outage-replica.com) through the other replica after the window = %v", err)
	}
}

// TestSchemasAreRegistries checks that engines on two schemas of one
// database are two registries.
func TestSchemasAreRegistries(t *testing.T) {
	t.Parallel()
	db := openPostgres(t)
	ctx := context.Background()
	var regs []registrar.Registry
	var stores []*store
	for _, schema := range []string{"sandbox_registry", "demo_registry"} {
		st := &store{db: db, schema: schema}
		srv := sandboxtest.Start(t, sandboxtest.Options{Engine: sandbox.Config{Delay: testDelay, Clock: sandbox.NewFakeClock()}, Open: st.open})
		regs, stores = append(regs, srv.Registry(t, sandboxtest.ClientID)), append(stores, st)
	}
	mustCreate(t, regs[0], "example.com")
	avail, err := regs[1].Check(ctx, []string{"example.com"})
	if err != nil || len(avail) != 1 || !avail[0].Available {
		t.Errorf("Check(example.com) in the other schema = %+v, %v; want available", avail, err)
	}
	if _, err := regs[1].Info(ctx, "example.com"); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("Info(example.com) in the other schema = %v, want not found", err)
	}
	mustCreate(t, regs[1], "example.com")
	for i, st := range stores {
		l, err := st.readLog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []sandbox.LogEntry{entry(sandboxtest.ClientID, "create", "example.com", ok1000, "cl-example.com")}
		if i == 1 {
			want = append([]sandbox.LogEntry{entry(sandboxtest.ClientID, "check", "example.com", ok1000, ""),
				entry(sandboxtest.ClientID, "info", "example.com", "2303 Object does not exist", "")}, want...)
		}
		if diff := cmp.Diff(want, withoutContacts(l), ignoreLogVolatile); diff != "" {
			t.Errorf("log of schema %s mismatch (-want +got):\n%s", st.schema, diff)
		}
	}
}

// countHandler counts the records whose message is msg.
type countHandler struct {
	msg string
	n   *atomic.Int32
}

func (h countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h countHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.n.Add(1)
	}
	return nil
}
func (h countHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h countHandler) WithGroup(string) slog.Handler      { return h }

// TestOpenPostgresConcurrently opens engines on an empty database at
// once, through separate handles as separate processes would: all
// succeed, and one migrates.
func TestOpenPostgresConcurrently(t *testing.T) {
	t.Parallel()
	url := storetest.NewPostgresDatabase(t)
	const n = 4
	var migrated atomic.Int32
	cfg := sandbox.Config{Logger: slog.New(countHandler{"sandbox: migrated the registry's schema", &migrated})}
	var wg sync.WaitGroup
	errs := make([]error, n)
	var handles []*sql.DB
	for i := range n {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		handles = append(handles, db)
		wg.Go(func() {
			e, err := sandbox.OpenPostgres(db, testSchema, cfg)
			if err == nil {
				e.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("OpenPostgres #%d = %v", i, err)
		}
	}
	if got := migrated.Load(); got != 1 {
		t.Errorf("%d opens migrated the schema, want 1", got)
	}
	var versions, distinct int
	if err := handles[0].QueryRow(`SELECT count(*), count(DISTINCT version) FROM sandbox_registry.sandbox_migrations`).Scan(&versions, &distinct); err != nil {
		t.Fatal(err)
	}
	if versions == 0 || versions != distinct {
		t.Errorf("sandbox_migrations has %d rows, %d versions; want each version once", versions, distinct)
	}
	// The engines of a migrated schema work, and another open migrates
	// nothing.
	e, err := sandbox.OpenPostgres(handles[1], testSchema, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if l, err := e.Log(context.Background()); err != nil || len(l) != 0 {
		t.Errorf("Log() = %+v, %v; want empty", l, err)
	}
	if got := migrated.Load(); got != 1 {
		t.Errorf("%d opens migrated the schema, want 1", got)
	}
}

// TestOpenPostgresErrors checks the schemas OpenPostgres and
// ReadLogPostgres refuse.
func TestOpenPostgresErrors(t *testing.T) {
	t.Parallel()
	db := openPostgres(t)
	ctx := context.Background()
	for _, schema := range []string{"", "Sandbox", "1sandbox", "sandbox-registry", "pg_sandbox", `x"; DROP TABLE y; --`, strings.Repeat("s", 64)} {
		if e, err := sandbox.OpenPostgres(db, schema, sandbox.Config{}); err == nil {
			e.Close()
			t.Errorf("OpenPostgres(%q) = nil error, want one", schema)
		}
	}
	if _, err := db.Exec(`CREATE TABLE public.accounts (id TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if e, err := sandbox.OpenPostgres(db, "public", sandbox.Config{}); err == nil {
		e.Close()
		t.Error("OpenPostgres(public) with another table = nil error, want one")
	}
	if _, err := sandbox.ReadLogPostgres(ctx, db, "public"); err == nil {
		t.Error("ReadLogPostgres(public) = nil error, want one")
	}
	if _, err := sandbox.ReadLogPostgres(ctx, db, "no_such_schema"); err == nil {
		t.Error("ReadLogPostgres(no_such_schema) = nil error, want one")
	}
	if _, err := sandbox.OpenPostgres(db, testSchema, sandbox.Config{Delay: -time.Second}); err == nil {
		t.Error("OpenPostgres with a negative delay = nil error, want one")
	}
}
