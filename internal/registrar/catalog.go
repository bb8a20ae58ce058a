package registrar

import (
	"fmt"
	"sort"
)

// Extension describes one extension (registrable suffix) the registrar
// sells: how long it may be registered for and what it costs per year.
type Extension struct {
	Name     string // ASCII, no leading dot: "com", "co.uk"
	MinYears int
	MaxYears int
	Currency string
	// Prices per year, in the currency's minor unit (cents).
	RegistrationCents int64
	RenewalCents      int64
}

// Catalog is the set of extensions registrations are accepted for.
type Catalog struct {
	byName map[string]Extension
}

// NewCatalog returns a catalog of the given extensions.
func NewCatalog(exts ...Extension) *Catalog {
	c := &Catalog{byName: make(map[string]Extension, len(exts))}
	for _, e := range exts {
		c.byName[e.Name] = e
	}
	return c
}

// Lookup returns the extension named ext.
func (c *Catalog) Lookup(ext string) (Extension, bool) {
	e, ok := c.byName[ext]
	return e, ok
}

// Names returns the extension names in order.
func (c *Catalog) Names() []string {
	names := make([]string, 0, len(c.byName))
	for n := range c.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FormatCents renders an amount in minor units as a decimal string ("10.44").
func FormatCents(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// DefaultCatalog is the catalog shipped by default: the forty extensions
// Cloudflare's Registrar API supports, all served by the sandbox registry
// unless configured otherwise. Prices are at-cost list prices in USD.
func DefaultCatalog() *Catalog {
	prices := []struct {
		name string
		reg  int64
	}{
		{"com", 1046}, {"org", 1013}, {"net", 1150}, {"app", 1418}, {"dev", 1218},
		{"cc", 1200}, {"xyz", 1251}, {"info", 1268}, {"cloud", 1918}, {"studio", 2518},
		{"live", 2518}, {"link", 988}, {"pro", 1568}, {"tech", 4518}, {"fyi", 1818},
		{"shop", 2818}, {"online", 2818}, {"tools", 2518}, {"run", 1818}, {"games", 1818},
		{"build", 7018}, {"systems", 2318}, {"world", 2818}, {"news", 2318}, {"site", 2818},
		{"network", 2318}, {"chat", 2818}, {"space", 2018}, {"family", 2318}, {"page", 1018},
		{"life", 2518}, {"group", 1718}, {"email", 2318}, {"solutions", 2318}, {"day", 1218},
		{"blog", 2318}, {"ing", 3518}, {"icu", 1018}, {"academy", 2818}, {"today", 2318},
	}
	exts := make([]Extension, 0, len(prices))
	for _, p := range prices {
		exts = append(exts, Extension{
			Name: p.name, MinYears: 1, MaxYears: 10, Currency: "USD",
			RegistrationCents: p.reg, RenewalCents: p.reg,
		})
	}
	return NewCatalog(exts...)
}

// Router is a Registries made of explicit routes.
type Router struct {
	routes map[Env]map[string]route
	all    []Registry
}

type route struct {
	reg Registry
	ext Extension
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{routes: map[Env]map[string]route{}} }

// Add routes ext in env to reg.
func (r *Router) Add(env Env, ext Extension, reg Registry) {
	if r.routes[env] == nil {
		r.routes[env] = map[string]route{}
	}
	r.routes[env][ext.Name] = route{reg, ext}
	for _, have := range r.all {
		if have == reg {
			return
		}
	}
	r.all = append(r.all, reg)
}

// AddCatalog routes every extension of c in env to reg.
func (r *Router) AddCatalog(env Env, c *Catalog, reg Registry) {
	for _, name := range c.Names() {
		ext, _ := c.Lookup(name)
		r.Add(env, ext, reg)
	}
}

// Lookup implements Registries.
func (r *Router) Lookup(env Env, ext string) (Registry, Extension, error) {
	rt, ok := r.routes[env][ext]
	if !ok {
		return nil, Extension{}, Errorf(KindInvalid, "registrar.Lookup", "the extension .%s is not supported for registration through the API", ext)
	}
	return rt.reg, rt.ext, nil
}

// All implements Registries.
func (r *Router) All() []Registry { return r.all }
