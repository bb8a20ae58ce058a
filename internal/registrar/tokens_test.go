package registrar

import (
	"testing"
	"time"
)

func TestNewTokenFor(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	later := now.Add(48 * time.Hour)
	full := Principal{AccountID: "a", TokenID: "t", Scopes: AccessReadWrite.Scopes()}
	readOnly := Principal{AccountID: "a", TokenID: "t", Scopes: AccessRead.Scopes()}
	sandbox := Principal{AccountID: "a", TokenID: "t", Scopes: AccessReadWrite.Scopes(), SandboxOnly: true}
	expiring := Principal{AccountID: "a", TokenID: "t", Scopes: AccessReadWrite.Scopes(), ExpiresAt: now.Add(24 * time.Hour)}
	str := func(s string) *string { return &s }
	acc := func(a TokenAccess) *TokenAccess { return &a }
	yes := true
	for _, tc := range []struct {
		name    string
		p       Principal
		req     TokenRequest
		kind    Kind   // 0: no error
		pointer string // for KindInvalid
		check   func(Token) bool
	}{
		{"defaults", full, TokenRequest{Name: str("ci")}, 0, "", func(tk Token) bool {
			return AccessOf(tk.Scopes) == AccessReadWrite && !tk.SandboxOnly && tk.ExpiresAt.IsZero() && tk.AccountID == "a" && ValidID(tk.ID)
		}},
		{"read, sandbox, expiry", full, TokenRequest{Name: str("ci"), Scope: acc(AccessRead), SandboxOnly: &yes, ExpiresOn: str(later.Format(time.RFC3339))}, 0, "",
			func(tk Token) bool {
				return AccessOf(tk.Scopes) == AccessRead && tk.SandboxOnly && tk.ExpiresAt.Equal(later)
			}},
		{"no name", full, TokenRequest{}, KindInvalid, "/name", nil},
		{"blank name", full, TokenRequest{Name: str(" \t")}, KindInvalid, "/name", nil},
		{"long name", full, TokenRequest{Name: str(string(make([]byte, 101)))}, KindInvalid, "/name", nil},
		{"line separator", full, TokenRequest{Name: str("a\u2028b")}, KindInvalid, "/name", nil},
		{"unknown scope", full, TokenRequest{Name: str("ci"), Scope: acc("write")}, KindInvalid, "/scope", nil},
		{"malformed expiry", full, TokenRequest{Name: str("ci"), ExpiresOn: str("2027-01-01")}, KindInvalid, "/expires_on", nil},
		{"past expiry", full, TokenRequest{Name: str("ci"), ExpiresOn: str(now.Format(time.RFC3339))}, KindInvalid, "/expires_on", nil},
		{"read-only asks write", readOnly, TokenRequest{Name: str("ci")}, KindForbidden, "", nil},
		{"read-only asks read", readOnly, TokenRequest{Name: str("ci"), Scope: acc(AccessRead)}, 0, "", nil},
		{"sandbox-only asks live", sandbox, TokenRequest{Name: str("ci")}, KindForbidden, "", nil},
		{"sandbox-only asks sandbox", sandbox, TokenRequest{Name: str("ci"), SandboxOnly: &yes}, 0, "", nil},
		{"expiring inherits", expiring, TokenRequest{Name: str("ci")}, 0, "", func(tk Token) bool { return tk.ExpiresAt.Equal(expiring.ExpiresAt) }},
		{"expiring asks longer", expiring, TokenRequest{Name: str("ci"), ExpiresOn: str(later.Format(time.RFC3339))}, KindForbidden, "", nil},
	} {
		tk, err := NewTokenFor(tc.p, tc.req, now)
		if tc.kind == 0 {
			if err != nil || (tc.check != nil && !tc.check(tk)) {
				t.Errorf("%s: NewTokenFor = %+v, %v: not as wanted", tc.name, tk, err)
			}
			continue
		}
		if !IsKind(err, tc.kind) {
			t.Errorf("%s: NewTokenFor error = %v, want kind %v", tc.name, err, tc.kind)
			continue
		}
		if e, _ := err.(*Error); tc.pointer != "" && (len(e.Fields) != 1 || e.Fields[0].Pointer != tc.pointer) {
			t.Errorf("%s: error %v, want it at %s", tc.name, err, tc.pointer)
		}
	}
}

func TestMayRevoke(t *testing.T) {
	t.Parallel()
	readOnly := Principal{TokenID: "me", Scopes: AccessRead.Scopes()}
	sandbox := Principal{TokenID: "me", Scopes: AccessReadWrite.Scopes(), SandboxOnly: true}
	for _, tc := range []struct {
		name string
		p    Principal
		t    Token
		want bool
	}{
		{"itself", readOnly, Token{ID: "me", Scopes: AccessRead.Scopes()}, true},
		{"read-only, a read token", readOnly, Token{ID: "x", Scopes: AccessRead.Scopes()}, true},
		{"read-only, a write token", readOnly, Token{ID: "x", Scopes: AccessReadWrite.Scopes()}, false},
		{"sandbox-only, a live token", sandbox, Token{ID: "x", Scopes: AccessRead.Scopes()}, false},
		{"sandbox-only, a sandbox token", sandbox, Token{ID: "x", Scopes: AccessReadWrite.Scopes(), SandboxOnly: true}, true},
	} {
		if err := tc.p.MayRevoke(tc.t); (err == nil) != tc.want || (err != nil && !IsKind(err, KindForbidden)) {
			t.Errorf("%s: MayRevoke = %v, want allowed %v", tc.name, err, tc.want)
		}
	}
}
