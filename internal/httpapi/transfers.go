package httpapi

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// maxTransferCheckDomains is the most names one domain-transfer-check
// takes (Cloudflare's API reference: 10).
const maxTransferCheckDomains = 10

// transferRoutes registers the transfer endpoints under base: Cloudflare's
// domain-transfer-check, transfer-in and transfer-in-status, and ours:
// DELETE transfer-in (cancel), transfer-out-status and transfer-out
// approve and reject.
func (s *Server) transferRoutes(env registrar.Env, base string) {
	read, write := registrar.ScopeRead, registrar.ScopeWrite
	if s.Domains != nil {
		s.handle(base+"/domain-transfer-check", map[string]http.HandlerFunc{
			"POST": s.api(env, read, s.handleTransferCheck),
		})
	}
	s.handle(base+"/registrations/{domain}/transfer-in", map[string]http.HandlerFunc{
		"POST":   s.api(env, write, s.handleTransferIn),
		"DELETE": s.api(env, write, s.handleTransferInCancel),
	})
	s.handle(base+"/registrations/{domain}/transfer-in-status", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowTransferIn, registrar.Reader.TransferInStatus)),
	})
	s.handle(base+"/registrations/{domain}/transfer-out-status", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.workflowStatus(registrar.WorkflowTransferOut, registrar.Reader.TransferOutStatus)),
	})
	for _, dec := range []registrar.TransferOutDecision{registrar.TransferOutApprove, registrar.TransferOutReject} {
		s.handle(base+"/registrations/{domain}/transfer-out/"+string(dec), map[string]http.HandlerFunc{
			"POST": s.api(env, write, func(w http.ResponseWriter, r *request) error { return s.handleTransferOutDecision(w, r, dec) }),
		})
	}
}

// transferCheckBody is the body of POST domain-transfer-check.
type transferCheckBody struct {
	Domains []registrar.TransferCheckName `json:"domains"`
}

// transferCheckResult is its result: the answers keyed by name, as the
// TypeScript SDK's RegistrarTransferCheckResponse has it.
type transferCheckResult struct {
	Domains map[string]transferCheckJSON `json:"domains"`
}

type transferCheckJSON struct {
	Name         string               `json:"name"`
	Transferable bool                 `json:"transferable"`
	Reasons      []transferReasonJSON `json:"reasons"`
	Pricing      *transferPricingJSON `json:"pricing,omitempty"`
}

type transferReasonJSON struct {
	Code string `json:"code"`
}

type transferPricingJSON struct {
	Currency     string `json:"currency"`
	TransferCost string `json:"transfer_cost"`
	RenewalCost  string `json:"renewal_cost"`
}

// handleTransferCheck answers POST domain-transfer-check: 1 to 10 names,
// each asked of its registry, never cached. The batch rules and their
// codes are domain-check's (1006 none, 1007 too many).
func (s *Server) handleTransferCheck(w http.ResponseWriter, r *request) error {
	const op = "httpapi.transferCheck"
	var body transferCheckBody
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	switch n := len(body.Domains); {
	case n == 0:
		return registrar.InvalidRule(op, registrar.RuleDomainsEmpty, "/domains", "must list at least one domain name (1 to %d)", maxTransferCheckDomains)
	case n > maxTransferCheckDomains:
		return registrar.InvalidRule(op, registrar.RuleDomainsTooMany, "/domains", "must list at most %d domain names, not %d", maxTransferCheckDomains, n)
	}
	for i, d := range body.Domains {
		if d.DomainName == "" {
			return registrar.Invalid(op, "/domains/"+strconv.Itoa(i)+"/domain_name", "is required")
		}
	}
	if err := s.enterCheck(r, op); err != nil {
		return err
	}
	defer s.checks.leave(r.principal.AccountID)
	as, err := s.Domains.TransferCheck(r.Context(), r.env, body.Domains)
	if err != nil {
		return err
	}
	out := transferCheckResult{Domains: make(map[string]transferCheckJSON, len(as))}
	for _, a := range as {
		j := transferCheckJSON{Name: a.Name, Transferable: a.Transferable, Reasons: []transferReasonJSON{}}
		for _, c := range a.Reasons {
			j.Reasons = append(j.Reasons, transferReasonJSON{Code: c})
		}
		if a.Transferable {
			j.Pricing = &transferPricingJSON{Currency: a.Currency, TransferCost: a.TransferCost, RenewalCost: a.RenewalCost}
		}
		out.Domains[a.Name] = j
	}
	writeResult(w, http.StatusOK, out)
	return nil
}

// transferInRequest is the one validation path of a transfer-in body:
// strict decoding, the path's domain name, then the transfer schema of
// its extension in env.
func (s *Server) transferInRequest(r *request, raw []byte) (registrar.TransferInRequest, error) {
	const op = "httpapi.transferInRequest"
	var req registrar.TransferInRequest
	if err := jsonstrict.Decode(bytes.NewReader(raw), &req); err != nil {
		return req, err
	}
	n, err := pathName(r)
	if err != nil {
		return req, err
	}
	req.DomainName, req.Extension = n.ASCII, n.Extension
	ext, err := s.extension(r.env, n.Extension)
	if err != nil {
		return req, err
	}
	errs, err := s.schemas.Transfer(ext, raw)
	if err != nil {
		return req, registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	if len(errs) > 0 {
		return req, &registrar.Error{Kind: registrar.KindInvalid, Op: op, Message: errs[0].Message, Fields: errs}
	}
	for _, c := range []*registrar.Contact{req.Contacts.Registrant, req.Contacts.Administrator, req.Contacts.Technical, req.Contacts.Billing} {
		if c != nil {
			c.Normalize()
		}
	}
	return req, nil
}

// handleTransferIn starts a transfer in: 202 with the workflow's status
// (after the sync window, or at once with Prefer: respond-async).
func (s *Server) handleTransferIn(w http.ResponseWriter, r *request) error {
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	req, err := s.transferInRequest(r, raw)
	if err != nil {
		return err
	}
	wf, err := s.Workflows.StartTransferIn(r.Context(), r.principal, r.env, req)
	if err != nil {
		return err
	}
	return s.respondWorkflow(w, r, wf, http.StatusAccepted)
}

// handleTransferInCancel cancels the running transfer in (ours).
func (s *Server) handleTransferInCancel(w http.ResponseWriter, r *request) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	wf, err := s.Workflows.CancelTransferIn(r.Context(), r.principal, r.env, domain)
	if err != nil {
		return workflowNotFound(err, domain)
	}
	s.writeStatus(w, http.StatusOK, wf)
	return nil
}

// handleTransferOutDecision approves or rejects a transfer out (ours).
func (s *Server) handleTransferOutDecision(w http.ResponseWriter, r *request, dec registrar.TransferOutDecision) error {
	domain, err := pathDomain(r)
	if err != nil {
		return err
	}
	wf, err := s.Workflows.DecideTransferOut(r.Context(), r.principal, r.env, domain, dec)
	if err != nil {
		return workflowNotFound(err, domain)
	}
	s.writeStatus(w, http.StatusOK, wf)
	return nil
}
