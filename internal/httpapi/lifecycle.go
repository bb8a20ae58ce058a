package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// lifecycleRoutes registers our endpoints of a domain's life after its
// registration (docs/API.md, "Renewals and restores"): renew and its
// status, restore and its status, and the registration's history.
func (s *Server) lifecycleRoutes(env registrar.Env, base string) {
	read, write := registrar.ScopeRead, registrar.ScopeWrite
	s.handle(base+"/registrations/{domain}/renew", map[string]http.HandlerFunc{
		"POST": s.api(env, write, s.handleRenew),
	})
	s.handle(base+"/registrations/{domain}/renewal-status", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowRenewal, registrar.Reader.RenewalStatus)),
	})
	s.handle(base+"/registrations/{domain}/restore", map[string]http.HandlerFunc{
		"POST": s.api(env, write, s.handleRestore),
	})
	s.handle(base+"/registrations/{domain}/restore-status", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowRestore, registrar.Reader.RestoreStatus)),
	})
	s.handle(base+"/registrations/{domain}/history", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.handleHistory),
	})
}

// renewBody is the body of POST .../renew as sent: years is a pointer so
// that an explicit 0 is told from an absent member.
type renewBody struct {
	Years            *int       `json:"years"`
	CurrentExpiresAt *time.Time `json:"current_expires_at"`
}

// renewalRequest is the one validation path of a renew body: strict
// decoding (an empty body is {}), then years, 1 to the maximum term. A
// term beyond it is refused as the registry would, with domain_max_term.
func renewalRequest(raw []byte) (registrar.RenewalRequest, error) {
	const op = "httpapi.renewalRequest"
	var body renewBody
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := jsonstrict.Decode(bytes.NewReader(raw), &body); err != nil {
			return registrar.RenewalRequest{}, err
		}
	}
	req := registrar.RenewalRequest{Years: 1, CurrentExpiresAt: body.CurrentExpiresAt}
	if body.Years != nil {
		req.Years = *body.Years
	}
	switch {
	case req.Years < 1:
		return req, registrar.Invalid(op, "/years", "must be a whole number of years from 1 to %d", registrar.MaxTermYears)
	case req.Years > registrar.MaxTermYears:
		e := registrar.Invalid(op, "/years", "a registration cannot run more than %d years ahead; %d years is beyond it", registrar.MaxTermYears, req.Years)
		e.Reason = registrar.CodeDomainMaxTerm
		return req, e
	}
	return req, nil
}

// handleRenew starts a renewal (ours): 201 with the completed status when
// it finished in the sync window, 202 otherwise or with Prefer:
// respond-async, as registrations.
func (s *Server) handleRenew(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, err := renewalRequest(raw)
	if err != nil {
		return err
	}
	wf, err := s.Workflows.StartRenewal(r.Context(), r.principal, r.env, domain, req)
	if err != nil {
		return domainNotFound(err)
	}
	return s.respondWorkflow(w, r, wf, http.StatusCreated)
}

// handleRestore starts the RGP restore of a registration in its
// redemption period (ours); the body is empty or {}. A registration not
// in redemption is 409 not_restorable.
func (s *Server) handleRestore(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	if err := s.readEmptyBody(w, r); err != nil {
		return err
	}
	wf, err := s.Workflows.StartRestore(r.Context(), r.principal, r.env, domain)
	if err != nil {
		return domainNotFound(err)
	}
	return s.respondWorkflow(w, r, wf, http.StatusCreated)
}

// handleHistory answers the registration's history (ours): its events,
// oldest first.
func (s *Server) handleHistory(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	evs, err := s.Reader.RegistrationHistory(r.Context(), r.accountID(), r.env, domain)
	if err != nil {
		return domainNotFound(err)
	}
	if evs == nil {
		evs = []registrar.RegistrationEvent{}
	}
	writeResult(w, http.StatusOK, evs)
	return nil
}
