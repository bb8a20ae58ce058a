package schema

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// TestRegistrationSchemasCompile compiles every default extension's
// registration schema (which checks it against the 2020-12 meta-schema),
// and checks every name is the canonical form of an ICANN extension.
func TestRegistrationSchemasCompile(t *testing.T) {
	t.Parallel()
	var v Validator
	for _, e := range registrar.DefaultCatalog().All() {
		if _, err := v.get(e.RegistrationSchema()); err != nil {
			t.Errorf("compile the schema of .%s: %v", e.Name, err)
		}
		if n, err := domainname.ParseExtension(e.Name); err != nil || n != e.Name {
			t.Errorf("ParseExtension(%q) = %q, %v; want the catalog's name back", e.Name, n, err)
		}
	}
}

// TestValidatorConcurrent: concurrent first uses compile once and give
// every caller the same schema.
func TestValidatorConcurrent(t *testing.T) {
	t.Parallel()
	var v Validator
	us, _ := registrar.DefaultCatalog().Lookup("us")
	got := make([]any, 16)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			s, err := v.get(us.RegistrationSchema())
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got {
		if s != got[0] {
			t.Fatal("concurrent Validator.get returned different schemas")
		}
	}
}

// TestContact: the contact rules of the registration schemas, one error
// per field with the message a user can act on.
func TestContact(t *testing.T) {
	t.Parallel()
	const addr = `"address": {"street": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country_code": "us"}`
	contact := func(email, phone, name string) string {
		return `{"email": ` + email + `, "phone": ` + phone + `, "postal_info": {"name": ` + name + `, ` + addr + `}}`
	}
	tests := []struct {
		name     string
		body     string
		pointers []string
		messages []string
	}{
		{"valid", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada"`), nil, nil},
		{"empty email and phone", contact(`""`, `""`, `"Ada"`), []string{"/email", "/phone"}, []string{"must be a plain email address", "must not be empty"}},
		{"bad email", contact(`"ada at example.com"`, `"+1.5555555555"`, `"Ada"`), []string{"/email"}, []string{"must be a plain email address such as ada@example.com"}},
		{"bad phone", contact(`"ada@example.com"`, `"555-1234"`, `"Ada"`), []string{"/phone"}, []string{"must be E.164 in the form +CC.NUMBER"}},
		{"blank name", contact(`"ada@example.com"`, `"+1.5555555555"`, `"   "`), []string{"/postal_info/name"}, []string{"is required"}},
		{"control character", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\nLovelace"`), []string{"/postal_info/name"}, []string{"no control characters"}},
		{"line separator", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\u2028Lovelace"`), []string{"/postal_info/name"}, []string{"U+2028"}},
		{"paragraph separator", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\u2029Lovelace"`), []string{"/postal_info/name"}, []string{"must be a single line"}},
		{"next line (C1)", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\u0085Lovelace"`), []string{"/postal_info/name"}, []string{"U+0085"}},
		{"C1 control", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\u009bLovelace"`), []string{"/postal_info/name"}, []string{"must be a single line"}},
		{"DEL", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada\u007f"`), []string{"/postal_info/name"}, []string{"must be a single line"}},
		{"accents and scripts are text", contact(`"ada@example.com"`, `"+1.5555555555"`, `"Adà Łovelace 李 \u00a0Jr"`), nil, nil},
		{"separators in every address line",
			`{"email": "ada@example.com", "phone": "+1.5555555555", "postal_info": {"name": "Ada", "organization": "A\u2028B", "address": {"street": "1\u0085Main", "city": "Aus\u2029tin", "state": "T\tX", "postal_code": "787\u000d01", "country_code": "us"}}}`,
			[]string{"/postal_info/address/city", "/postal_info/address/postal_code", "/postal_info/address/state", "/postal_info/address/street", "/postal_info/organization"},
			[]string{"single line", "single line", "single line", "single line", "single line"}},
		{"address literal", contact(`"ada@[127.0.0.1]"`, `"+1.5555555555"`, `"Ada"`), []string{"/email"}, []string{"not an address literal"}},
		{"IPv6 address literal", contact(`"ada@[IPv6:::1]"`, `"+1.5555555555"`, `"Ada"`), []string{"/email"}, []string{"not an address literal"}},
		{"long name", contact(`"ada@example.com"`, `"+1.5555555555"`, `"`+strings.Repeat("é", 256)+`"`), []string{"/postal_info/name"}, []string{"must be at most 255 characters"}},
		{"bad fax", `{"email": "ada@example.com", "phone": "+1.5555555555", "fax": "fax", "postal_info": {"name": "Ada", ` + addr + `}}`,
			[]string{"/fax"}, []string{"must be E.164"}},
		{"bad country", strings.Replace(contact(`"ada@example.com"`, `"+1.5555555555"`, `"Ada"`), `"us"`, `"USA"`, 1),
			[]string{"/postal_info/address/country_code"}, []string{"two-letter ISO 3166-1"}},
		{"no address", `{"email": "ada@example.com", "phone": "+1.5555555555", "postal_info": {"name": "Ada"}}`,
			[]string{"/postal_info/address"}, []string{"is required"}},
	}
	var v Validator
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, err := v.Contact([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var ptrs, msgs []string
			for _, e := range errs {
				ptrs, msgs = append(ptrs, e.Pointer), append(msgs, e.Message)
			}
			if !slices.Equal(ptrs, tt.pointers) {
				t.Fatalf("Contact(%s) pointers = %q, want %q (%q)", tt.body, ptrs, tt.pointers, msgs)
			}
			for i, m := range tt.messages {
				if !strings.Contains(msgs[i], m) {
					t.Errorf("Contact(%s) message %d = %q, want it to say %q", tt.body, i, msgs[i], m)
				}
			}
		})
	}
}
