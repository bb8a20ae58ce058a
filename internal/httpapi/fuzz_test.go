package httpapi

import (
	"errors"
	"testing"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// FuzzRegistrationRequest feeds arbitrary bodies to the one validation
// path: it never panics, refuses with a strict decoding error or an
// invalid-kind error whose every item has a pointer, and what it accepts
// is a parsed ASCII name of an extension registrable through the API.
func FuzzRegistrationRequest(f *testing.F) {
	f.Add(`{"domain_name": "ada.us", "contact_extensions": {"nexus_category": "C11", "application_purpose": "P1"}}`)
	f.Add(`{"domain_name": "ADA.page", "acknowledgements": {"hsts_preload": true}, "years": 3}`)
	f.Add(`{"domain_name": "bücher.de", "contacts": {"registrant": {"email": "a@b.c", "phone": "+1.5", "postal_info": {"name": "A", ` +
		`"address": {"street": "s", "city": "c", "state": "s", "postal_code": "1", "country_code": "de"}}}}}`)
	f.Add(`{"domain_name": "a.com", "years": 0, "privacy_mode": "public", "contact_extensions": null}`)
	f.Add(`{"domain_name": "x.io"}`)
	f.Add(`{}`)
	api := newTestAPI(f, testCatalog())
	f.Fuzz(func(t *testing.T, body string) {
		req, err := api.srv.registrationRequest(registrar.EnvLive, []byte(body))
		if err != nil {
			var je *jsonstrict.Error
			var re *registrar.Error
			switch {
			case errors.As(err, &je):
			case errors.As(err, &re) && re.Kind == registrar.KindInvalid && len(re.Fields) > 0:
				for _, fe := range re.Fields {
					if fe.Pointer == "" || fe.Pointer[0] != '/' || fe.Message == "" {
						t.Fatalf("registrationRequest(%s): field error %+v without a pointer or message", body, fe)
					}
				}
			default:
				t.Fatalf("registrationRequest(%s) = %v, want a decoding or field error", body, err)
			}
			return
		}
		n, err := domainname.Parse(req.DomainName)
		if err != nil || n.ASCII != req.DomainName || n.Extension != req.Extension {
			t.Fatalf("registrationRequest(%s) accepted %q (.%s), which parses to %+v, %v", body, req.DomainName, req.Extension, n, err)
		}
		if ext, ok := api.srv.catalog().Lookup(req.Extension); !ok || ext.Support != registrar.SupportAPI {
			t.Fatalf("registrationRequest(%s) accepted .%s, which is not registrable through the API", body, req.Extension)
		}
	})
}
