package workflows

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestRegistrantExtensions: contact extensions go to the registry under
// their registry keys, in the catalog's order; booleans as true/false.
func TestRegistrantExtensions(t *testing.T) {
	t.Parallel()
	us, _ := registrar.DefaultCatalog().Lookup("us")
	ext := registrar.Extension{ContactExtensions: append(slices.Clone(us.ContactExtensions), registrar.Field{Name: "is_company", Type: "boolean"})}
	tests := []struct {
		name   string
		values map[string]any
		want   []registrar.KeyValue
	}{
		{"none", nil, nil},
		{"us nexus", map[string]any{"application_purpose": "P1", "nexus_category": "C11"},
			[]registrar.KeyValue{{Key: "NexusCategory", Value: "C11"}, {Key: "AppPurpose", Value: "P1"}}},
		{"boolean, no registry key", map[string]any{"is_company": false}, []registrar.KeyValue{{Key: "is_company", Value: "false"}}},
	}
	for _, tt := range tests {
		if got := registrantExtensions(ext, tt.values); !slices.Equal(got, tt.want) {
			t.Errorf("%s: registrantExtensions(%v) = %v, want %v", tt.name, tt.values, got, tt.want)
		}
	}
}

// TestConsents: each acknowledgement given is recorded with the text the
// registrant was shown and the time.
func TestConsents(t *testing.T) {
	t.Parallel()
	page, _ := registrar.DefaultCatalog().Lookup("page")
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	got := consents(page, map[string]any{"hsts_preload": true}, at)
	if len(got) != 1 || got[0] != (consent{Name: "hsts_preload", Text: page.Acknowledgements[0].Description, At: at}) {
		t.Errorf("consents = %+v, want hsts_preload with its description at %v", got, at)
	}
	if got := consents(page, nil, at); got != nil {
		t.Errorf("consents without acknowledgements = %+v, want none", got)
	}
}

// TestRegistrationDataUpgrade: data stored before the request was kept
// whole (contacts at the top level) decodes with its contacts in place.
func TestRegistrationDataUpgrade(t *testing.T) {
	t.Parallel()
	old := `{"extension": "com", "years": 2, "auto_renew": true, "privacy_mode": "off",
		"registrant": {"email": "ada@example.com", "phone": "+44.1", "postal_info": {"name": "Ada", "address": {}}},
		"technical": {"email": "tech@example.com", "phone": "+44.2", "postal_info": {"name": "Tech", "address": {}}},
		"auth_info": "x", "price_cents": 2000, "currency": "USD"}`
	d, err := decode[registrationData](&registrar.Workflow{Data: json.RawMessage(old)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Contacts.Registrant == nil || d.Contacts.Registrant.Email != "ada@example.com" || d.Contacts.Technical == nil ||
		d.Contacts.Technical.Email != "tech@example.com" || d.Contacts.Administrator != nil || d.Extension != "com" || d.Years != 2 ||
		!d.AutoRenew || d.PrivacyMode != registrar.PrivacyOff {
		t.Errorf("decoded old data = %+v", d)
	}
	b, _ := json.Marshal(d)
	var again map[string]any
	json.Unmarshal(b, &again)
	if _, ok := again["registrant"]; ok {
		t.Errorf("re-encoded data %s keeps the old registrant member", b)
	}
}
