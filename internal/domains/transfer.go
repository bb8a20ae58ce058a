package domains

import (
	"context"
	"encoding/base64"
	"regexp"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// base64Code is RFC 4648 §4 base64, as the transfer schema states it.
var base64Code = regexp.MustCompile(registrar.Base64Pattern)

// TransferCheck implements [registrar.Domains]: for each name, whether it
// can be transferred in, asking its registry every time (never cached):
// the price (premium names cannot be transferred through the API) and
// what the registry shows a non-sponsor given the auth code (no such
// domain, a wrong auth code, a domain we sponsor already, statuses and
// age against a transfer). Names are answered in the order sent,
// duplicates once; a malformed name gets domain_unsupported, an auth code
// that is not base64 invalid_auth_code_format without asking the
// registry, an extension whose registry offers no transfers
// extension_not_supported_via_api. A registry that fails fails the check.
func (s *Service) TransferCheck(ctx context.Context, env registrar.Env, names []registrar.TransferCheckName) ([]registrar.TransferAvailability, error) {
	out := make([]registrar.TransferAvailability, 0, len(names))
	type job struct {
		tr    registrar.Transfers
		terms registrar.Extension
		auth  string
		given bool
		at    int
	}
	var jobs []job
	seen := map[string]bool{}
	for _, in := range names {
		n, err := domainname.Parse(in.DomainName)
		if err != nil {
			out = append(out, registrar.TransferAvailability{Name: in.DomainName, Reasons: []string{registrar.TransferReasonDomainUnsupported}})
			continue
		}
		if seen[n.ASCII] {
			continue
		}
		seen[n.ASCII] = true
		a := registrar.TransferAvailability{Name: n.ASCII}
		reg, terms, reason := s.route(env, n.Extension)
		switch reason {
		case registrar.ReasonExtensionDisallowsRegistration:
			reason = registrar.TransferReasonExtensionDisallowsTransfer
		case "":
			if _, ok := reg.(registrar.Transfers); !ok {
				reason = registrar.TransferReasonExtensionNotSupportedViaAPI
			}
		}
		var auth []byte
		if reason == "" && in.AuthCode != "" {
			if !base64Code.MatchString(in.AuthCode) {
				reason = registrar.TransferReasonInvalidAuthCodeFormat
			} else {
				auth, _ = base64.StdEncoding.DecodeString(in.AuthCode)
			}
		}
		if reason != "" {
			a.Reasons = []string{reason}
			out = append(out, a)
			continue
		}
		out = append(out, a)
		jobs = append(jobs, job{tr: reg.(registrar.Transfers), terms: terms, auth: string(auth), given: in.AuthCode != "", at: len(out) - 1})
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			errs[i] = transferCheckOne(ctx, j.tr, j.terms, j.auth, j.given, &out[j.at])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// transferCheckOne asks a registry about one name and fills in a.
func transferCheckOne(ctx context.Context, tr registrar.Transfers, terms registrar.Extension, auth string, given bool, a *registrar.TransferAvailability) error {
	price, err := tr.TransferPrice(ctx, a.Name)
	if err == nil && price.Premium {
		a.Reasons = append(a.Reasons, registrar.TransferReasonDomainPremium)
	}
	if r := registrar.TransferReasonOf(err); r != "" {
		a.Reasons = append(a.Reasons, r)
		return nil
	}
	if err != nil {
		return err
	}
	info, err := tr.TransferInfo(ctx, a.Name, auth)
	switch r := registrar.TransferReasonOf(err); {
	case r == registrar.TransferReasonInvalidAuthCode && !given:
		// No code given: nothing to be wrong yet.
	case r != "":
		a.Reasons = append(a.Reasons, r)
	case err != nil:
		return err
	case info.Sponsored:
		a.Reasons = append(a.Reasons, registrar.TransferReasonAlreadyHere)
	default:
		a.Reasons = append(a.Reasons, registrar.TransferBlockers(info, time.Now())...)
	}
	if len(a.Reasons) == 0 {
		a.Transferable = true
		a.Currency = terms.Currency
		a.TransferCost = registrar.FormatCents(terms.RenewalCents)
		a.RenewalCost = registrar.FormatCents(terms.RenewalCents)
	}
	return nil
}
