// Package domains answers availability questions before a registration:
// the domain check (authoritative: every name goes to its registry) and the
// domain search (suggestions ranked for a keyword, phrase or name, with
// availability from a cache). It implements [registrar.Domains] over the
// core's [registrar.Registries] and [registrar.Catalog].
//
// Every question to the registries is batched: the names of one request are
// grouped by the registry that serves their extension, and each registry
// gets one Check for its whole group, the groups running concurrently. A
// registry that fails fails the whole request; there are no partial
// answers.
package domains

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/ttlcache"
)

// Defaults of [Config].
const (
	CacheTTLDefault  = 10 * time.Minute
	CacheSizeDefault = 100_000
)

// Config tunes the service.
type Config struct {
	// CacheTTL is how long a registry's answer about a name serves searches
	// and KnownPremium [10m].
	CacheTTL time.Duration
	// CacheSize bounds the number of names the cache holds [100,000].
	CacheSize int
}

// Service implements [registrar.Domains].
type Service struct {
	routes  registrar.Registries
	catalog *registrar.Catalog
	// cache keeps the registries' recent answers, for searches and
	// KnownPremium.
	cache *ttlcache.Cache[cacheKey, registrar.DomainAvailability]
	// searchable lists, per environment, the extensions a search covers,
	// most popular first.
	searchable map[registrar.Env][]string
}

var _ registrar.Domains = (*Service)(nil)

// cacheKey names a registry's answer about a name (ASCII) in an
// environment.
type cacheKey struct {
	env  registrar.Env
	name string
}

// New returns the service for routes and catalog. It reads the routes of
// the catalog's extensions once (searches cover the catalog's extensions
// registrable through the API and routed in their environment): routes do
// not change while the server runs.
func New(routes registrar.Registries, catalog *registrar.Catalog, cfg Config) *Service {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = CacheTTLDefault
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = CacheSizeDefault
	}
	s := &Service{routes: routes, catalog: catalog, cache: ttlcache.New[cacheKey, registrar.DomainAvailability](cfg.CacheTTL, cfg.CacheSize),
		searchable: map[registrar.Env][]string{}}
	for _, env := range []registrar.Env{registrar.EnvLive, registrar.EnvSandbox} {
		var exts []string
		for _, name := range catalog.Names() {
			if _, _, reason := s.route(env, name); reason == "" {
				exts = append(exts, name)
			}
		}
		s.searchable[env] = byPopularity(exts)
	}
	return s
}

// route returns the registry serving ext in env and the terms it is sold
// on, or the reason (a registrar.Reason… constant) why names on ext cannot
// be registered through the API. The catalog's support state decides
// first, so that a registry is never asked about a dashboard-only or
// frozen extension; then the routes: an extension routed in env is
// registrable (even one a registries file serves beyond the catalog), any
// other is not supported.
func (s *Service) route(env registrar.Env, ext string) (registrar.Registry, registrar.Extension, string) {
	if e, ok := s.catalog.Lookup(ext); ok {
		switch e.Support {
		case registrar.SupportDashboard:
			return nil, registrar.Extension{}, registrar.ReasonExtensionNotSupportedViaAPI
		case registrar.SupportFrozen:
			return nil, registrar.Extension{}, registrar.ReasonExtensionDisallowsRegistration
		}
	}
	reg, terms, err := s.routes.Lookup(env, ext)
	if err != nil {
		return nil, registrar.Extension{}, registrar.ReasonExtensionNotSupported
	}
	return reg, terms, ""
}

// Check implements [registrar.Domains]: it asks the registries about names,
// one Check per registry for the whole batch, and never uses the cache
// (but fills it). Names may be in any form [domainname.Parse] accepts;
// malformed ones are left out of the result and duplicates answered once,
// in the order of their first appearance. Names on extensions that cannot
// be registered through the API get their reason without a registry call.
// When no name is a domain name, so that the answer would be empty, the
// check is invalid ([registrar.RuleNoValidDomain]).
func (s *Service) Check(ctx context.Context, env registrar.Env, names []string) ([]registrar.DomainAvailability, error) {
	out := make([]registrar.DomainAvailability, 0, len(names))
	seen := make(map[string]bool, len(names))
	var asks []ask
	for _, raw := range names {
		n, err := domainname.Parse(raw)
		if err != nil || seen[n.ASCII] {
			continue
		}
		seen[n.ASCII] = true
		reg, terms, reason := s.route(env, n.Extension)
		out = append(out, registrar.DomainAvailability{Name: n.ASCII, Reason: reason})
		if reason == "" {
			asks = append(asks, ask{reg: reg, name: n.ASCII, terms: terms, at: len(out) - 1})
		}
	}
	if len(out) == 0 {
		return nil, registrar.InvalidRule("domains.Check", registrar.RuleNoValidDomain, "/domains",
			"none of the %d names is a valid domain name (a label and an extension, like example.com)", len(names))
	}
	if err := s.ask(ctx, env, asks, out); err != nil {
		return nil, err
	}
	return out, nil
}

