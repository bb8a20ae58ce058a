package workflows

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertest"
	"github.com/riverqueue/river/rivertype"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// Round trips to PostgreSQL of one registration, one at a time, with the
// registry answering at once: the POST's transaction, then the step job
// (its read of the workflow, the check's transition, the create's
// transition with the job's completion). Batching each transaction's
// statements (store's pgTx) brought them from 8 and 10 to these; more
// means a statement lost its batch (docs/BENCHMARKS.md, "End-to-end
// registrations").
const (
	wantStartRoundTrips = 4
	wantStepRoundTrips  = 5
)

// TestRoundTripsPerRegistration counts the round trips of a registration
// on PostgreSQL with a proxy that reads the protocol: each Sync or simple
// Query the client sends is one wait for the server. The engine's River
// client is never started, so every round trip is the registration's own;
// the step job is worked by hand, as River would.
func TestRoundTripsPerRegistration(t *testing.T) {
	t.Parallel()
	r := newPostgresRig(t, true)
	// The first registration prepares the statements each connection
	// caches (and River learns the server's capabilities); the second is
	// what every later one costs.
	r.register(t, "first.com")
	start, step := r.register(t, "second.com")
	t.Logf("POST: %d round trips:\n\t%s", len(start), strings.Join(start, "\n\t"))
	t.Logf("step job: %d round trips:\n\t%s", len(step), strings.Join(step, "\n\t"))
	if len(start) > wantStartRoundTrips {
		t.Errorf("StartRegistration: %d round trips, want at most %d:\n\t%s", len(start), wantStartRoundTrips, strings.Join(start, "\n\t"))
	}
	if len(step) > wantStepRoundTrips {
		t.Errorf("step job: %d round trips, want at most %d:\n\t%s", len(step), wantStepRoundTrips, strings.Join(step, "\n\t"))
	}
}

// BenchmarkRegistrationOnPostgres times the registrar's database work for
// one registration on PostgreSQL, one at a time: the POST's transaction,
// River's fetch of the step job (an UPDATE standing in for it), and the
// step job with a registry that answers at once; no HTTP, no EPP.
//
//	REGISTRAR_TEST_POSTGRES_URL=… go test -run '^$' -bench RegistrationOnPostgres ./internal/workflows/
func BenchmarkRegistrationOnPostgres(b *testing.B) {
	r := newPostgresRig(b, false)
	r.register(b, "warm.com")
	i := 0
	for b.Loop() {
		i++
		r.register(b, fmt.Sprintf("bench-%d.com", i))
	}
}

// postgresRig is an engine on a fresh PostgreSQL database whose River
// client is never started, with a scripted registry, and optionally a
// proxy counting round trips.
type postgresRig struct {
	db     *store.DB
	e      *Engine
	client *river.Client[pgx.Tx]
	p      registrar.Principal
	reg    *fakeRegistry
	proxy  *countingProxy
}

func newPostgresRig(tb testing.TB, count bool) *postgresRig {
	tb.Helper()
	u, err := url.Parse(storetest.NewPostgresDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	r := &postgresRig{reg: newFakeRegistry(tb)}
	if count {
		r.proxy = newCountingProxy(tb, u.Host)
		u.Host = r.proxy.addr
	}
	ctx := tb.Context()
	if r.db, err = store.Open(ctx, store.Config{DatabaseURL: u.String()}); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.db.Close() })
	if err := r.db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	router := &fakeRouter{}
	router.add(registrar.EnvSandbox, testExt, r.reg)
	cfg := testConfig()
	cfg.MaxDomains = 1 << 20 // a benchmark's many
	if r.e, err = New(Deps{DB: r.db, Registries: router, Clock: &fixedClock{now: t0}}, cfg); err != nil {
		tb.Fatal(err)
	}
	r.client = r.e.jobs.(*riverJobs[pgx.Tx]).client
	acct, _, err := r.db.CreateAccount(ctx, "ada", contact("ada@example.com"), t0)
	if err != nil {
		tb.Fatal(err)
	}
	r.p = registrar.Principal{AccountID: acct.ID}
	return r
}

