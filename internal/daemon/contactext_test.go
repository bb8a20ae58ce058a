package daemon_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestContactExtensionsReachRegistry: a .us registration's nexus is sent
// to the registry on the registrant's contact create when the registries
// file says the registry takes contact extensions, and refused with a 400
// naming the field when it does not; nothing is accepted and dropped.
// The .page acknowledgement is kept as the registration's consent record.
func TestContactExtensionsReachRegistry(t *testing.T) {
	t.Parallel()
	us := map[string]any{"domain_name": "nexus-ok.us", "contact_extensions": map[string]any{"nexus_category": "C12", "application_purpose": "P3"}}
	tests := []struct {
		name   string
		form   string // contact_extensions of the registry in the registries file
		status int
		logged string // the extensions the registry logged on a contact create
	}{
		{"registry takes them", "neulevel", http.StatusCreated, "neulevel:unspec NexusCategory=C12 AppPurpose=P3"},
		{"registry does not", "", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := startRegistry(t, 0)
			raw, err := os.ReadFile(reg.file)
			if err != nil {
				t.Fatal(err)
			}
			file := strings.Replace(string(raw), "    extensions:\n", "    extensions:\n      - {name: us, currency: USD, registration_price: \"8.50\", renewal_price: \"8.50\"}\n"+
				"      - {name: page, currency: USD, registration_price: \"12.00\", renewal_price: \"12.00\"}\n", 1)
			if tt.form != "" {
				file = strings.Replace(file, "    pool_size: 4\n", "    pool_size: 4\n    contact_extensions: "+tt.form+"\n", 1)
			}
			if err := os.WriteFile(reg.file, []byte(file), 0o600); err != nil {
				t.Fatal(err)
			}
			s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.Registries = reg.file })
			s.verifyRegistrant()

			r := s.do("POST", s.base("registrar")+"/registrations", s.token, us)
			if r.Status != tt.status {
				t.Fatalf("POST %v = %d %s, want %d", us, r.Status, r.Body, tt.status)
			}
			log, err := reg.engine.Log(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var logged []string
			for _, e := range log {
				if e.Command == "contact:create" && e.Extensions != "" {
					logged = append(logged, e.Extensions)
				}
			}
			if tt.status == http.StatusBadRequest {
				if len(r.Env.Errors) != 1 || r.Env.Errors[0].Source == nil || r.Env.Errors[0].Source.Pointer != "/contact_extensions" ||
					!strings.Contains(r.Env.Errors[0].Message, "not configured to receive contact extensions") {
					t.Errorf("POST = %s, want one error at /contact_extensions saying the registry is not configured for them", r.Body)
				}
				for _, e := range log {
					if e.Domain == "nexus-ok.us" {
						t.Errorf("the registry received %s of %s for a refused request", e.Command, e.Domain)
					}
				}
				return
			}
			if st := r.status(t); st.State != registrar.StateSucceeded {
				t.Fatalf("registration = %+v, want succeeded", st)
			}
			if !slices.Equal(logged, []string{tt.logged}) {
				t.Errorf("the registry logged contact extensions %q, want [%q]", logged, tt.logged)
			}

			// An acknowledgement is no registry data: the registration keeps
			// it as the registrant's consent, with what they accepted and when.
			page := map[string]any{"domain_name": "consent.page", "acknowledgements": map[string]any{"hsts_preload": true}}
			before := time.Now().Add(-time.Second)
			if r := s.do("POST", s.base("registrar")+"/registrations", s.token, page); r.Status != http.StatusCreated {
				t.Fatalf("POST %v = %d %s", page, r.Status, r.Body)
			}
			st, err := s.d.DB().RegistrationStatus(context.Background(), s.account, registrar.EnvLive, "consent.page")
			if err != nil {
				t.Fatal(err)
			}
			wf, err := s.d.DB().WorkflowByID(context.Background(), st.ID) // with its private data
			if err != nil {
				t.Fatal(err)
			}
			var data struct {
				Consents []struct {
					Name, Text string
					At         time.Time
				} `json:"consents"`
			}
			if err := json.Unmarshal(wf.Data, &data); err != nil {
				t.Fatal(err)
			}
			if consents := data.Consents; len(consents) != 1 || consents[0].Name != "hsts_preload" || !strings.Contains(consents[0].Text, "HSTS preload list") || consents[0].At.Before(before) {
				t.Errorf("consents of consent.page = %+v, want hsts_preload with its text and time", consents)
			}
		})
	}
}
