package daemon_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestBadInput sends malformed and invalid requests: each gets the right
// status and a clear error naming the field, and nothing is stored.
func TestBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		ctx := context.Background()
		owner, err := s.d.DB().Authenticate(ctx, registrar.HashSecret(s.token))
		if err != nil {
			t.Fatal(err)
		}
		name, access := "read-only", registrar.AccessRead
		_, readOnly, err := s.d.DB().CreateToken(ctx, owner, registrar.TokenRequest{Name: &name, Scope: &access}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		contact := func(edit func(c map[string]any)) map[string]any {
			c := map[string]any{"email": "ada@example.com", "phone": "+44.2071234567", "postal_info": map[string]any{
				"name": "Ada", "address": map[string]any{"street": "1 Main St", "city": "London", "state": "LDN", "postal_code": "N1", "country_code": "GB"}}}
			edit(c)
			return map[string]any{"domain_name": "bad-input.com", "contacts": map[string]any{"registrant": c}}
		}
		regs := s.base("registrar") + "/registrations"
		tests := []struct {
			name     string
			method   string
			url      string
			token    string
			body     any
			header   []string
			status   int
			code     int
			pointers []string // the errors' source pointers, in order ("" for none)
			message  string   // a substring of the first error's message
		}{
			{"malformed JSON", "POST", regs, s.token, `{"domain_name": `, nil, 400, 10000, []string{""}, "invalid JSON"},
			{"not an object", "POST", regs, s.token, `["a.com"]`, nil, 400, 10000, []string{""}, "expected object"},
			{"empty body", "POST", regs, s.token, ``, nil, 400, 10000, []string{""}, "empty"},
			{"trailing data", "POST", regs, s.token, `{"domain_name":"a.com"} {}`, nil, 400, 10000, []string{""}, "trailing"},
			{"unknown field", "POST", regs, s.token, `{"domain_name":"a.com","colour":"red"}`, nil, 400, 10000, []string{"/colour"}, "unknown field"},
			{"unknown nested field", "POST", regs, s.token, contact(func(c map[string]any) { c["nickname"] = "Ada" }), nil, 400, 10000, []string{"/contacts/registrant/nickname"}, "unknown field"},
			{"wrong type name", "POST", regs, s.token, `{"domain_name": 5}`, nil, 400, 10000, []string{"/domain_name"}, "expected string"},
			{"wrong type years", "POST", regs, s.token, `{"domain_name":"a.com","years":"two"}`, nil, 400, 10000, []string{"/years"}, "expected integer"},
			{"fractional years", "POST", regs, s.token, `{"domain_name":"a.com","years":1.5}`, nil, 400, 10000, []string{"/years"}, "integer"},
			{"wrong type auto_renew", "POST", regs, s.token, `{"domain_name":"a.com","auto_renew":"yes"}`, nil, 400, 10000, []string{"/auto_renew"}, "expected bool"},
			{"duplicate field", "POST", regs, s.token, `{"domain_name":"a.com","domain_name":"b.com"}`, nil, 400, 10000, []string{"/domain_name"}, "duplicate"},
			{"empty name", "POST", regs, s.token, `{"domain_name":""}`, nil, 400, 10000, []string{"/domain_name"}, "required"},
			{"missing name", "POST", regs, s.token, `{}`, nil, 400, 10000, []string{"/domain_name"}, "required"},
			{"300-character name", "POST", regs, s.token, map[string]any{"domain_name": strings.Repeat("a", 296) + ".com"}, nil, 400, 10000, []string{"/domain_name"}, "long"},
			{"no extension", "POST", regs, s.token, `{"domain_name":"example"}`, nil, 400, 10000, []string{"/domain_name"}, "no extension"},
			{"bare extension", "POST", regs, s.token, `{"domain_name":"com"}`, nil, 400, 10000, []string{"/domain_name"}, "extension on its own"},
			{"subdomain", "POST", regs, s.token, `{"domain_name":"www.example.com"}`, nil, 400, 10000, []string{"/domain_name"}, "subdomain"},
			{"bad character", "POST", regs, s.token, `{"domain_name":"ex ample.com"}`, nil, 400, 10000, []string{"/domain_name"}, ""},
			{"unsupported extension", "POST", regs, s.token, `{"domain_name":"example.co.uk"}`, nil, 400, 10000, []string{"/domain_name"}, "not supported"},
			{"years 0", "POST", regs, s.token, `{"domain_name":"a.com","years":0}`, nil, 400, 10000, []string{"/years"}, "(.com registers for 1 to 10 years)"},
			{"years 11", "POST", regs, s.token, `{"domain_name":"a.com","years":11}`, nil, 400, 10000, []string{"/years"}, "(.com registers for 1 to 10 years)"},
			{"privacy mode", "POST", regs, s.token, `{"domain_name":"a.com","privacy_mode":"public"}`, nil, 400, 10000, []string{"/privacy_mode"}, "redaction"},
			{"bad contact", "POST", regs, s.token, contact(func(c map[string]any) { c["email"] = "nope"; c["phone"] = "555-1234" }), nil, 400, 10000,
				[]string{"/contacts/registrant/email", "/contacts/registrant/phone"}, "email"},
			{"contact without address", "POST", regs, s.token, contact(func(c map[string]any) { delete(c["postal_info"].(map[string]any), "address") }), nil, 400, 10000,
				[]string{"/contacts/registrant/postal_info/address"}, "required"},
			{"10 MB body", "POST", regs, s.token, `{"domain_name":"a.com","acknowledgements":{"x":"` + strings.Repeat("x", 10<<20) + `"}}`, nil, 413, 1013, []string{""}, "larger than"},
			{"no token", "POST", regs, "", `{"domain_name":"a.com"}`, nil, 401, 10000, []string{""}, "missing API token"},
			{"garbage token", "POST", regs, "garbage", `{"domain_name":"a.com"}`, nil, 401, 10000, []string{""}, "invalid API token"},
			{"unknown token", "POST", regs, "orat_" + strings.Repeat("A", 43), `{"domain_name":"a.com"}`, nil, 401, 10000, []string{""}, "invalid API token"},
			{"API key", "POST", regs, "", `{"domain_name":"a.com"}`, []string{"X-Auth-Key", "k", "X-Auth-Email", "a@example.com"}, 401, 10000, []string{""}, "API token"},
			{"read-only token", "POST", regs, readOnly, `{"domain_name":"a.com"}`, nil, 403, 10000, []string{""}, "registrar:write"},
			{"unknown account", "POST", strings.Replace(regs, s.account, registrar.NewID(), 1), s.token, `{"domain_name":"a.com"}`, nil, 404, 7003, []string{""}, "could not route"},
			{"malformed account", "GET", strings.Replace(regs, s.account, "x", 1), s.token, nil, nil, 404, 7003, []string{""}, "could not route"},
			{"bad path domain", "GET", regs + "/not_a_domain/registration-status", s.token, nil, nil, 400, 10000, []string{""}, "domain_name in the path"},
			{"per_page 0", "GET", regs + "?per_page=0", s.token, nil, nil, 400, 10000, []string{""}, "per_page"},
			{"per_page 51", "GET", regs + "?per_page=51", s.token, nil, nil, 400, 10000, []string{""}, "per_page"},
			{"per_page text", "GET", regs + "?per_page=ten", s.token, nil, nil, 400, 10000, []string{""}, "per_page"},
			{"direction", "GET", regs + "?direction=up", s.token, nil, nil, 400, 10000, []string{""}, "direction"},
			{"sort_by", "GET", regs + "?sort_by=price", s.token, nil, nil, 400, 10000, []string{""}, "sort_by"},
			{"cursor", "GET", regs + "?cursor=garbage", s.token, nil, nil, 400, 10000, []string{""}, "cursor"},
			{"unknown registration", "GET", regs + "/never-registered.com", s.token, nil, nil, 404, 10000, []string{""}, "Domain not found"},
			{"unknown registration's update", "PATCH", regs + "/never-registered.com", s.token, `{"auto_renew":true}`, nil, 404, 10000, []string{""}, "Domain not found"},
			{"unknown registration workflow", "GET", regs + "/never-registered.com/registration-status", s.token, nil, nil, 404, 10000, []string{""}, "No workflow found for never-registered.com"},
			{"unknown update workflow", "GET", regs + "/never-registered.com/update-status", s.token, nil, nil, 404, 10000, []string{""}, "No workflow found for never-registered.com"},
			{"unknown route", "GET", s.base("registrar") + "/frobnicate", s.token, nil, nil, 404, 7000, []string{""}, "no route"},
			{"wrong method", "DELETE", regs, s.token, nil, nil, 405, 7001, []string{""}, "not allowed"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.do(tt.method, tt.url, tt.token, tt.body, tt.header...)
				if r.Status != tt.status || r.Env.Success || r.Env.Errors == nil || r.Env.Messages == nil {
					t.Fatalf("%s = %d %s, want %d with the error envelope", tt.name, r.Status, truncate(r.Body), tt.status)
				}
				var ptrs []string
				for _, e := range r.Env.Errors {
					if e.Code != tt.code || e.Message == "" {
						t.Errorf("error %+v, want code %d and a message", e, tt.code)
					}
					p := ""
					if e.Source != nil {
						p = e.Source.Pointer
					}
					ptrs = append(ptrs, p)
				}
				if strings.Join(ptrs, " ") != strings.Join(tt.pointers, " ") {
					t.Errorf("error pointers = %q, want %q (body %s)", ptrs, tt.pointers, truncate(r.Body))
				}
				if !strings.Contains(r.Env.Errors[0].Message, tt.message) {
					t.Errorf("error message %q does not say %q", r.Env.Errors[0].Message, tt.message)
				}
				if r.Header.Get("x-should-retry") != "false" {
					t.Errorf("x-should-retry = %q, want false: retrying cannot fix this", r.Header.Get("x-should-retry"))
				}
				if tt.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") == "" {
					t.Error("405 without an Allow header")
				}
			})
		}
		// Nothing was stored and the registry heard of nothing.
		page, err := s.d.DB().ListRegistrations(ctx, s.account, registrar.EnvLive, registrar.ListOptions{})
		if err != nil || len(page.Items) != 0 {
			t.Errorf("registrations after bad input: %+v, %v", page.Items, err)
		}
		for _, d := range []string{"a.com", "bad-input.com", "b.com"} {
			if _, err := s.d.DB().RegistrationStatus(ctx, s.account, registrar.EnvLive, d); !registrar.IsKind(err, registrar.KindNotFound) {
				t.Errorf("a workflow for %s exists after bad input: %v", d, err)
			}
		}
		log, _ := s.builtin("registrar").Log(ctx)
		for _, e := range log {
			if e.Command != "poll" {
				t.Errorf("the registry received %s %s after bad input only", e.Command, e.Domain)
			}
		}
	})
}

// TestRateLimit: a token over its budget gets 429 with Retry-After, and
// other tokens are not affected.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
		c.API.RateLimit = 0.5
		c.API.RateBurst = 3
	})
	url := s.base("registrar") + "/registrations"
	for i := range 3 {
		if r := s.do("GET", url, s.token, nil); r.Status != http.StatusOK {
			t.Fatalf("request %d within the burst = %d %s", i+1, r.Status, r.Body)
		}
	}
	r := s.do("GET", url, s.token, nil)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || r.Env.Errors[0].Code != 971 {
		t.Errorf("request over the limit = %d (Retry-After %q) %s, want 429 with Retry-After", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if r.Header.Get("x-should-retry") == "false" {
		t.Error("429 says x-should-retry: false; waiting does fix it")
	}
	otherID, otherToken := s.newAccount("other", nil)
	if r := s.do("GET", strings.Replace(url, s.account, otherID, 1), otherToken, nil); r.Status != http.StatusOK {
		t.Errorf("another token's request = %d, want 200", r.Status)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