// register runs one registration to success and, when the rig counts
// them, returns the round trips of its POST and of its step job.
func (r *postgresRig) register(tb testing.TB, domain string) (start, step []string) {
	tb.Helper()
	ctx := tb.Context()
	reset := func() []string {
		if r.proxy == nil {
			return nil
		}
		return r.proxy.reset()
	}
	r.reg.on("check", answer{avail: []registrar.Availability{{Name: domain, Available: true}}})
	r.reg.on("create", answer{})
	reset()
	wf, err := r.e.StartRegistration(ctx, r.p, registrar.EnvSandbox, registrar.RegistrationRequest{
		DomainName: domain, Extension: "com", Contacts: registrar.Contacts{Registrant: contact("ada@example.com")},
	})
	if err != nil {
		tb.Fatalf("StartRegistration(%s): %v", domain, err)
	}
	start = reset()

	// What River's producer does before it runs a job: fetch it, marked
	// running (not counted: River's own, whatever the step).
	var row rivertype.JobRow
	if err := r.db.Pool().QueryRow(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now()
		WHERE kind = $1 AND state = 'available' RETURNING id, attempt`, stepArgs{}.Kind()).Scan(&row.ID, &row.Attempt); err != nil {
		tb.Fatalf("fetch the step job: %v", err)
	}
	row.State, row.Kind = rivertype.JobStateRunning, stepArgs{}.Kind()
	job := &river.Job[stepArgs]{JobRow: &row, Args: stepArgs{WorkflowID: wf.ID, Step: stepStart}}
	reset()
	if err := (&stepWorker{e: r.e}).Work(rivertest.WorkContext(ctx, r.client), job); err != nil {
		tb.Fatalf("step job of %s: %v", domain, err)
	}
	step = reset()

	if r.proxy == nil {
		return nil, nil // a benchmark: the test checks the outcome
	}
	if got, err := r.db.WorkflowByID(ctx, wf.ID); err != nil || got.State != registrar.StateSucceeded {
		tb.Fatalf("workflow of %s after its step job = %v, %v; want succeeded", domain, got, err)
	}
	var state string
	if err := r.db.Pool().QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, row.ID).Scan(&state); err != nil || state != "completed" {
		tb.Fatalf("step job of %s after it ran = %q, %v; want completed", domain, state, err)
	}
	return start, step
}

// countingProxy forwards PostgreSQL connections and records every round
// trip a client makes: each Sync (the end of an extended-protocol
// exchange or a pipeline) and each simple Query, with the statements sent
// since the previous one. pgxpool's health checks ("-- ping") are left
// out: they depend on how long a connection sat idle.
type countingProxy struct {
	addr string

	mu    sync.Mutex
	trips []string
}

func newCountingProxy(t testing.TB, upstream string) *countingProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{addr: l.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			wg.Go(func() {
				io.Copy(c, s)
				c.Close()
			})
			wg.Go(func() {
				p.forward(s, c)
				s.Close()
			})
		}
	})
	return p
}

// forward copies what a client sends to the server, reading it message by
// message.
func (p *countingProxy) forward(server io.Writer, client io.Reader) {
	r := bufio.NewReader(client)
	// The startup message has no type byte.
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return
	}
	body := make([]byte, binary.BigEndian.Uint32(n[:])-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return
	}
	if _, err := server.Write(append(n[:], body...)); err != nil {
		return
	}
	statements := map[string]string{} // prepared statement name → SQL
	var pending []string              // statements since the last round trip
	for {
		var h [5]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(h[1:])-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch h[0] {
		case 'P': // Parse: name, query
			name, rest, _ := strings.Cut(string(body), "\x00")
			query, _, _ := strings.Cut(rest, "\x00")
			statements[name] = query
			if name == "" {
				pending = append(pending, brief(query))
			}
		case 'B': // Bind: portal, statement
			_, rest, _ := strings.Cut(string(body), "\x00")
			name, _, _ := strings.Cut(rest, "\x00")
			if name != "" {
				pending = append(pending, brief(statements[name]))
			}
		case 'Q':
			query, _, _ := strings.Cut(string(body), "\x00")
			if query != "-- ping" {
				p.record(append(pending, brief(query)))
			}
			pending = nil
		case 'S':
			p.record(pending)
			pending = nil
		}
		if _, err := server.Write(append(h[:], body...)); err != nil {
			return
		}
	}
}

func (p *countingProxy) record(statements []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trips = append(p.trips, strings.Join(statements, " | "))
}

// reset returns the round trips recorded so far and starts again.
func (p *countingProxy) reset() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	trips := p.trips
	p.trips = nil
	return trips
}

// brief is the start of a statement, on one line.
func brief(query string) string {
	query = strings.Join(strings.Fields(query), " ")
	if len(query) > 60 {
		query = query[:60] + "…"
	}
	return query
}
