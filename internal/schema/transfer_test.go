package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestTransferSchema: every extension's transfer schema is a valid JSON
// Schema 2020-12 document that states the transfer-in body's rules: an
// auth code in RFC 4648 section 4 base64 (not needed under .uk), the
// extension's contact_extensions, nothing else.
func TestTransferSchema(t *testing.T) {
	t.Parallel()
	cat := registrar.DefaultCatalog()
	for _, e := range cat.All() {
		if _, err := compile(mustMarshal(t, e.TransferSchema())); err != nil {
			t.Errorf("the transfer schema of .%s does not compile: %v", e.Name, err)
		}
	}
	const contact = `{"email":"ada@example.com","phone":"+44.2071234567","postal_info":{"name":"Ada Lovelace",
		"address":{"street":"12 St James's Square","city":"London","state":"London","postal_code":"SW1Y 4LB","country_code":"GB"}}}`
	cases := []struct {
		ext, body string
		ok        bool
	}{
		{"com", `{"auth_code":"bml4b3M+Pj5hcmNoLWxpbnV4"}`, true},
		{"com", `{"auth_code":"YQ==","auto_renew":true,"privacy_mode":"off","contacts":{"registrant":` + contact + `}}`, true},
		{"com", `{}`, false},                                       // auth_code is required
		{"com", `{"auth_code":""}`, false},                         // empty
		{"com", `{"auth_code":"nixos>>>arch-linux"}`, false},       // not base64
		{"com", `{"auth_code":"bml4b3M-Pj5hcmNoLWxpbnV4"}`, false}, // base64url (RFC 4648 section 5), not section 4
		{"com", `{"auth_code":"YQ"}`, false},                       // unpadded
		{"com", `{"auth_code":"bml4\nb3M="}`, false},               // a line break
		{"com", `{"auth_code":"YQ==","domain_name":"a.com"}`, false},
		{"com", `{"auth_code":"YQ==","years":1}`, false},
		{"com", `{"auth_code":"YQ==","privacy_mode":"public"}`, false},
		{"co.uk", `{}`, true}, // .uk transfers need no auth code
		{"uk", `{"auto_renew":false}`, true},
		{"us", `{"auth_code":"YQ=="}`, false}, // nexus values are required
		{"us", `{"auth_code":"YQ==","contact_extensions":{"nexus_category":"C12","application_purpose":"P3"}}`, true},
		{"us", `{"auth_code":"YQ==","contact_extensions":{"nexus_category":"C99","application_purpose":"P3"}}`, false},
		{"com", `{"auth_code":"YQ==","contact_extensions":{"nexus_category":"C12"}}`, false},
	}
	for _, c := range cases {
		e, ok := cat.Lookup(c.ext)
		if !ok {
			t.Fatalf("no .%s in the default catalog", c.ext)
		}
		sch, err := compile(mustMarshal(t, e.TransferSchema()))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); (err == nil) != c.ok {
			t.Errorf(".%s transfer %s: valid = %v (%v), want %v", c.ext, c.body, err == nil, err, c.ok)
		}
	}
	raw, ok := cat.TransferSchema("com")
	if !ok || string(raw) != string(mustMarshal(t, mustLookup(t, cat, "com").TransferSchema())) {
		t.Errorf("Catalog.TransferSchema(com) = %s, %v; want the extension's schema", raw, ok)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustLookup(t *testing.T, c *registrar.Catalog, name string) registrar.Extension {
	t.Helper()
	e, ok := c.Lookup(name)
	if !ok {
		t.Fatalf("no .%s", name)
	}
	return e
}
