package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// The tokens page: the account's API tokens, listed, created (the secret
// shown once, on the page that answers the form) and revoked, through the
// same core rules as the API's tokens resource (registrar.Tokens): a token
// never grants more than the session's own, and the account's last token
// that can manage it cannot be revoked.

// maxExpiryDays bounds the form's "expires in" field (ten years).
const maxExpiryDays = 3650

type tokensData struct {
	Tokens []tokenRow
	// Secret is the new token's secret, shown once; Created its name.
	Secret, Created string
	// Form holds what was typed when the form was refused.
	Form tokenForm
}

type tokenRow struct {
	registrar.Token
	Current  bool
	ReadOnly bool
}

type tokenForm struct {
	Name        string
	ReadOnly    bool
	SandboxOnly bool
	Days        string
}

func (s *Server) tokensPage(sess session) page {
	env := registrar.EnvLive
	if sess.SandboxOnly {
		env = registrar.EnvSandbox
	}
	p := s.pageFor(sess, env, "API tokens")
	p.TokensPage = true
	return p
}

// renderTokens shows the token list with d's extras; a failure to list
// is an error page.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, sess session, status int, p page, d tokensData) {
	ts, err := s.Tokens.Tokens(r.Context(), sess.Principal)
	if err != nil {
		s.fail(w, sess, registrar.Env(p.Env), err)
		return
	}
	for _, t := range ts {
		d.Tokens = append(d.Tokens, tokenRow{Token: t, Current: t.ID == sess.TokenID, ReadOnly: registrar.AccessOf(t.Scopes) == registrar.AccessRead})
	}
	p.Data = d
	s.render(w, status, "tokens", p)
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request, sess session) {
	p := s.tokensPage(sess)
	if r.URL.Query().Get("done") == "revoked" {
		p.Notice = "The token was revoked: requests with it are refused from now on."
	}
	s.renderTokens(w, r, sess, http.StatusOK, p, tokensData{})
}

// handleCreateToken creates a token from the form and shows its secret
// once; a refused form is shown again with the reason and what was typed.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request, sess session) {
	f := tokenForm{
		Name:        r.PostFormValue("name"),
		ReadOnly:    r.PostFormValue("read_only") == "on",
		SandboxOnly: r.PostFormValue("sandbox_only") == "on",
		Days:        strings.TrimSpace(r.PostFormValue("expires_days")),
	}
	access := registrar.AccessReadWrite
	if f.ReadOnly {
		access = registrar.AccessRead
	}
	req := registrar.TokenRequest{Name: &f.Name, Scope: &access, SandboxOnly: &f.SandboxOnly}
	p := s.tokensPage(sess)
	now := s.Now()
	if f.Days != "" {
		days, err := strconv.Atoi(f.Days)
		if err != nil || days < 1 || days > maxExpiryDays {
			p.Error = "Expires in: a whole number of days from 1 to " + strconv.Itoa(maxExpiryDays) + ", or empty for a token that does not expire."
			s.renderTokens(w, r, sess, http.StatusBadRequest, p, tokensData{Form: f})
			return
		}
		on := now.Add(time.Duration(days) * 24 * time.Hour).UTC().Format(time.RFC3339)
		req.ExpiresOn = &on
	}
	t, secret, err := s.Tokens.CreateToken(r.Context(), sess.Principal, req, now)
	if err != nil {
		if status := userErrorStatus(err); status != 0 {
			p.Error = message(err)
			s.renderTokens(w, r, sess, status, p, tokensData{Form: f})
			return
		}
		s.fail(w, sess, registrar.Env(p.Env), err)
		return
	}
	s.renderTokens(w, r, sess, http.StatusOK, p, tokensData{Secret: secret, Created: t.Name})
}

// handleRevokeToken revokes a token. Revoking the session's own token
// ends the session (every session of a token dies with it), so the
// browser goes to the sign-in page.
func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request, sess session) {
	id := r.PathValue("id")
	if err := s.Tokens.RevokeToken(r.Context(), sess.Principal, id, s.Now()); err != nil {
		if status := userErrorStatus(err); status != 0 {
			p := s.tokensPage(sess)
			p.Error = message(err)
			s.renderTokens(w, r, sess, status, p, tokensData{})
			return
		}
		s.fail(w, sess, registrar.EnvLive, err)
		return
	}
	if id == sess.TokenID {
		s.setCookie(w, r, "", -1)
		http.Redirect(w, r, "/dashboard/signin?ended=revoked", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/dashboard/tokens?done=revoked", http.StatusSeeOther)
}
