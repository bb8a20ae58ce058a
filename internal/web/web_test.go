package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// fakeSessions holds sessions in memory, by ID hash.
type fakeSessions struct {
	live    map[string]registrar.Principal
	revoked []string
}

func (f *fakeSessions) CreateSession(_ context.Context, h string, p registrar.Principal, _, _ time.Time) error {
	f.live[h] = p
	return nil
}

func (f *fakeSessions) Session(_ context.Context, h string, _ time.Time) (registrar.Principal, error) {
	p, ok := f.live[h]
	if !ok {
		return p, registrar.Errorf(registrar.KindUnauthorized, "fake", "no session")
	}
	return p, nil
}

func (f *fakeSessions) RevokeSession(_ context.Context, h string, _ time.Time) error {
	delete(f.live, h)
	f.revoked = append(f.revoked, h)
	return nil
}

// TestPostRefusals: every POST needs the session's CSRF token, and a
// read-only session may only sign out. The handlers behind are not
// reached when refused (Workflows is nil: reaching it would panic).
func TestPostRefusals(t *testing.T) {
	const writeID, readID = "write-session", "read-session"
	sessions := &fakeSessions{live: map[string]registrar.Principal{
		registrar.HashSecret(writeID): {AccountID: "a", TokenID: "t1", Scopes: []registrar.Scope{registrar.ScopeRead, registrar.ScopeWrite}},
		registrar.HashSecret(readID):  {AccountID: "a", TokenID: "t2", Scopes: []registrar.Scope{registrar.ScopeRead}},
	}}
	s := New(Deps{Sessions: sessions})
	settings := "/dashboard/live/registrations/example.com/settings"
	tests := []struct {
		name, path, session, csrf string
		want                      int
	}{
		{"no session", settings, "", "", http.StatusForbidden},
		{"no CSRF token", settings, writeID, "", http.StatusForbidden},
		{"another session's CSRF token", settings, writeID, csrfToken(readID), http.StatusForbidden},
		{"a truncated CSRF token", settings, writeID, csrfToken(writeID)[:10], http.StatusForbidden},
		{"read-only session", settings, readID, csrfToken(readID), http.StatusForbidden},
		{"read-only session signs out", "/dashboard/signout", readID, csrfToken(readID), http.StatusSeeOther},
		{"sign-out without CSRF token", "/dashboard/signout", writeID, "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"setting": {"auto_renew"}, "value": {"on"}}
			if tt.csrf != "" {
				form.Set("csrf", tt.csrf)
			}
			req := httptest.NewRequest("POST", tt.path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.session != "" {
				req.AddCookie(&http.Cookie{Name: CookieName, Value: tt.session})
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("POST %s = %d, want %d: %s", tt.path, rec.Code, tt.want, rec.Body)
			}
			if got := rec.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
				t.Errorf("CSP = %q", got)
			}
		})
	}
	if _, ok := sessions.live[registrar.HashSecret(readID)]; ok {
		t.Error("sign-out left the read-only session live")
	}
	if _, ok := sessions.live[registrar.HashSecret(writeID)]; !ok {
		t.Error("a refused sign-out ended the session")
	}
}

// TestSecureCookieOverTLS: the session cookie is Secure when the sign-in
// came over TLS.
func TestSecureCookieOverTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		s := &Server{}
		req := httptest.NewRequest("POST", "https://example.com/dashboard/signin", nil)
		if !tls {
			req.TLS = nil
		}
		rec := httptest.NewRecorder()
		s.setCookie(rec, req, "id", 60)
		c := rec.Result().Cookies()[0]
		if c.Secure != tls || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("TLS %v: cookie %+v", tls, c)
		}
	}
}
