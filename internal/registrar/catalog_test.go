package registrar_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// cloudflareAPI are the extensions Cloudflare's Registrar API registers
// (the SDK's documentation of RegistrationService.New).
var cloudflareAPI = []string{"com", "org", "net", "app", "dev", "cc", "xyz", "info", "cloud", "studio",
	"live", "link", "pro", "tech", "fyi", "shop", "online", "tools", "run", "games",
	"build", "systems", "world", "news", "site", "network", "chat", "space", "family", "page",
	"life", "group", "email", "solutions", "day", "blog", "ing", "icu", "academy", "today"}

func TestDefaultCatalog(t *testing.T) {
	c := registrar.DefaultCatalog()
	if c != registrar.DefaultCatalog() {
		t.Error("DefaultCatalog() returns a new catalog each call, want the same immutable one")
	}
	count := map[registrar.Support]int{}
	for _, e := range c.All() {
		count[e.Support]++
	}
	want := map[registrar.Support]int{registrar.SupportAPI: 41, registrar.SupportDashboard: 20, registrar.SupportFrozen: 5}
	for s, n := range want {
		if count[s] != n {
			t.Errorf("DefaultCatalog has %d %s extensions, want %d", count[s], s, n)
		}
	}

	wantNames := slices.Sorted(slices.Values(append(slices.Clone(cloudflareAPI), "us")))
	if got := c.Names(); !slices.Equal(got, wantNames) {
		t.Errorf("Names() = %v, want the 40 of Cloudflare's API and us: %v", got, wantNames)
	}
	all := c.All()
	if !slices.IsSortedFunc(all, func(a, b registrar.Extension) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("All() is not sorted by name")
	}
	for _, e := range all {
		minY, maxY := e.Years()
		if e.CreatedAt.IsZero() || e.UpdatedAt.Before(e.CreatedAt) || minY < 1 || maxY > 10 || minY > maxY {
			t.Errorf(".%s: created %v, updated %v, years %d to %d; want times set and 1 <= min <= max <= 10", e.Name, e.CreatedAt, e.UpdatedAt, minY, maxY)
		}
		if e.Support == registrar.SupportAPI && (e.Currency != "USD" || e.RegistrationCents <= 0 || e.RenewalCents <= 0) {
			t.Errorf(".%s is registrable through the API with prices %s %d/%d, want USD prices", e.Name, e.Currency, e.RegistrationCents, e.RenewalCents)
		}
		got, ok := c.Lookup(e.Name)
		if !ok || got.Name != e.Name || got.Support != e.Support {
			t.Errorf("Lookup(%q) = %+v, %v; want the extension", e.Name, got, ok)
		}
	}
	for _, n := range []string{"io", "ai", "co", "uk", "co.uk", "de", "ca"} {
		if e, ok := c.Lookup(n); !ok || e.Support != registrar.SupportDashboard {
			t.Errorf("Lookup(%q) = %v, %v; want a dashboard-only extension", n, e.Support, ok)
		}
	}
	if e, ok := c.Lookup("tk"); !ok || e.Support != registrar.SupportFrozen {
		t.Errorf("Lookup(tk) = %v, %v; want frozen", e.Support, ok)
	}
	if e, _ := c.Lookup("ai"); e.MinYears != 2 {
		t.Errorf(".ai MinYears = %d, want 2", e.MinYears)
	}
	if _, ok := c.Lookup(".com"); ok {
		t.Error(`Lookup(".com") found an extension; names have no leading dot`)
	}

	us, _ := c.Lookup("us")
	var required []string
	for _, f := range us.ContactExtensions {
		if f.Required {
			required = append(required, f.Name+"="+strings.Join(f.Enum, ","))
		}
	}
	if want := []string{"nexus_category=C11,C12,C21,C31,C32", "application_purpose=P1,P2,P3,P4,P5"}; !slices.Equal(required, want) {
		t.Errorf(".us required contact extensions = %v, want %v", required, want)
	}
	page, _ := c.Lookup("page")
	if len(page.Acknowledgements) != 1 || page.Acknowledgements[0].Name != "hsts_preload" || !page.Acknowledgements[0].Required {
		t.Errorf(".page acknowledgements = %+v, want hsts_preload required", page.Acknowledgements)
	}
}

