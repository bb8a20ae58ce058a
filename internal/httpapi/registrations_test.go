package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// testCatalog is the default catalog and one more API extension, みんな
// (xn--q9jyb4c), with a narrow years range, the registrant role only and
// an optional boolean contact extension.
func testCatalog() *registrar.Catalog {
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	return registrar.NewCatalog(append(registrar.DefaultCatalog().All(), registrar.Extension{
		Name: "xn--q9jyb4c", MinYears: 2, MaxYears: 5, Currency: "USD", RegistrationCents: 2000, RenewalCents: 2000,
		ContactRoles:      []string{registrar.RoleRegistrant},
		ContactExtensions: []registrar.Field{{Name: "is_company", Type: "boolean", Description: "The registrant is a company."}},
		CreatedAt:         t0, UpdatedAt: t0,
	})...)
}

// usContact is a valid registrant.
const usContact = `"contacts": {"registrant": {"email": "ada@example.com", "phone": "+1.5555555555",
	"postal_info": {"name": "Ada Lovelace", "address": {"street": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country_code": "US"}}}}`

// TestRegistrationSchemaViolations posts bodies that break their
// extension's schema: each violation is one error item, code 1001, with
// the pointer of the member at fault; nothing is started.
func TestRegistrationSchemaViolations(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	tests := []struct {
		name     string
		body     string
		pointers []string
		messages []string // substrings of each error's message, in order
	}{
		{"us without contact_extensions", `{"domain_name": "ada.us", ` + usContact + `}`,
			[]string{"/contact_extensions"}, []string{"contact_extensions: is required to register under .us"}},
		{"us with empty contact_extensions", `{"domain_name": "ada.us", "contact_extensions": {}}`,
			[]string{"/contact_extensions/application_purpose", "/contact_extensions/nexus_category"},
			[]string{"contact_extensions/application_purpose: is required", "contact_extensions/nexus_category: is required"}},
		{"us with one nexus field", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11"}}`,
			[]string{"/contact_extensions/application_purpose"}, []string{"is required"}},
		{"us wrong enums", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C99", "application_purpose": "p1"}}`,
			[]string{"/contact_extensions/application_purpose", "/contact_extensions/nexus_category"},
			[]string{`must be one of "P1", "P2", "P3", "P4", "P5"`, `nexus_category: must be one of "C11", "C12", "C21", "C31", "C32"`}},
		{"us wrong type", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": 11, "application_purpose": "P1"}}`,
			[]string{"/contact_extensions/nexus_category"}, []string{"must be a string, not number"}},
		{"us unknown contact extension", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11", "application_purpose": "P1", "colour": "red"}}`,
			[]string{"/contact_extensions/colour"}, []string{"is not a contact extension of .us; allowed: application_purpose, nexus_category"}},
		{"pointer escaping", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11", "application_purpose": "P1", "a/b~c": 1}}`,
			[]string{"/contact_extensions/a~1b~0c"}, []string{"not a contact extension"}},
		{"com takes no contact extensions", `{"domain_name": "ada.com", "contact_extensions": {"nexus_category": "C11"}}`,
			[]string{"/contact_extensions/nexus_category"}, []string{"is not a contact extension of .com: it has none"}},
		{"page acknowledgement false", `{"domain_name": "ada.page", "acknowledgements": {"hsts_preload": false}}`,
			[]string{"/acknowledgements/hsts_preload"}, []string{"acknowledgements/hsts_preload: must be true"}},
		{"page acknowledgement missing", `{"domain_name": "ada.page", "acknowledgements": {}}`,
			[]string{"/acknowledgements/hsts_preload"}, []string{"is required"}},
		{"page without acknowledgements", `{"domain_name": "ada.page"}`,
			[]string{"/acknowledgements"}, []string{"is required to register under .page"}},
		{"page acknowledgement not a boolean", `{"domain_name": "ada.page", "acknowledgements": {"hsts_preload": "yes"}}`,
			[]string{"/acknowledgements/hsts_preload"}, []string{"must be a boolean, not string"}},
		{"app acknowledgement false", `{"domain_name": "ada.app", "acknowledgements": {"hsts_preload": false}}`,
			[]string{"/acknowledgements/hsts_preload"}, []string{"must be true"}},
		{"unknown acknowledgement", `{"domain_name": "ada.com", "acknowledgements": {"terms": true}}`,
			[]string{"/acknowledgements/terms"}, []string{"is not an acknowledgement of .com: it has none"}},
		{"years below the extension's minimum", `{"domain_name": "ada.xn--q9jyb4c", "years": 1}`,
			[]string{"/years"}, []string{"years: must be at least 2 (.xn--q9jyb4c registers for 2 to 5 years)"}},
		{"years above the extension's maximum", `{"domain_name": "ada.みんな", "years": 6}`,
			[]string{"/years"}, []string{"must be at most 5"}},
		{"years out of every range, reported once", `{"domain_name": "ada.xn--q9jyb4c", "years": 11}`,
			[]string{"/years"}, []string{"years: must be at most 5 (.xn--q9jyb4c registers for 2 to 5 years)"}},
		{"extension not registrable through the API", `{"domain_name": "ada.io", "contact_extensions": {"anything": 1}}`,
			[]string{"/domain_name"}, []string{"domain_name: Registration is not supported for this extension (.io)"}},
		{"contact role the extension does not take", `{"domain_name": "ada.xn--q9jyb4c", "years": 2, "contacts": {"technical": ` +
			`{"email": "ada@example.com", "phone": "+1.5555555555", "postal_info": {"name": "Ada", "address": {"street": "1", "city": "c", "state": "s", "postal_code": "1", "country_code": "us"}}}}}`,
			[]string{"/contacts/technical"}, []string{"is not a contact role .xn--q9jyb4c accepts; allowed: registrant"}},
		{"boolean contact extension", `{"domain_name": "ada.xn--q9jyb4c", "contact_extensions": {"is_company": "yes"}}`,
			[]string{"/contact_extensions/is_company"}, []string{"must be a boolean"}},
		{"field rules and schema together", `{"domain_name": "ada.us", "years": 0, "privacy_mode": "public", "contact_extensions": {"nexus_category": "C99"},
			"acknowledgements": {"x": true}, "contacts": {"registrant": {"email": "nope", "phone": "555", "postal_info": {"name": "Ada"}}}}`,
			[]string{"/years", "/privacy_mode", "/contacts/registrant/email", "/contacts/registrant/phone", "/contacts/registrant/postal_info/address",
				"/contact_extensions/application_purpose", "/contact_extensions/nexus_category", "/acknowledgements/x"},
			[]string{"years: must be at least 1 (.us registers for 1 to 10 years)", `must be one of "redaction", "off"`,
				"email: must be a plain email address such as ada@example.com", "phone: must be E.164 in the form +CC.NUMBER",
				"postal_info/address: is required", "application_purpose: is required to register under .us",
				`nexus_category: must be one of "C11"`, "acknowledgements/x: is not an acknowledgement of .us: it has none"}},
		{"empty organization and fax are absent", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11"}, "contacts": {"registrant": {"email": "ada@example.com", "phone": "+1.5555555555", "fax": "",
			"postal_info": {"name": "Ada", "organization": "", "address": {"street": "1", "city": "c", "state": "s", "postal_code": "1", "country_code": "us"}}}}}`,
			[]string{"/contact_extensions/application_purpose"}, []string{"is required"}},
		{"null for an optional member", `{"domain_name": "ada.com", "contact_extensions": null}`,
			[]string{"/contact_extensions"}, []string{"must be an object, not null"}},
	}
	for _, env := range []string{"registrar", "registrar-sandbox"} {
		for _, tt := range tests {
			t.Run(env+"/"+tt.name, func(t *testing.T) {
				r := api.do("POST", env, "registrations", tt.body, "Prefer", "respond-async")
				if r.Status != http.StatusBadRequest || r.Env.Success || r.Header.Get("x-should-retry") != "false" {
					t.Fatalf("POST %s = %d %s, want 400 with x-should-retry false", tt.body, r.Status, r.Body)
				}
				if got := r.pointers(); !slices.Equal(got, tt.pointers) {
					t.Errorf("pointers = %q, want %q\n%s", got, tt.pointers, r.Body)
				}
				for i, e := range r.Env.Errors {
					if e.Code != CodeValidation {
						t.Errorf("errors[%d].code = %d, want %d", i, e.Code, CodeValidation)
					}
					if i < len(tt.messages) && !strings.Contains(e.Message, tt.messages[i]) {
						t.Errorf("errors[%d].message = %q, want it to say %q", i, e.Message, tt.messages[i])
					}
				}
			})
		}
	}
	if got := api.wfs.started(); len(got) != 0 {
		t.Errorf("workflows started for invalid bodies: %+v", got)
	}
}

// TestRegistrationSchemaAccepts: bodies within their schema reach the
// workflow engine with the contact extensions and acknowledgements.
func TestRegistrationSchemaAccepts(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	bodies := []string{
		`{"domain_name": "ada.us", "years": 3, "auto_renew": true, "privacy_mode": "off", "contact_extensions": {"nexus_category": "C31", "application_purpose": "P3"}, ` + usContact + `}`,
		`{"domain_name": "ada.page", "acknowledgements": {"hsts_preload": true}}`,
		`{"domain_name": "ada.app"}`,
		`{"domain_name": "ada.com", "contact_extensions": {}, "acknowledgements": {}}`,
		`{"domain_name": "ada.みんな", "years": 5, "contact_extensions": {"is_company": false}}`,
	}
	for _, body := range bodies {
		r := api.do("POST", "registrar", "registrations", body, "Prefer", "respond-async")
		if r.Status != http.StatusAccepted {
			t.Errorf("POST %s = %d %s, want 202", body, r.Status, r.Body)
		}
	}
	got := api.wfs.started()
	if len(got) != len(bodies) {
		t.Fatalf("started %d workflows, want %d", len(got), len(bodies))
	}
	us := got[0]
	if us.DomainName != "ada.us" || us.Years != 3 || us.ContactExtensions["nexus_category"] != "C31" || us.ContactExtensions["application_purpose"] != "P3" {
		t.Errorf("the .us request = %+v, want its contact extensions", us)
	}
	if got[1].Acknowledgements["hsts_preload"] != true {
		t.Errorf("the .page request acknowledgements = %v, want hsts_preload true", got[1].Acknowledgements)
	}
	if got[4].DomainName != "ada.xn--q9jyb4c" || got[4].Extension != "xn--q9jyb4c" {
		t.Errorf("the IDN request = %+v", got[4])
	}
}

// TestRegistrationPremium: a name Domains knows to be premium is refused
// at /domain_name, after validation, without starting anything.
func TestRegistrationPremium(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog(), "premium-ada.com")
	r := api.do("POST", "registrar", "registrations", `{"domain_name": "PREMIUM-ada.com"}`, "Prefer", "respond-async")
	if r.Status != http.StatusBadRequest || !slices.Equal(r.pointers(), []string{"/domain_name"}) ||
		r.Env.Errors[0].Message != "domain_premium: premium-ada.com is a premium name; premium names cannot be registered through the API" || r.Env.Errors[0].Code != CodeValidation {
		t.Errorf("POST a premium name = %d %s, want 400 at /domain_name saying premium names cannot be registered", r.Status, r.Body)
	}
	r = api.do("POST", "registrar", "registrations", `{"domain_name": "premium-ada.com", "years": 0}`, "Prefer", "respond-async")
	if !slices.Equal(r.pointers(), []string{"/years"}) {
		t.Errorf("POST an invalid premium request = %s, want the validation error only", r.Body)
	}
	if got := api.wfs.started(); len(got) != 0 {
		t.Errorf("workflows started: %+v", got)
	}
}

// TestSchemaDocumentsWhatIsAccepted: the schema of .com accepts the
// documented example body of docs/API.md.
func TestSchemaDocumentsWhatIsAccepted(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, nil) // the default catalog
	example := map[string]any{
		"domain_name": "example.com", "years": 1, "auto_renew": false, "privacy_mode": "redaction",
		"contacts": map[string]any{"registrant": map[string]any{
			"email": "ada@example.com", "phone": "+44.2071234567",
			"postal_info": map[string]any{"name": "Ada Lovelace", "organization": "",
				"address": map[string]any{"street": "12 St James's Square", "city": "London", "state": "London", "postal_code": "SW1Y 4LB", "country_code": "GB"}}}},
		"contact_extensions": map[string]any{}, "acknowledgements": map[string]any{},
	}
	b, _ := json.Marshal(example)
	if r := api.do("POST", "registrar", "registrations", string(b), "Prefer", "respond-async"); r.Status != http.StatusAccepted {
		t.Errorf("POST the documented example = %d %s, want 202", r.Status, r.Body)
	}
}

// TestRegistrationSchemaConcurrent validates bodies from many goroutines
// at once, the first ones racing to compile the schemas.
func TestRegistrationSchemaConcurrent(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, testCatalog())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				domain := []string{"ada.us", "ada.page", "ada.com"}[(g+i)%3]
				r := api.do("POST", "registrar", "registrations", `{"domain_name": "`+domain+`", "contact_extensions": {"colour": "red"}}`, "Prefer", "respond-async")
				if r.Status != http.StatusBadRequest || !slices.Contains(r.pointers(), "/contact_extensions/colour") {
					t.Errorf("POST %s = %d %s, want 400 at /contact_extensions/colour", domain, r.Status, r.Body)
				}
			}
		})
	}
	wg.Wait()
}

// TestRegistrationRoutedTerms: with the environment's routes, a request
// is validated against the extension as routed there: an extension the
// environment does not route is refused at /domain_name, and contact
// extensions for a registry that takes none at /contact_extensions.
func TestRegistrationRoutedTerms(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, nil)
	us, _ := registrar.DefaultCatalog().Lookup("us")
	us.ContactExtensionsUnsent = true
	routes := registrar.NewRouter()
	routes.Add(registrar.EnvLive, us, nil)
	api.srv.Registries = routes
	tests := []struct {
		env, body, pointer, message string
	}{
		{"registrar", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11", "application_purpose": "P1"}}`,
			"/contact_extensions", "contact_extensions: cannot be sent: the registry serving .us is not configured to receive contact extensions"},
		{"registrar", `{"domain_name": "ada.com"}`, "/domain_name", "Registration is not supported for this extension (.com)"},
		{"registrar-sandbox", `{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11", "application_purpose": "P1"}}`,
			"/domain_name", "Registration is not supported for this extension (.us)"},
	}
	for _, tt := range tests {
		r := api.do("POST", tt.env, "registrations", tt.body, "Prefer", "respond-async")
		if r.Status != http.StatusBadRequest || !slices.Equal(r.pointers(), []string{tt.pointer}) || !strings.Contains(r.Env.Errors[0].Message, tt.message) {
			t.Errorf("POST %s %s = %d %s, want 400 at %s saying %q", tt.env, tt.body, r.Status, r.Body, tt.pointer, tt.message)
		}
	}
	if got := api.wfs.started(); len(got) != 0 {
		t.Errorf("workflows started: %+v", got)
	}
}
