package daemon_test

import (
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestDatabaseOutage closes the store under a running server: every route
// that needs the database answers 503 with Retry-After, not 500, and
// /healthz (liveness) stays 200. SQLite only: closing a pgx pool waits
// for the connections the server holds (LISTEN, the job engine), so
// PostgreSQL going away is tested in the store, behind a fault proxy
// (store.TestOutageIsUnavailable).
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	regs := s.base("registrar") + "/registrations"
	if r := s.do("GET", regs, s.token, nil); r.Status != 200 { // the token is now cached
		t.Fatalf("GET before the outage = %d %s", r.Status, r.Body)
	}
	s.d.DB().Close()
	unknown, _ := registrar.NewToken()
	for _, c := range []struct {
		name, method, url, token string
		body                     any
	}{
		{"GET with a cached token", "GET", regs, s.token, nil},
		{"POST", "POST", regs, s.token, `{"domain_name":"outage.com"}`},
		{"authentication", "GET", regs, unknown, nil},
		{"verification link", "GET", "http://" + s.d.Addr() + "/verify-email/some-code", "", nil},
	} {
		r := s.do(c.method, c.url, c.token, c.body)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s during the outage = %d, Retry-After %q, %s; want 503 with Retry-After", c.name, r.Status, r.Header.Get("Retry-After"), r.Body)
		}
	}
	if r := s.do("GET", "http://"+s.d.Addr()+"/healthz", "", nil); r.Status != 200 {
		t.Errorf("/healthz during the outage = %d, want 200 (liveness)", r.Status)
	}
}
