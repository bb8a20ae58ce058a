package registrar

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Support says how an extension can be registered.
type Support uint8

// The support states of an extension. The zero value is SupportAPI, so an
// Extension built in code without one is registrable through the API, as
// every extension was before support states existed.
const (
	// SupportAPI: registrable through the API (POST /registrations).
	SupportAPI Support = iota
	// SupportDashboard: the registrar knows and sells the extension, but
	// only through its dashboard, not through the API
	// (reason extension_not_supported_via_api).
	SupportDashboard
	// SupportFrozen: the extension's registry does not accept new
	// registrations at this time (reason extension_disallows_registration).
	SupportFrozen
)

var supportNames = [...]string{SupportAPI: "api", SupportDashboard: "dashboard", SupportFrozen: "frozen"}

// String returns the support state's name in catalog files: "api",
// "dashboard" or "frozen".
func (s Support) String() string {
	if int(s) < len(supportNames) {
		return supportNames[s]
	}
	return fmt.Sprintf("support(%d)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Support) MarshalText() ([]byte, error) {
	if int(s) >= len(supportNames) {
		return nil, fmt.Errorf("unknown support state %d", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Support) UnmarshalText(b []byte) error {
	for i, n := range supportNames {
		if string(b) == n {
			*s = Support(i)
			return nil
		}
	}
	return fmt.Errorf(`unknown support state %q: want "api", "dashboard" or "frozen"`, b)
}

// Contact roles of a registration request.
const (
	RoleRegistrant    = "registrant"
	RoleAdministrator = "administrator"
	RoleTechnical     = "technical"
	RoleBilling       = "billing"
)

// ContactRoles are every contact role, in the order of the API's
// documentation.
var ContactRoles = []string{RoleRegistrant, RoleAdministrator, RoleTechnical, RoleBilling}

// Field is one registry-specific value of a registration request, under
// contact_extensions: .us nexus, .ca legal type, .uk registrant type.
type Field struct {
	// Name is the member name, snake_case: "nexus_category".
	Name string `json:"name"`
	// Type is the JSON type of the value: "string" or "boolean".
	Type string `json:"type"`
	// Required says the member must be present.
	Required bool `json:"required,omitempty"`
	// Enum, for strings, lists the allowed values; empty allows any.
	Enum []string `json:"enum,omitempty"`
	// Description says what the value means and what each enum value
	// stands for.
	Description string `json:"description"`
	// RegistryKey is the name the registry knows the value by, when it
	// differs from Name: the key of a key=value pair in NeuLevel's EPP
	// extension ("NexusCategory" for nexus_category). See
	// docs/ARCHITECTURE.md, "Contact extensions at the registry".
	RegistryKey string `json:"registry_key,omitempty"`
}

// Key returns the name the registry knows the value by: RegistryKey, or
// Name.
func (f Field) Key() string {
	if f.RegistryKey != "" {
		return f.RegistryKey
	}
	return f.Name
}

// Acknowledgement is something the user must (or may) explicitly accept to
// register under an extension, such as the HSTS preloading of .app or a
// registry's registrant agreement: a boolean under acknowledgements that,
// when present, must be true.
type Acknowledgement struct {
	// Name is the member name, snake_case: "hsts_preload".
	Name string `json:"name"`
	// Required says the member must be present (and true).
	Required bool `json:"required,omitempty"`
	// Description is what the user acknowledges, in a sentence that can be
	// shown to them.
	Description string `json:"description"`
}

// Extension describes one extension (registrable suffix) the registrar
// knows: whether and how it can be registered, how long it may be
// registered for, what it costs per year, and what a registration request
// for it must carry.
type Extension struct {
	Name     string // ASCII, no leading dot: "com", "co.uk", "xn--q9jyb4c"
	MinYears int
	MaxYears int
	Currency string
	// Prices per year, in the currency's minor unit (cents).
	RegistrationCents int64
	RenewalCents      int64

	// Support says whether the extension is registrable through the API.
	Support Support
	// ContactRoles are the contact roles a registration request may carry
	// (RoleRegistrant and so on); nil accepts every role in ContactRoles.
	ContactRoles []string
	// ContactExtensions are the registry-specific values of the
	// registrant (contact_extensions).
	ContactExtensions []Field
	// Acknowledgements are what the user accepts (acknowledgements).
	Acknowledgements []Acknowledgement
	// ContactExtensionsUnsent says that the registry serving the
	// extension is not configured to receive contact extensions: a
	// request carrying any is refused rather than accepted and dropped.
	// The daemon sets it from the registries file; catalogs leave it
	// false (the built-in registries receive them).
	ContactExtensionsUnsent bool
	// Lifecycle is how the extension's registrations renew, expire and
	// are restored; the daemon sets it from the registries file (zero
	// fields take Lifecycle.WithDefaults).
	Lifecycle Lifecycle
	// DefaultNameservers are the name servers a registration under the
	// extension gets when its request names none (issue 14); the daemon
	// sets them from the registries file. None: the registration is
	// created without name servers.
	DefaultNameservers []string
	// CreatedAt and UpdatedAt are when the catalog entry was added and
	// last changed (the extension list sorts by them).
	CreatedAt, UpdatedAt time.Time
}

// TLD returns the top-level domain of the extension: "uk" for "co.uk",
// "com" for "com".
func (e Extension) TLD() string {
	return e.Name[strings.LastIndexByte(e.Name, '.')+1:]
}

// Years returns the extension's registration period range, with the
// defaults (1 to 10) for values left unset.
func (e Extension) Years() (minYears, maxYears int) {
	minYears, maxYears = e.MinYears, e.MaxYears
	if minYears < 1 {
		minYears = 1
	}
	if maxYears < minYears {
		maxYears = max(10, minYears)
	}
	return minYears, maxYears
}

// Roles returns the contact roles a registration request may carry, in a
// new slice.
func (e Extension) Roles() []string {
	if e.ContactRoles == nil {
		return slices.Clone(ContactRoles)
	}
	return slices.Clone(e.ContactRoles)
}

// Catalog is the set of extensions the registrar knows. It is immutable
// and safe for concurrent use.
type Catalog struct {
	byName    map[string]Extension
	all       []Extension // by name
	supported []string    // names of SupportAPI extensions, in order
	schemas   map[string]json.RawMessage
	transfers map[string]json.RawMessage
}

// NewCatalog returns a catalog of the given extensions; a later extension
// replaces an earlier one of the same name.
func NewCatalog(exts ...Extension) *Catalog {
	c := &Catalog{byName: make(map[string]Extension, len(exts)), schemas: make(map[string]json.RawMessage, len(exts)),
		transfers: make(map[string]json.RawMessage, len(exts))}
	for _, e := range exts {
		c.byName[e.Name] = e
	}
	for _, e := range c.byName {
		c.all = append(c.all, e)
	}
	sort.Slice(c.all, func(i, j int) bool { return c.all[i].Name < c.all[j].Name })
	for _, e := range c.all {
		if e.Support == SupportAPI {
			c.supported = append(c.supported, e.Name)
		}
		b, err := json.Marshal(e.RegistrationSchema())
		if err != nil {
			panic(fmt.Sprintf("registrar: the registration schema of .%s: %v", e.Name, err)) // only plain values: cannot happen
		}
		c.schemas[e.Name] = b
		if b, err = json.Marshal(e.TransferSchema()); err != nil {
			panic(fmt.Sprintf("registrar: the transfer schema of .%s: %v", e.Name, err)) // only plain values: cannot happen
		}
		c.transfers[e.Name] = b
	}
	return c
}

// Lookup returns the extension named ext (ASCII, no leading dot), whatever
// its support state: callers that register check Support. Its slices are
// shared: callers must not modify them.
func (c *Catalog) Lookup(ext string) (Extension, bool) {
	e, ok := c.byName[ext]
	return e, ok
}

// Names returns the names of the extensions registrable through the API
// (SupportAPI), in order.
func (c *Catalog) Names() []string {
	return append([]string(nil), c.supported...)
}

// All returns every extension of the catalog, whatever its support state,
// sorted by name. The extensions' slices are shared: callers must not
// modify them.
func (c *Catalog) All() []Extension {
	return append([]Extension(nil), c.all...)
}

// RegistrationSchema returns the JSON encoding of the registration schema
// of the extension named ext (see Extension.RegistrationSchema). The bytes
// are shared: callers must not modify them.
func (c *Catalog) RegistrationSchema(ext string) (json.RawMessage, bool) {
	b, ok := c.schemas[ext]
	return b, ok
}

// TransferSchema returns the JSON encoding of the transfer schema of the
// extension named ext (see Extension.TransferSchema). The bytes are
// shared: callers must not modify them.
func (c *Catalog) TransferSchema(ext string) (json.RawMessage, bool) {
	b, ok := c.transfers[ext]
	return b, ok
}

// ParseCents converts a decimal price with at most nine whole digits and
// two decimals ("10.44", "7") to minor units; ok is false for anything
// else.
func ParseCents(price string) (cents int64, ok bool) {
	if !priceRE.MatchString(price) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(price, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	for _, c := range whole + frac {
		cents = cents*10 + int64(c-'0')
	}
	return cents, true
}

// ValidCurrency reports whether s has the form of an ISO 4217 code ("USD").
func ValidCurrency(s string) bool { return currencyRE.MatchString(s) }

// FormatCents renders an amount in minor units as a decimal string ("10.44").
func FormatCents(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

//go:embed catalog.json
var defaultCatalogJSON []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := LoadCatalog(bytes.NewReader(defaultCatalogJSON))
	if err != nil {
		panic("registrar: the embedded catalog.json: " + err.Error())
	}
	return c
})

// DefaultCatalog is the catalog shipped by default (catalog.json): the
// forty extensions Cloudflare's Registrar API supports, and .us, all
// registrable through the API and served by the sandbox registry unless
// configured otherwise; a set of extensions sold only through the
// dashboard; and the frozen Freenom extensions. Prices are at-cost list
// prices in USD. Every call returns the same immutable catalog.
func DefaultCatalog() *Catalog { return defaultCatalog() }

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

// AddCatalog routes every extension of c registrable through the API
// (c.Names) in env to reg; dashboard-only and frozen extensions stay
// unrouted.
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
		return nil, Extension{}, Errorf(KindInvalid, "registrar.Lookup", "%s (.%s)", MsgExtensionNotOffered, ext)
	}
	return rt.reg, rt.ext, nil
}

// All implements Registries.
func (r *Router) All() []Registry { return r.all }
