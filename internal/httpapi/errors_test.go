package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// TestWriteError is the error table as the wire shows it: each kind of
// error, and each rule with a code of its own, gives its status, code,
// pointer and x-should-retry. The codes are the API reference's where it
// has one (docs/API.md lists them all).
func TestWriteError(t *testing.T) {
	t.Parallel()
	type item struct {
		Code    int    `json:"code"`
		Pointer string `json:"pointer"`
	}
	tests := []struct {
		name   string
		err    error
		status int
		items  []item
		retry  bool
	}{
		{"schema violation", registrar.Invalid("t", "/years", "too many"), 400, []item{{10000, "/years"}}, false},
		{"several violations", &registrar.Error{Kind: registrar.KindInvalid, Fields: []registrar.FieldError{{Pointer: "/a", Message: "x"}, {Pointer: "/b", Message: "y"}}},
			400, []item{{10000, "/a"}, {10000, "/b"}}, false},
		{"query parameter", registrar.Invalid("t", "?limit", "limit"), 400, []item{{10000, ""}}, false},
		{"malformed body", &jsonstrict.Error{Pointer: "/years", Message: "expected integer"}, 400, []item{{10000, "/years"}}, false},
		{"check: no names", registrar.InvalidRule("t", registrar.RuleDomainsEmpty, "/domains", "none"), 400, []item{{1006, "/domains"}}, false},
		{"check: too many names", registrar.InvalidRule("t", registrar.RuleDomainsTooMany, "/domains", "21"), 400, []item{{1007, "/domains"}}, false},
		{"check: no valid name", registrar.InvalidRule("t", registrar.RuleNoValidDomain, "/domains", "none valid"), 400, []item{{1008, "/domains"}}, false},
		{"search: q missing", registrar.InvalidRule("t", registrar.RuleQueryMissing, "?q", "q"), 400, []item{{1001, ""}}, false},
		{"search: q too long", registrar.InvalidRule("t", registrar.RuleQueryTooLong, "?q", "q"), 400, []item{{1002, ""}}, false},
		{"domain limit", &registrar.Error{Kind: registrar.KindQuota, Message: "max 100", Fields: []registrar.FieldError{{Pointer: "/domain_name", Message: "max 100"}}},
			400, []item{{10000, "/domain_name"}}, false},
		{"not found", registrar.Errorf(registrar.KindNotFound, "t", "Domain not found"), 404, []item{{10000, ""}}, false},
		{"authentication", registrar.Errorf(registrar.KindUnauthorized, "t", "invalid API token"), 401, []item{{10000, ""}}, false},
		{"permission", registrar.Errorf(registrar.KindForbidden, "t", "scope"), 403, []item{{10000, ""}}, false},
		{"another account", registrar.Errorf(kindNoAccount, "t", "could not route"), 404, []item{{7003, ""}}, false},
		{"no route", registrar.Errorf(kindNoRoute, "t", "no route"), 404, []item{{7000, ""}}, false},
		{"method", registrar.Errorf(kindMethodNotAllowed, "t", "DELETE"), 405, []item{{7001, ""}}, false},
		{"body timeout", registrar.Errorf(kindRequestTimeout, "t", "slow"), 408, []item{{1408, ""}}, true},
		{"feed pruned", registrar.Errorf(kindGone, "t", "resync"), 410, []item{{1410, ""}}, false},
		{"conflict", registrar.Errorf(registrar.KindConflict, "t", "expired"), 409, []item{{1005, ""}}, false},
		{"body too large", &http.MaxBytesError{Limit: 10}, 413, []item{{1013, ""}}, false},
		{"rejected", registrar.Errorf(registrar.KindRejected, "t", "policy"), 422, []item{{10000, ""}}, false},
		{"rate limited", registrar.Errorf(registrar.KindRateLimited, "t", "slow down"), 429, []item{{971, ""}}, true},
		{"internal", errors.New("boom"), 500, []item{{1500, ""}}, true},
		{"unavailable", registrar.Errorf(registrar.KindUnavailable, "t", "db"), 503, []item{{1503, ""}}, true},
		{"renew: max term", &registrar.Error{Kind: registrar.KindInvalid, Reason: registrar.CodeDomainMaxTerm, Message: "past 10 years"}, 400, []item{{10000, "/years"}}, false},
		{"restore: not restorable", &registrar.Error{Kind: registrar.KindConflict, Reason: registrar.CodeNotRestorable, Message: "not in redemption"}, 409, []item{{1005, ""}}, false},
		// A rule code belongs to validation only.
		{"rule on another kind", &registrar.Error{Kind: registrar.KindNotFound, Rule: registrar.RuleQueryMissing, Message: "x"}, 404, []item{{10000, ""}}, false},
	}
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			s.writeError(rec, &request{Request: httptest.NewRequest("GET", "/x", nil), id: "rid"}, tt.err)
			var env struct {
				Errors []struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
					Source  struct {
						Pointer string `json:"pointer"`
					} `json:"source"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatal(err)
			}
			var got []item
			for _, e := range env.Errors {
				if e.Message == "" {
					t.Errorf("error %+v has no message", e)
				}
				got = append(got, item{e.Code, e.Source.Pointer})
			}
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if diff := cmp.Diff(tt.items, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if retry := rec.Header().Get("x-should-retry") != "false"; retry != tt.retry {
				t.Errorf("x-should-retry %q, want retryable %v", rec.Header().Get("x-should-retry"), tt.retry)
			}
		})
	}
}

// TestDomainCheckCount: the number of names is httpapi's rule; each end
// of it has the reference's code, and no registry is asked.
func TestDomainCheckCount(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, registrar.DefaultCatalog())
	many, _ := json.Marshal(map[string]any{"domains": make([]string, 21)})
	tests := []struct {
		name string
		body string
		code int
	}{
		{"no names", `{"domains": []}`, CodeNoDomains},
		{"no domains member", `{}`, CodeNoDomains},
		{"null", `{"domains": null}`, CodeNoDomains},
		{"21 names", string(many), CodeTooManyDomains},
	}
	for _, tt := range tests {
		r := api.do("POST", "registrar", "domain-check", tt.body)
		if r.Status != http.StatusBadRequest || len(r.Env.Errors) != 1 || r.Env.Errors[0].Code != tt.code ||
			r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != "/domains" {
			t.Errorf("%s: POST domain-check = %d %s, want 400 code %d at /domains", tt.name, r.Status, r.Body, tt.code)
		}
	}
}
