package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Domain check and search limits.
const (
	// maxCheckDomains is the most names one domain-check takes.
	maxCheckDomains = 20
	// defaultSearchLimit is a domain-search's limit when none is given.
	defaultSearchLimit = 20
)

// availabilityRoutes registers POST domain-check and GET domain-search
// under base.
func (s *Server) availabilityRoutes(env registrar.Env, base string) {
	if s.Domains == nil {
		return
	}
	s.handle(base+"/domain-check", map[string]http.HandlerFunc{
		"POST": s.api(env, registrar.ScopeRead, s.handleDomainCheck),
	})
	s.handle(base+"/domain-search", map[string]http.HandlerFunc{
		"GET": s.api(env, registrar.ScopeRead, s.handleDomainSearch),
	})
}

// checkBody is the body of POST domain-check.
type checkBody struct {
	Domains []string `json:"domains"`
}

// availabilityResult is the result of domain-check and domain-search.
type availabilityResult struct {
	Domains []availabilityJSON `json:"domains"`
}

// availabilityJSON is one domain of a check or search result.
type availabilityJSON struct {
	Name        string       `json:"name"`
	Registrable bool         `json:"registrable"`
	Reason      string       `json:"reason,omitempty"`
	Tier        string       `json:"tier,omitempty"`
	Pricing     *pricingJSON `json:"pricing,omitempty"`
}

type pricingJSON struct {
	Currency         string `json:"currency"`
	RegistrationCost string `json:"registration_cost"`
	RenewalCost      string `json:"renewal_cost"`
}

func toAvailabilityResult(as []registrar.DomainAvailability) availabilityResult {
	out := availabilityResult{Domains: make([]availabilityJSON, len(as))}
	for i, a := range as {
		d := availabilityJSON{Name: a.Name, Registrable: a.Registrable, Reason: a.Reason, Tier: a.Tier}
		if a.Currency != "" {
			d.Pricing = &pricingJSON{Currency: a.Currency, RegistrationCost: a.RegistrationCost, RenewalCost: a.RenewalCost}
		}
		out.Domains[i] = d
	}
	return out
}

// handleDomainCheck answers POST domain-check: 1 to 20 names, each asked
// of its registry (one round trip per registry for the batch). Malformed
// names are left out of the result; when that leaves none, the check is
// refused (code 1008) rather than answered with an empty list.
func (s *Server) handleDomainCheck(w http.ResponseWriter, r *request) error {
	const op = "httpapi.domainCheck"
	var body checkBody
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	switch n := len(body.Domains); {
	case n == 0: // missing or empty
		return registrar.InvalidRule(op, registrar.RuleDomainsEmpty, "/domains", "must list at least one domain name (1 to %d)", maxCheckDomains)
	case n > maxCheckDomains:
		return registrar.InvalidRule(op, registrar.RuleDomainsTooMany, "/domains", "must list at most %d domain names, not %d", maxCheckDomains, n)
	}
	if err := s.enterCheck(r, op); err != nil {
		return err
	}
	defer s.checks.leave(r.principal.AccountID)
	as, err := s.Domains.Check(r.Context(), r.env, body.Domains)
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, toAvailabilityResult(as))
	return nil
}

// handleDomainSearch answers GET domain-search?q=&extensions=&limit=.
// The results are not authoritative (from cached registry answers), as
// the API reference says of every search; messages is empty, as it is on
// every success.
func (s *Server) handleDomainSearch(w http.ResponseWriter, r *request) error {
	const op = "httpapi.domainSearch"
	q := r.URL.Query()
	limit := defaultSearchLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return registrar.Invalid(op, "?limit", "limit must be a whole number, not %q", v)
		}
		limit = n
	}
	if err := s.enterCheck(r, op); err != nil {
		return err
	}
	defer s.checks.leave(r.principal.AccountID)
	as, err := s.Domains.Search(r.Context(), r.env, q.Get("q"), q["extensions"], limit)
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, toAvailabilityResult(as))
	return nil
}

// enterCheck lets the request's account start a call that asks
// registries, or refuses it with 429 while the account has
// MaxChecksPerAccount of them running.
func (s *Server) enterCheck(r *request, op string) error {
	if s.checks.enter(r.principal.AccountID) {
		return nil
	}
	return &registrar.Error{Kind: registrar.KindRateLimited, Op: op, RetryAfterSeconds: 1,
		Message: fmt.Sprintf("the account already has %d domain checks or searches running, the most it may have at once; retry when one finishes", s.cfg.MaxChecksPerAccount)}
}
