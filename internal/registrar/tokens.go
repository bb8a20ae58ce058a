package registrar

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// API tokens as a resource (issue 17, ours): an account's tokens, each
// with a name, scopes (read, or read and write), an optional limit to the
// sandbox environment and an optional expiry. A token never grants more
// than the token that created it.

// TokenAccess is what a token may do, as the API spells it.
type TokenAccess string

// The token accesses.
const (
	// AccessRead may only read: the API's GET requests, and domain check
	// and search (a POST that changes nothing).
	AccessRead TokenAccess = "read"
	// AccessReadWrite may read and change.
	AccessReadWrite TokenAccess = "read_write"
)

// Scopes returns the scopes a token of access a carries.
func (a TokenAccess) Scopes() []Scope {
	if a == AccessRead {
		return []Scope{ScopeRead}
	}
	return []Scope{ScopeRead, ScopeWrite}
}

// AccessOf returns the access of a token carrying scopes.
func AccessOf(scopes []Scope) TokenAccess {
	for _, s := range scopes {
		if s == ScopeWrite {
			return AccessReadWrite
		}
	}
	return AccessRead
}

// TokenNameMaxLength bounds a token's name, in characters.
const TokenNameMaxLength = 100

// TokenLastUsedGranularity is how precisely a token's last use is kept:
// a replica records a use at most once per this interval per token, so
// that authentication does not write on every request.
const TokenLastUsedGranularity = time.Minute

// Token is an API token as its account sees it; its secret is shown once,
// when it is created, and stored only as a hash.
type Token struct {
	ID          string
	AccountID   string
	Name        string
	Scopes      []Scope
	SandboxOnly bool
	CreatedAt   time.Time
	// LastUsedAt is to TokenLastUsedGranularity; zero: never used.
	LastUsedAt time.Time
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time
}

// Principal returns the caller a request with the token is made by.
func (t Token) Principal() Principal {
	return Principal{AccountID: t.AccountID, TokenID: t.ID, Scopes: t.Scopes, SandboxOnly: t.SandboxOnly, ExpiresAt: t.ExpiresAt}
}

// Expired reports whether the token has expired at now.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// TokenRequest is the body of POST tokens: every member optional but name.
type TokenRequest struct {
	Name        *string      `json:"name"`
	Scope       *TokenAccess `json:"scope"`
	SandboxOnly *bool        `json:"sandbox_only"`
	// ExpiresOn is an RFC 3339 time in the future.
	ExpiresOn *string `json:"expires_on"`
}

// NewTokenFor validates req and returns the token it asks for, made by p
// at now (ID, account and creation time filled in): a KindInvalid error
// at the offending member, or KindForbidden when the token would grant
// more than p (write access to a read-only caller, the live environment to
// a sandbox-only one, a longer life than the caller's own). A request
// without an expiry from a caller that expires gets the caller's.
func NewTokenFor(p Principal, req TokenRequest, now time.Time) (Token, error) {
	const op = "registrar.NewToken"
	if req.Name == nil {
		return Token{}, Invalid(op, "/name", "name is required")
	}
	name := *req.Name
	switch {
	case strings.TrimSpace(name) == "":
		return Token{}, Invalid(op, "/name", "name must not be blank")
	case utf8.RuneCountInString(name) > TokenNameMaxLength:
		return Token{}, Invalid(op, "/name", "name must be at most %d characters", TokenNameMaxLength)
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }):
		return Token{}, Invalid(op, "/name", "name must not contain control characters or line separators")
	}
	access := AccessReadWrite
	if req.Scope != nil {
		access = *req.Scope
		if access != AccessRead && access != AccessReadWrite {
			return Token{}, Invalid(op, "/scope", "scope must be %q or %q", AccessRead, AccessReadWrite)
		}
	}
	t := Token{ID: NewID(), AccountID: p.AccountID, Name: name, Scopes: access.Scopes(), CreatedAt: now.UTC().Truncate(time.Microsecond)}
	if req.SandboxOnly != nil {
		t.SandboxOnly = *req.SandboxOnly
	}
	if req.ExpiresOn != nil {
		exp, err := time.Parse(time.RFC3339, *req.ExpiresOn)
		if err != nil {
			return Token{}, Invalid(op, "/expires_on", "expires_on must be an RFC 3339 time, such as 2027-01-02T15:04:05Z")
		}
		if !exp.After(now) {
			return Token{}, Invalid(op, "/expires_on", "expires_on must be in the future")
		}
		t.ExpiresAt = exp.UTC().Truncate(time.Microsecond) // as stored
	} else if !p.ExpiresAt.IsZero() {
		t.ExpiresAt = p.ExpiresAt
	}
	if err := p.mayManage(t, "create"); err != nil {
		return Token{}, err
	}
	return t, nil
}

// MayRevoke returns nil if p may revoke t: its own token, or one that
// grants no more than p; KindForbidden otherwise.
func (p Principal) MayRevoke(t Token) error {
	if t.ID == p.TokenID {
		return nil
	}
	return p.mayManage(t, "revoke")
}

// mayManage returns KindForbidden unless t grants no more than p.
func (p Principal) mayManage(t Token, verb string) error {
	const op = "registrar.Token"
	for _, s := range t.Scopes {
		if !p.Can(s) {
			return Errorf(KindForbidden, op, "a read-only API token cannot %s a token with write access", verb)
		}
	}
	if p.SandboxOnly && !t.SandboxOnly {
		return Errorf(KindForbidden, op, "a sandbox-only API token cannot %s a token for the live environment; set sandbox_only", verb)
	}
	if !p.ExpiresAt.IsZero() && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(p.ExpiresAt)) {
		return Errorf(KindForbidden, op, "an API token that expires at %s cannot %s a token that outlives it", p.ExpiresAt.Format(time.RFC3339), verb)
	}
	return nil
}

// Tokens manages an account's API tokens. Every method is scoped to p's
// account: another account's token is not found. Revoked tokens are not
// found either.
type Tokens interface {
	// CreateToken creates the token req asks for (see NewTokenFor) and
	// returns it with its secret, which is never shown again.
	CreateToken(ctx context.Context, p Principal, req TokenRequest, now time.Time) (Token, string, error)
	// Tokens lists the account's tokens, oldest first.
	Tokens(ctx context.Context, p Principal) ([]Token, error)
	// Token returns one of the account's tokens.
	Token(ctx context.Context, p Principal, id string) (Token, error)
	// RevokeToken revokes a token (see Principal.MayRevoke) at once on
	// every replica. Revoking the account's last token that can read and
	// write in both environments and does not expire by now is a
	// KindConflict: the account would be locked out of managing itself.
	RevokeToken(ctx context.Context, p Principal, id string, now time.Time) error
}