// KnownPremium implements [registrar.Domains]: whether a check or search
// in the last cache TTL found name (ASCII) premium. It asks no registry.
func (s *Service) KnownPremium(env registrar.Env, name string) bool {
	a, ok := s.cache.Get(cacheKey{env, strings.ToLower(name)}, time.Now())
	return ok && a.Tier == registrar.TierPremium
}

// ask is one name to ask a registry about, and where its answer goes.
type ask struct {
	reg   registrar.Registry
	name  string // ASCII
	terms registrar.Extension
	at    int // index in the result slice
}

// ask sends asks to their registries, one Check per registry, the
// registries concurrently, writes each answer to out[ask.at] and records
// it in the cache. The first registry error (in the order the registries
// first appear in asks) is returned.
func (s *Service) ask(ctx context.Context, env registrar.Env, asks []ask, out []registrar.DomainAvailability) error {
	if len(asks) == 0 {
		return nil
	}
	var order []registrar.Registry
	groups := map[registrar.Registry][]ask{}
	for _, a := range asks {
		if groups[a.reg] == nil {
			order = append(order, a.reg)
		}
		groups[a.reg] = append(groups[a.reg], a)
	}
	errs := make([]error, len(order))
	if len(order) == 1 {
		errs[0] = s.askOne(ctx, env, groups[order[0]], out)
	} else {
		var wg sync.WaitGroup
		for i, reg := range order {
			wg.Go(func() { errs[i] = s.askOne(ctx, env, groups[reg], out) })
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// askOne sends one registry's asks in one Check.
func (s *Service) askOne(ctx context.Context, env registrar.Env, asks []ask, out []registrar.DomainAvailability) error {
	names := make([]string, len(asks))
	for i, a := range asks {
		names[i] = a.name
	}
	got, err := asks[0].reg.Check(ctx, names)
	if err != nil {
		return err
	}
	byName := make(map[string]registrar.Availability, len(got))
	for _, a := range got {
		byName[strings.ToLower(a.Name)] = a
	}
	answers := make([]registrar.DomainAvailability, len(asks))
	for i, a := range asks {
		av, ok := byName[a.name]
		if !ok {
			return registrar.Wrap(registrar.KindInternal, "domains.Check", fmt.Errorf("the registry answered a check of %d names without %s", len(names), a.name), "")
		}
		answers[i] = availability(a.name, a.terms, av)
		out[a.at] = answers[i]
	}
	now := time.Now()
	for _, a := range answers {
		s.cache.Put(cacheKey{env, a.Name}, a, now)
	}
	return nil
}

// availability turns a registry's answer about name into the API's:
//
//   - taken: not registrable, domain_unavailable, no tier, no pricing;
//   - premium: not registrable (premium names cannot be registered through
//     the API), domain_premium, tier premium, no pricing: the API
//     reference returns pricing only for registrable names, and the
//     registry's premium quote is not a price the API sells at;
//   - otherwise: registrable, tier standard, and the price the registrar
//     sells the extension at (terms).
func availability(name string, terms registrar.Extension, a registrar.Availability) registrar.DomainAvailability {
	d := registrar.DomainAvailability{Name: name}
	switch {
	case !a.Available:
		d.Reason = registrar.ReasonDomainUnavailable
	case a.Premium:
		d.Reason, d.Tier = registrar.ReasonDomainPremium, registrar.TierPremium
	default:
		d.Registrable, d.Tier = true, registrar.TierStandard
		d.Currency = terms.Currency
		d.RegistrationCost = registrar.FormatCents(terms.RegistrationCents)
		d.RenewalCost = registrar.FormatCents(terms.RenewalCents)
	}
	return d
}