func TestExtensionTLD(t *testing.T) {
	for _, tt := range []struct{ name, tld string }{{"com", "com"}, {"co.uk", "uk"}, {"uk", "uk"}, {"xn--q9jyb4c", "xn--q9jyb4c"}, {"a.b.jp", "jp"}} {
		if got := (registrar.Extension{Name: tt.name}).TLD(); got != tt.tld {
			t.Errorf("Extension{Name: %q}.TLD() = %q, want %q", tt.name, got, tt.tld)
		}
	}
}

// TestCatalogCodeExtensions: extensions built in code, without the new
// fields, keep their old meaning: registrable through the API, every
// contact role, 1 to 10 years when unset.
func TestCatalogCodeExtensions(t *testing.T) {
	c := registrar.NewCatalog(registrar.Extension{Name: "com", MinYears: 1, MaxYears: 10, Currency: "USD", RegistrationCents: 1000},
		registrar.Extension{Name: "io", Support: registrar.SupportDashboard}, registrar.Extension{Name: "zz"})
	if got := c.Names(); !slices.Equal(got, []string{"com", "zz"}) {
		t.Errorf("Names() = %v, want [com zz]", got)
	}
	e, _ := c.Lookup("zz")
	if minY, maxY := e.Years(); minY != 1 || maxY != 10 || !slices.Equal(e.Roles(), registrar.ContactRoles) {
		t.Errorf("zero Extension: years %d to %d, roles %v; want 1 to 10 and every role", minY, maxY, e.Roles())
	}
	r := registrar.NewRouter()
	r.AddCatalog(registrar.EnvSandbox, c, nil)
	if _, _, err := r.Lookup(registrar.EnvSandbox, "io"); !registrar.IsKind(err, registrar.KindInvalid) {
		t.Errorf("Router.Lookup(io) after AddCatalog = %v, want invalid: dashboard-only extensions are not routed", err)
	}
	if _, ext, err := r.Lookup(registrar.EnvSandbox, "com"); err != nil || ext.RegistrationCents != 1000 {
		t.Errorf("Router.Lookup(com) = %+v, %v; want the catalog's extension", ext, err)
	}
}

