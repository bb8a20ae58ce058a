package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// API tokens (issue 17, ours): an account's tokens, outside both
// environments (a sandbox-only token may manage tokens, but never create
// or revoke one that reaches the live environment).

func (s *Server) tokenRoutes() {
	base := "/client/v4/accounts/{account_id}/tokens"
	read, write := registrar.ScopeRead, registrar.ScopeWrite
	s.handle(base, map[string]http.HandlerFunc{
		"GET":  s.api("", read, s.handleTokenList),
		"POST": s.api("", write, s.handleTokenCreate),
	})
	s.handle(base+"/{id}", map[string]http.HandlerFunc{
		"GET":    s.api("", read, s.handleTokenGet),
		"DELETE": s.api("", write, s.handleTokenDelete),
	})
}

// tokenResult is a token as the API shows it. Value, the secret, appears
// only in the answer of create; Current marks the token of the request.
type tokenResult struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Scope       registrar.TokenAccess `json:"scope"`
	SandboxOnly bool                  `json:"sandbox_only"`
	CreatedOn   time.Time             `json:"created_on"`
	LastUsedOn  *time.Time            `json:"last_used_on"`
	ExpiresOn   *time.Time            `json:"expires_on"`
	Current     bool                  `json:"current"`
	Value       string                `json:"value,omitempty"`
}

func tokenOf(t registrar.Token, r *request) tokenResult {
	out := tokenResult{ID: t.ID, Name: t.Name, Scope: registrar.AccessOf(t.Scopes), SandboxOnly: t.SandboxOnly,
		CreatedOn: t.CreatedAt, Current: t.ID == r.principal.TokenID}
	if !t.LastUsedAt.IsZero() {
		out.LastUsedOn = &t.LastUsedAt
	}
	if !t.ExpiresAt.IsZero() {
		out.ExpiresOn = &t.ExpiresAt
	}
	return out
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *request) error {
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var body registrar.TokenRequest
	if err := jsonstrict.Decode(bytes.NewReader(raw), &body); err != nil {
		return err
	}
	t, secret, err := s.Tokens.CreateToken(r.Context(), r.principal, body, time.Now())
	if err != nil {
		return err
	}
	out := tokenOf(t, r)
	out.Value = secret
	writeResult(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleTokenList(w http.ResponseWriter, r *request) error {
	ts, err := s.Tokens.Tokens(r.Context(), r.principal)
	if err != nil {
		return err
	}
	out := make([]tokenResult, len(ts))
	for i, t := range ts {
		out[i] = tokenOf(t, r)
	}
	writeResult(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleTokenGet(w http.ResponseWriter, r *request) error {
	t, err := s.Tokens.Token(r.Context(), r.principal, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, tokenOf(t, r))
	return nil
}

func (s *Server) handleTokenDelete(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	if err := s.Tokens.RevokeToken(r.Context(), r.principal, id, time.Now()); err != nil {
		return err
	}
	writeResult(w, http.StatusOK, struct {
		ID string `json:"id"`
	}{id})
	return nil
}
