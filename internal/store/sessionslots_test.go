package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// grant is one slot taken from a gate.
type grant struct {
	release func()
	lost    <-chan struct{}
}

func (g grant) isLost() bool {
	select {
	case <-g.lost:
		return true
	default:
		return false
	}
}

// takeAll takes slots from s until it refuses; an error fails the test.
func takeAll(t *testing.T, s *store.SessionSlots) []grant {
	t.Helper()
	var gs []grant
	for {
		release, lost, ok, err := s.TryAcquire(t.Context())
		if err != nil {
			t.Fatalf("TryAcquire = %v, want no error", err)
		}
		if !ok {
			return gs
		}
		gs = append(gs, grant{release, lost})
	}
}

// waitUntil polls cond until it holds, failing the test after 10s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// slotHolders returns, per backend, the advisory locks held in the
// database (the gates' slots: nothing else holds one between statements).
func slotHolders(t *testing.T, admin *pgx.Conn) map[int32]int {
	t.Helper()
	rows, err := admin.Query(t.Context(), `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	m := map[int32]int{}
	for _, p := range pids {
		m[p]++
	}
	return m
}

func openSlots(t *testing.T, db *store.DB, registry string, n int, check time.Duration) *store.SessionSlots {
	t.Helper()
	s, err := db.SessionSlots(store.SessionSlotsConfig{Registry: registry, Slots: n, CheckInterval: check})
	if err != nil {
		t.Fatalf("SessionSlots: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Two replicas' gates for one registry with 3 slots grant 3 between them;
// released slots and the slots of a closed gate go to the other; another
// registry counts apart.
func TestSessionSlotsShared(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	url := storetest.NewPostgresDatabase(t)
	open := func() *store.DB { return openReplica(t, url) }
	dbA, dbB := open(), open() // two replicas
	a := openSlots(t, dbA, "example", 3, 0)
	b := openSlots(t, dbB, "example", 3, 0)

	ga := takeAll(t, a)
	gb := takeAll(t, b)
	if len(ga) != 3 || len(gb) != 0 {
		t.Fatalf("first gate got %d slots, second %d; want 3 and 0", len(ga), len(gb))
	}

	// A released slot is free for the other replica, once unlocked.
	ga[0].release()
	ga[0].release() // harmless
	var got []grant
	waitUntil(t, "the released slot to reach the other gate", func() bool {
		got = append(got, takeAll(t, b)...)
		return len(got) > 0
	})
	if len(got) != 1 || len(takeAll(t, a)) != 0 {
		t.Fatalf("after one release: second gate got %d, first %d more; want 1 and 0", len(got), 0)
	}

	// Another registry has its own slots.
	other := openSlots(t, dbA, "other", 2, 0)
	if n := len(takeAll(t, other)); n != 2 {
		t.Errorf("another registry's gate got %d slots, want 2", n)
	}

	// Closing a gate frees its slots (its connection ends): the other
	// takes them, and the first's holders learn they are gone.
	a.Close()
	for i, g := range ga[1:] {
		if !g.isLost() {
			t.Errorf("slot %d of a closed gate not reported lost", i+1)
		}
	}
	if _, _, ok, err := a.TryAcquire(t.Context()); ok || err == nil {
		t.Errorf("TryAcquire on a closed gate = %v, %v; want an error", ok, err)
	}
	waitUntil(t, "the closed gate's slots to reach the other", func() bool {
		got = append(got, takeAll(t, b)...)
		return len(got) == 3
	})
}

// A gate whose connection is killed grants nothing until it has
// reconnected, takes back the slots no one took meanwhile, and reports
// lost the one another replica took.
func TestSessionSlotsReconnect(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	url := storetest.NewPostgresDatabase(t)
	open := func() *store.DB { return openReplica(t, url) }
	admin, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })

	dbA, dbB := open(), open()
	// A checks its connection only when used, so that B surely takes a
	// slot before A notices; B checks often.
	a := openSlots(t, dbA, "example", 3, time.Hour)
	b := openSlots(t, dbB, "example", 3, 50*time.Millisecond)
	var ga []grant
	for range 2 {
		release, lost, ok, err := a.TryAcquire(t.Context())
		if !ok || err != nil {
			t.Fatalf("TryAcquire = %v, %v; want a slot", ok, err)
		}
		ga = append(ga, grant{release, lost})
	}
	if n := len(takeAll(t, b)); n != 1 {
		t.Fatalf("second gate got %d slots, want 1", n)
	}
	holders := slotHolders(t, admin)
	var pidA int32
	for pid, n := range holders {
		if n == 2 {
			pidA = pid
		}
	}
	if len(holders) != 2 || pidA == 0 {
		t.Fatalf("slot holders %v, want one backend with 2 and one with 1", holders)
	}

	// A's connection dies (as in a PostgreSQL restart, seen from A alone):
	// its two slots are free at once, and B takes one of them.
	var terminated bool
	if err := admin.QueryRow(t.Context(), "SELECT pg_terminate_backend($1, 5000)", pidA).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("pg_terminate_backend = %v, %v", terminated, err)
	}
	_, _, ok, err := b.TryAcquire(t.Context())
	if !ok || err != nil {
		t.Fatalf("second gate's TryAcquire after the kill = %v, %v; want a slot", ok, err)
	}

	// A finds out on its next use: no slot while it is cut off.
	if _, _, ok, err := a.TryAcquire(t.Context()); ok || err == nil {
		t.Fatalf("TryAcquire on a gate that lost its connection = %v, %v; want an error", ok, err)
	}
	// It reconnects, keeps one slot and loses the other.
	waitUntil(t, "a slot reported lost", func() bool { return ga[0].isLost() || ga[1].isLost() })
	if ga[0].isLost() && ga[1].isLost() {
		t.Fatal("both slots reported lost, want one kept")
	}
	waitUntil(t, "the first gate to be connected again", func() bool {
		_, _, ok, err := a.TryAcquire(t.Context())
		if ok {
			t.Fatal("TryAcquire granted a fourth slot")
		}
		return err == nil
	})
	holders = slotHolders(t, admin)
	total := 0
	for _, n := range holders {
		total += n
	}
	if total != 3 || len(holders) != 2 {
		t.Errorf("slot holders after the reconnect %v, want 3 slots over two backends", holders)
	}

	// A lost slot's release is harmless, the kept one's frees it for B.
	ga[0].release()
	ga[1].release()
	waitUntil(t, "the kept slot to reach the second gate", func() bool { return len(takeAll(t, b)) == 1 })
	if holders := slotHolders(t, admin); len(holders) != 1 {
		t.Errorf("slot holders %v, want the second gate's backend alone", holders)
	}
}

// A gate that cannot reach PostgreSQL refuses with an error, at once.
func TestSessionSlotsUnreachable(t *testing.T) {
	t.Parallel()
	server := storetest.RequirePostgres(t)
	url := storetest.NewPostgresDatabase(t)
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := openSlots(t, db, "example", 2, time.Hour) // one slot left to ask for
	if _, _, ok, err := s.TryAcquire(t.Context()); !ok || err != nil {
		t.Fatalf("TryAcquire = %v, %v; want a slot", ok, err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := conn.QueryRow(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	holders := slotHolders(t, conn)
	conn.Close(t.Context())
	if len(holders) != 1 {
		t.Fatalf("slot holders %v, want the gate's backend", holders)
	}

	// Refuse new connections to the database, then end the gate's.
	admin, err := pgx.Connect(t.Context(), server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(context.Background()) })
	alter := "ALTER DATABASE " + pgx.Identifier{name}.Sanitize() + " WITH ALLOW_CONNECTIONS "
	if _, err := admin.Exec(t.Context(), alter+"false"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(context.Background(), alter+"true") })
	for pid := range holders {
		if _, err := admin.Exec(t.Context(), "SELECT pg_terminate_backend($1, 5000)", pid); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		start := time.Now()
		_, _, ok, err := s.TryAcquire(t.Context())
		if ok || err == nil {
			t.Errorf("call %d: TryAcquire without PostgreSQL = %v, %v; want an error", i, ok, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("call %d took %v, want a fast refusal", i, d)
		}
	}
}

// SQLite has one process per data dir: there is nothing to share.
func TestSessionSlotsSQLite(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	if _, err := db.SessionSlots(store.SessionSlotsConfig{Registry: "example", Slots: 2}); err == nil {
		t.Error("SessionSlots on SQLite = nil error, want one")
	}
}

// With replicas declared (JoinReplicas), each gets an equal share of the
// slots: a replica that took them all while alone gives back the excess
// when a second replica starts, so the newcomer is not starved, and
// neither takes more than its share. Four slots among three replicas
// leave one unused rather than starve one.
func TestSessionSlotsFairShare(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	url := storetest.NewPostgresDatabase(t)
	open := func() *store.DB { return openReplica(t, url) }
	const check = 50 * time.Millisecond
	join := func(db *store.DB) {
		r, err := db.JoinReplicas(t.Context(), "live=demo", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
	}
	dbA, dbB, dbC := open(), open(), open()
	join(dbA)
	a := openSlots(t, dbA, "example", 4, check)
	ga := takeAll(t, a)
	if len(ga) != 4 {
		t.Fatalf("a lone replica got %d of 4 slots", len(ga))
	}

	join(dbB)
	b := openSlots(t, dbB, "example", 4, check)
	var revoked []grant
	waitUntil(t, "the first replica to give back half its slots", func() bool {
		revoked = revoked[:0]
		for _, g := range ga {
			if g.isLost() {
				revoked = append(revoked, g)
			}
		}
		return len(revoked) >= 2
	})
	if len(revoked) != 2 {
		t.Fatalf("%d of the first replica's 4 slots revoked, want 2", len(revoked))
	}
	for _, g := range revoked {
		g.release() // the epp pool closes their sessions
	}
	var gb []grant
	waitUntil(t, "the second replica to get its share", func() bool {
		gb = append(gb, takeAll(t, b)...)
		return len(gb) == 2
	})
	if n := len(takeAll(t, a)); n != 0 {
		t.Errorf("the first replica took %d more slots beyond its share", n)
	}
	if n := len(takeAll(t, b)); n != 0 {
		t.Errorf("the second replica took %d more slots beyond its share", n)
	}

	// A third replica: shares of one, so every replica has a session.
	join(dbC)
	c := openSlots(t, dbC, "example", 4, check)
	waitUntil(t, "each replica to keep one slot", func() bool {
		for _, gs := range [][]grant{ga, gb} {
			for _, g := range gs {
				if g.isLost() {
					g.release()
				}
			}
		}
		return len(takeAll(t, c)) == 1
	})
}