// TestRegistrationSchemaShape checks the parts of the schemas the API
// documents, and that they encode the same every time.
func TestRegistrationSchemaShape(t *testing.T) {
	c := registrar.DefaultCatalog()
	for _, e := range c.All() {
		raw, ok := c.RegistrationSchema(e.Name)
		if !ok {
			t.Fatalf("RegistrationSchema(%q) missing", e.Name)
		}
		again, _ := json.Marshal(e.RegistrationSchema())
		if !bytes.Equal(raw, again) {
			t.Errorf(".%s: the schema encodes differently each time", e.Name)
		}
		var s struct {
			Schema     string   `json:"$schema"`
			Type       string   `json:"type"`
			Additional *bool    `json:"additionalProperties"`
			Required   []string `json:"required"`
			Properties map[string]struct {
				Minimum    *int           `json:"minimum"`
				Maximum    *int           `json:"maximum"`
				Enum       []string       `json:"enum"`
				Required   []string       `json:"required"`
				Properties map[string]any `json:"properties"`
				Additional *bool          `json:"additionalProperties"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatalf(".%s: %v", e.Name, err)
		}
		minY, maxY := e.Years()
		p := s.Properties
		switch {
		case s.Schema != registrar.SchemaDialect || s.Type != "object" || s.Additional == nil || *s.Additional:
			t.Errorf(".%s: schema %q type %q additionalProperties %v; want a closed 2020-12 object", e.Name, s.Schema, s.Type, s.Additional)
		case !slices.Contains(s.Required, "domain_name"):
			t.Errorf(".%s: required = %v, want domain_name", e.Name, s.Required)
		case p["years"].Minimum == nil || *p["years"].Minimum != minY || *p["years"].Maximum != maxY:
			t.Errorf(".%s: years not %d to %d", e.Name, minY, maxY)
		case !slices.Equal(p["privacy_mode"].Enum, []string{"redaction", "off"}):
			t.Errorf(".%s: privacy_mode enum = %v", e.Name, p["privacy_mode"].Enum)
		case len(p["contacts"].Properties) != len(e.Roles()) || p["contacts"].Properties["registrant"] == nil:
			t.Errorf(".%s: contacts accepts %v, want %v", e.Name, p["contacts"].Properties, e.Roles())
		case len(p["contact_extensions"].Properties) != len(e.ContactExtensions) || len(p["acknowledgements"].Properties) != len(e.Acknowledgements):
			t.Errorf(".%s: contact_extensions %v, acknowledgements %v; want the catalog's", e.Name, p["contact_extensions"].Properties, p["acknowledgements"].Properties)
		}
		for _, name := range []string{"contacts", "contact_extensions", "acknowledgements"} {
			if a := p[name].Additional; a == nil || *a {
				t.Errorf(".%s: %s is not closed", e.Name, name)
			}
		}
	}
	us, _ := c.RegistrationSchema("us")
	if !bytes.Contains(us, []byte(`"required":["domain_name","contact_extensions"]`)) ||
		!bytes.Contains(us, []byte(`"required":["nexus_category","application_purpose"]`)) {
		t.Errorf(".us schema does not require its contact extensions: %s", us)
	}
}

func TestLoadCatalog(t *testing.T) {
	c, err := registrar.LoadCatalog(strings.NewReader(`{"extensions": [
		{"name": "com", "support": "api", "currency": "USD", "registration_price": "10.46", "renewal_price": "11", "created_at": "2026-06-01T00:00:00Z"},
		{"name": "co.uk", "support": "dashboard", "min_years": 2, "max_years": 5, "created_at": "2026-06-01T00:00:00+02:00", "updated_at": "2026-07-01T00:00:00Z",
		 "contact_roles": ["billing", "registrant"],
		 "contact_extensions": [{"name": "registrant_type", "type": "string", "enum": ["IND", "LTD"], "description": "Nominet's type."}],
		 "acknowledgements": [{"name": "terms", "required": true, "description": "Accepts the terms."}]},
		{"name": "tk", "support": "frozen", "created_at": "2026-06-01T00:00:00Z"}
	]}`))
	if err != nil {
		t.Fatalf("LoadCatalog = %v", err)
	}
	com, _ := c.Lookup("com")
	if com.RegistrationCents != 1046 || com.RenewalCents != 1100 || com.MinYears != 1 || com.MaxYears != 10 || !com.UpdatedAt.Equal(com.CreatedAt) {
		t.Errorf("com = %+v, want prices 1046/1100, years 1 to 10, updated_at = created_at", com)
	}
	uk, _ := c.Lookup("co.uk")
	if uk.Support != registrar.SupportDashboard || uk.MinYears != 2 || uk.MaxYears != 5 || !slices.Equal(uk.ContactRoles, []string{"registrant", "billing"}) ||
		uk.CreatedAt.Hour() != 22 || len(uk.Acknowledgements) != 1 || uk.TLD() != "uk" {
		t.Errorf("co.uk = %+v", uk)
	}
	if got := c.Names(); !slices.Equal(got, []string{"com"}) {
		t.Errorf("Names() = %v, want [com]", got)
	}

	bad := []struct {
		name, json string
		want       []string // substrings of the error
	}{
		{"not JSON", `{`, []string{"catalog:"}},
		{"unknown member", `{"extensions": [{"name": "com", "colour": "blue"}]}`, []string{`unknown field "colour"`}},
		{"trailing data", `{"extensions": [{"name": "com", "support": "frozen", "created_at": "2026-06-01T00:00:00Z"}]} {}`, []string{"after the catalog"}},
		{"empty", `{"extensions": []}`, []string{"no extensions"}},
		{"unknown support", `{"extensions": [{"name": "com", "support": "sometimes"}]}`, []string{"unknown support state"}},
		{"everything wrong", `{"extensions": [{"name": ".COM", "min_years": 3, "max_years": 2, "currency": "usd", "registration_price": "1.234",
			"created_at": "yesterday", "contact_roles": ["owner"],
			"contact_extensions": [{"name": "Nexus", "type": "number"}, {"name": "b", "type": "boolean", "enum": ["x"], "description": "d"}],
			"acknowledgements": [{"name": "a"}, {"name": "a", "description": "d"}]}]}`,
			[]string{"extensions[0] (..COM): name", "support: is required", "min_years", "currency", "registration_price", "renewal_price", "created_at",
				`unknown role "owner"`, "must include registrant", "contact_extensions[0].name", "contact_extensions[0].type", "contact_extensions[0].description",
				"contact_extensions[1].enum", "acknowledgements[0].description", "acknowledgements[1].name"}},
		{"duplicate", `{"extensions": [{"name": "tk", "support": "frozen", "created_at": "2026-06-01T00:00:00Z"},
			{"name": "tk", "support": "frozen", "created_at": "2026-06-01T00:00:00Z"}]}`, []string{"extensions[1] (.tk): name: listed twice"}},
		{"updated before created", `{"extensions": [{"name": "tk", "support": "frozen", "created_at": "2026-06-01T00:00:00Z", "updated_at": "2026-05-01T00:00:00Z"}]}`,
			[]string{"updated_at: is before created_at"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			c, err := registrar.LoadCatalog(strings.NewReader(tt.json))
			if err == nil {
				t.Fatalf("LoadCatalog = %v, want an error", c.Names())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadCatalog error = %v\nwant it to mention %q", err, w)
				}
			}
		})
	}
}

func TestParseAndFormatCents(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		ok    bool
		out   string // FormatCents(cents), when ok
	}{
		{"10.44", 1044, true, "10.44"},
		{"7", 700, true, "7.00"},
		{"7.5", 750, true, "7.50"},
		{"0.01", 1, true, "0.01"},
		{"999999999.99", 99999999999, true, "999999999.99"},
		{"", 0, false, ""},
		{"1.234", 0, false, ""},
		{"-1", 0, false, ""},
		{"1e3", 0, false, ""},
		{".5", 0, false, ""},
		{"1000000000", 0, false, ""},
	} {
		cents, ok := registrar.ParseCents(tc.in)
		if cents != tc.cents || ok != tc.ok {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, %v", tc.in, cents, ok, tc.cents, tc.ok)
		}
		if ok && registrar.FormatCents(cents) != tc.out {
			t.Errorf("FormatCents(%d) = %q, want %q", cents, registrar.FormatCents(cents), tc.out)
		}
	}
}

// TestRouterLookup: an environment registers the extensions routed in
// it; any other is refused as the API reference's
// registration_not_supported says, naming the extension.
func TestRouterLookup(t *testing.T) {
	t.Parallel()
	cat := registrar.DefaultCatalog()
	r := registrar.NewRouter()
	for _, name := range []string{"com", "net"} {
		e, _ := cat.Lookup(name)
		r.Add(registrar.EnvSandbox, e, nil)
	}
	r.AddCatalog(registrar.EnvLive, cat, nil)
	for _, c := range []struct {
		env  registrar.Env
		ext  string
		want string // "": routed
	}{
		{registrar.EnvSandbox, "com", ""},
		{registrar.EnvSandbox, "net", ""},
		{registrar.EnvSandbox, "org", "Registration is not supported for this extension (.org)"},
		{registrar.EnvSandbox, "us", "Registration is not supported for this extension (.us)"},
		{registrar.EnvLive, "org", ""},
		{registrar.EnvLive, "io", "Registration is not supported for this extension (.io)"}, // dashboard-only: not routed
	} {
		_, e, err := r.Lookup(c.env, c.ext)
		switch {
		case c.want == "" && (err != nil || e.Name != c.ext):
			t.Errorf("Lookup(%s, %s) = %q, %v; want it routed", c.env, c.ext, e.Name, err)
		case c.want != "" && (!registrar.IsKind(err, registrar.KindInvalid) || registrar.AsError(err).Message != c.want):
			t.Errorf("Lookup(%s, %s) = %v, want invalid: %s", c.env, c.ext, err, c.want)
		}
	}
}
