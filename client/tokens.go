package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// API tokens (this server's extension: Cloudflare manages tokens in its
// own dashboard and API). The endpoints are the account's, outside both
// environments: accounts/{id}/tokens.

// Token scopes: what a token may do.
const (
	// TokenScopeRead reads (and checks and searches domains), never changes.
	TokenScopeRead = "read"
	// TokenScopeReadWrite reads and changes.
	TokenScopeReadWrite = "read_write"
)

// Token is an API token of the account. Value, the secret, is in the
// answer of CreateToken only.
type Token struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Scope is TokenScopeRead or TokenScopeReadWrite.
	Scope string `json:"scope"`
	// SandboxOnly tokens reach the sandbox environment only.
	SandboxOnly bool      `json:"sandbox_only"`
	CreatedOn   time.Time `json:"created_on"`
	// LastUsedOn is kept to the minute; nil: never used.
	LastUsedOn *time.Time `json:"last_used_on"`
	// ExpiresOn is nil for a token that does not expire.
	ExpiresOn *time.Time `json:"expires_on"`
	// Current marks the token the request was made with.
	Current bool   `json:"current"`
	Value   string `json:"value,omitempty"`
}

// TokenRequest creates a token: Name is required; Scope defaults to
// TokenScopeReadWrite. A token never grants more than the one creating it.
type TokenRequest struct {
	Name        string     `json:"name"`
	Scope       string     `json:"scope,omitempty"`
	SandboxOnly bool       `json:"sandbox_only,omitempty"`
	ExpiresOn   *time.Time `json:"expires_on,omitempty"`
}

var errNoTokenID = errors.New("client: empty token ID")

// CreateToken creates a token (POST tokens); the answer carries its
// secret, shown only here.
func (c *Client) CreateToken(ctx context.Context, req TokenRequest) (*Token, error) {
	var t Token
	if err := c.tokenCall(ctx, http.MethodPost, req, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Tokens lists the account's tokens, oldest first (GET tokens).
func (c *Client) Tokens(ctx context.Context) ([]Token, error) {
	var ts []Token
	return ts, c.tokenCall(ctx, http.MethodGet, nil, &ts)
}

// Token returns a token (GET tokens/{id}).
func (c *Client) Token(ctx context.Context, id string) (*Token, error) {
	if id == "" {
		return nil, errNoTokenID
	}
	var t Token
	if err := c.tokenCall(ctx, http.MethodGet, nil, &t, id); err != nil {
		return nil, err
	}
	return &t, nil
}

// RevokeToken revokes a token (DELETE tokens/{id}), at once on every
// replica. The server refuses (409) to revoke the account's last token
// that can read and write in both environments.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	if id == "" {
		return errNoTokenID
	}
	return c.tokenCall(ctx, http.MethodDelete, nil, nil, id)
}

func (c *Client) tokenCall(ctx context.Context, method string, body, out any, id ...string) error {
	if c.account == "" {
		return ErrNoAccount
	}
	u := c.base.String() + "accounts/" + url.PathEscape(c.account) + "/tokens"
	for _, s := range id {
		u += "/" + url.PathEscape(s)
	}
	_, err := c.call(ctx, method, u, body, nil, out)
	return err
}
