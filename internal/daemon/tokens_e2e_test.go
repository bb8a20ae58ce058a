package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// token is a token as GET tokens shows it.
type token struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Scope       string     `json:"scope"`
	SandboxOnly bool       `json:"sandbox_only"`
	CreatedOn   time.Time  `json:"created_on"`
	LastUsedOn  *time.Time `json:"last_used_on"`
	ExpiresOn   *time.Time `json:"expires_on"`
	Current     bool       `json:"current"`
	Value       string     `json:"value"`
}

// tokensURL returns the test account's tokens endpoint.
func (s *server) tokensURL() string {
	return strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + s.account + "/tokens"
}

// createToken POSTs body to the tokens endpoint with the given token and
// returns the new token, failing unless the answer is 201 with a secret.
func (s *server) createToken(with string, body string) token {
	s.t.Helper()
	r := s.do("POST", s.tokensURL(), with, body)
	var tok token
	if r.Status != http.StatusCreated || json.Unmarshal(r.Env.Result, &tok) != nil || !strings.HasPrefix(tok.Value, "orat_") {
		s.t.Fatalf("POST tokens %s = %d %s, want 201 with the token's value", body, r.Status, r.Body)
	}
	return tok
}

func (s *server) listTokens(with string) []token {
	s.t.Helper()
	r := s.do("GET", s.tokensURL(), with, nil)
	var ts []token
	if r.Status != http.StatusOK || json.Unmarshal(r.Env.Result, &ts) != nil {
		s.t.Fatalf("GET tokens = %d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), `"value"`) || strings.Contains(string(r.Body), "orat_") {
		s.t.Errorf("GET tokens shows a secret: %s", r.Body)
	}
	return ts
}

// TestTokenAPI creates, lists, uses and revokes tokens through the API:
// the secret is shown once, scopes and expiry are enforced, another
// account's tokens are not found, and a revoked token is refused at once.
func TestTokenAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)

		for _, tc := range []struct{ name, body, pointer string }{
			{"no name", `{}`, "/name"},
			{"blank name", `{"name":"  "}`, "/name"},
			{"long name", `{"name":"` + strings.Repeat("n", 101) + `"}`, "/name"},
			{"control character", `{"name":"a\u0007b"}`, "/name"},
			{"unknown member", `{"name":"ci","value":"orat_x"}`, "/value"},
			{"bad scope", `{"name":"ci","scope":"admin"}`, "/scope"},
			{"scope not a string", `{"name":"ci","scope":1}`, "/scope"},
			{"bad expiry", `{"name":"ci","expires_on":"tomorrow"}`, "/expires_on"},
			{"past expiry", `{"name":"ci","expires_on":"2001-01-01T00:00:00Z"}`, "/expires_on"},
		} {
			r := s.do("POST", s.tokensURL(), s.token, tc.body)
			if r.Status != http.StatusBadRequest || len(r.Env.Errors) == 0 || r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != tc.pointer {
				t.Errorf("%s: POST tokens %s = %d %s, want 400 at %s", tc.name, tc.body, r.Status, r.Body, tc.pointer)
			}
		}

		ro := s.createToken(s.token, `{"name":"dashboard","scope":"read"}`)
		if ro.Scope != "read" || ro.SandboxOnly || ro.ExpiresOn != nil || ro.Name != "dashboard" || ro.Current {
			t.Errorf("created %+v, want a read-only token named dashboard that does not expire", ro)
		}
		sb := s.createToken(s.token, `{"name":"ci","sandbox_only":true}`)
		if sb.Scope != "read_write" || !sb.SandboxOnly {
			t.Errorf("created %+v, want read_write, sandbox-only", sb)
		}

		ts := s.listTokens(s.token)
		if len(ts) != 3 || ts[0].Name != "default" || !ts[0].Current || ts[1].ID != ro.ID || ts[1].Current || ts[2].ID != sb.ID {
			t.Errorf("GET tokens = %+v, want default (current), dashboard, ci", ts)
		}
		if ts[0].LastUsedOn == nil || time.Since(*ts[0].LastUsedOn) > time.Minute {
			t.Errorf("the token in use has last_used_on %v, want about now", ts[0].LastUsedOn)
		}
		if r := s.do("GET", s.tokensURL()+"/"+ro.ID, s.token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"name":"dashboard"`) || strings.Contains(string(r.Body), ro.Value) {
			t.Errorf("GET tokens/{id} = %d %s, want the token without its secret", r.Status, r.Body)
		}

		// Read-only: reads and domain checks, never a change.
		live, sandbox := s.base("registrar"), s.base("registrar-sandbox")
		for _, tc := range []struct {
			what, method, url, with, body string
			want                          int
		}{
			{"read-only lists", "GET", live + "/registrations", ro.Value, "", 200},
			{"read-only checks", "POST", live + "/domain-check", ro.Value, `{"domains":["free-name.com"]}`, 200},
			{"read-only registers", "POST", live + "/registrations", ro.Value, `{"domain_name":"ro.com"}`, 403},
			{"read-only creates a token", "POST", s.tokensURL(), ro.Value, `{"name":"x","scope":"read"}`, 403},
			{"read-only revokes", "DELETE", s.tokensURL() + "/" + sb.ID, ro.Value, "", 403},
			{"sandbox-only in the sandbox", "GET", sandbox + "/registrations", sb.Value, "", 200},
			{"sandbox-only in live", "GET", live + "/registrations", sb.Value, "", 403},
			{"sandbox-only lists tokens", "GET", s.tokensURL(), sb.Value, "", 200},
			{"sandbox-only creates a live token", "POST", s.tokensURL(), sb.Value, `{"name":"x"}`, 403},
			{"sandbox-only revokes a live token", "DELETE", s.tokensURL() + "/" + ro.ID, sb.Value, "", 403},
			{"unknown token ID", "GET", s.tokensURL() + "/" + strings.Repeat("0", 32), s.token, "", 404},
		} {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := s.do(tc.method, tc.url, tc.with, body)
			if r.Status != tc.want {
				t.Errorf("%s: %s %s = %d %s, want %d", tc.what, tc.method, tc.url, r.Status, r.Body, tc.want)
			}
			if tc.want == 403 && (len(r.Env.Errors) == 0 || r.Env.Errors[0].Code != 10000 ||
				!strings.Contains(r.Env.Errors[0].Message, "read-only") && !strings.Contains(r.Env.Errors[0].Message, "sandbox-only")) {
				t.Errorf("%s: refusal %s, want code 10000 saying why (read-only or sandbox-only)", tc.what, r.Body)
			}
		}
		sub := s.createToken(sb.Value, `{"name":"ci-sub","sandbox_only":true,"scope":"read"}`)
		if !sub.SandboxOnly || sub.Scope != "read" {
			t.Errorf("a sandbox-only token created %+v, want a sandbox-only read token", sub)
		}

		// Another account: its token cannot see ours, nor ours its.
		otherAccount, otherToken := s.newAccount("other", daemon.SampleContact())
		if r := s.do("GET", s.tokensURL(), otherToken, nil); r.Status != http.StatusNotFound {
			t.Errorf("GET another account's tokens = %d %s, want 404", r.Status, r.Body)
		}
		otherURL := strings.TrimSuffix(s.d.URL(), "/") + "/accounts/" + otherAccount + "/tokens"
		for _, method := range []string{"GET", "DELETE"} {
			if r := s.do(method, otherURL+"/"+ro.ID, otherToken, nil); r.Status != http.StatusNotFound {
				t.Errorf("%s another account's token by ID = %d %s, want 404", method, r.Status, r.Body)
			}
		}

		// Expiry: 401 like an unknown token, once the time has passed.
		exp := s.createToken(s.token, `{"name":"short","expires_on":"`+time.Now().Add(1500*time.Millisecond).UTC().Format(time.RFC3339Nano)+`"}`)
		if r := s.do("GET", live+"/registrations", exp.Value, nil); r.Status != http.StatusOK {
			t.Fatalf("GET with a token before its expiry = %d %s", r.Status, r.Body)
		}
		eventually(t, 4*time.Second, "the expired token is refused", func() bool {
			return s.do("GET", live+"/registrations", exp.Value, nil).Status == http.StatusUnauthorized
		})

		// Revocation: at once; the token in use may revoke itself; the
		// account's last full token may not be revoked.
		if r := s.do("DELETE", s.tokensURL()+"/"+ro.ID, s.token, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), ro.ID) {
			t.Fatalf("DELETE tokens/{id} = %d %s", r.Status, r.Body)
		}
		if r := s.do("GET", live+"/registrations", ro.Value, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("GET with a revoked token = %d %s, want 401", r.Status, r.Body)
		}
		if r := s.do("GET", s.tokensURL()+"/"+ro.ID, s.token, nil); r.Status != http.StatusNotFound {
			t.Errorf("GET a revoked token = %d %s, want 404", r.Status, r.Body)
		}
		if r := s.do("DELETE", s.tokensURL()+"/"+ts[0].ID, s.token, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "last API token") {
			t.Errorf("DELETE the last full token = %d %s, want 409", r.Status, r.Body)
		}
		second := s.createToken(s.token, `{"name":"second"}`)
		if r := s.do("DELETE", s.tokensURL()+"/"+ts[0].ID, s.token, nil); r.Status != http.StatusOK {
			t.Errorf("DELETE the token in use = %d %s, want 200", r.Status, r.Body)
		}
		if r := s.do("GET", s.tokensURL(), s.token, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("GET after revoking the token in use = %d %s, want 401", r.Status, r.Body)
		}
		// An expired token is listed (until revoked), with its expiry.
		if ts := s.listTokens(second.Value); len(ts) != 4 || ts[0].ID != sb.ID || ts[1].ID != sub.ID || ts[2].ID != exp.ID || ts[2].ExpiresOn == nil ||
			ts[3].ID != second.ID || !ts[3].Current {
			t.Errorf("tokens left = %+v, want ci, ci-sub, short (expired), second (current)", ts)
		}
	})
}

// TestTokenRevokedOnEveryReplica revokes a token on one of two replicas
// of one PostgreSQL database after both have used (and cached) it: the
// other refuses it as soon as the notification arrives.
func TestTokenRevokedOnEveryReplica(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	first := startServer(t, storetest.Postgres, nil)
	cfg := first.cfg
	cfg.DataDir = t.TempDir()
	d, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("second replica: %v", err)
	}
	t.Cleanup(func() { d.Stop(context.Background()) })
	second := &server{t: t, d: d, cfg: cfg, clock: first.clock, account: first.account, token: first.token}

	tok := first.createToken(first.token, `{"name":"replicated"}`)
	for _, s := range []*server{first, second} {
		for range 3 { // cached after the first
			if r := s.do("GET", s.base("registrar")+"/registrations", tok.Value, nil); r.Status != http.StatusOK {
				t.Fatalf("GET on %s = %d %s", s.d.Addr(), r.Status, r.Body)
			}
		}
	}
	if r := first.do("DELETE", first.tokensURL()+"/"+tok.ID, first.token, nil); r.Status != http.StatusOK {
		t.Fatalf("DELETE = %d %s", r.Status, r.Body)
	}
	if r := first.do("GET", first.base("registrar")+"/registrations", tok.Value, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the revoking replica: GET = %d, want 401 at once", r.Status)
	}
	eventually(t, 2*time.Second, "the other replica refuses the revoked token", func() bool {
		return second.do("GET", second.base("registrar")+"/registrations", tok.Value, nil).Status == http.StatusUnauthorized
	})
}

// eventually polls cond every 20 ms until it holds, failing the test if
// it does not within limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
