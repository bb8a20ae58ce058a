package httpapi

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

const graceContact = `{"email":"grace@example.net","phone":"+1.2025550100","postal_info":{"name":"Grace Hopper",
	"address":{"street":"1 Navy Way","city":"Arlington","state":"VA","postal_code":"22202","country_code":"us"}}}`

// notMine is the engine when another account holds theirs.com.
type notMine struct{ *fakeWorkflows }

func (n notMine) StartUpdate(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, req registrar.UpdateRequest) (*registrar.Workflow, error) {
	if domain == "theirs.com" {
		return nil, registrar.Errorf(registrar.KindNotFound, "fake", "registration of %s not found", domain)
	}
	return n.fakeWorkflows.StartUpdate(ctx, p, env, domain, req)
}

// TestPatchContacts: PATCH contacts (ours) is validated by the contacts
// schema of the registration schema, with pointers under /contacts, and
// goes to the engine with the opt-out; another account's domain is 404.
func TestPatchContacts(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, nil)
	a.srv.Workflows = notMine{a.wfs}
	r := a.do("PATCH", "registrar", "registrations/example.com", `{"contacts":{"registrant":`+graceContact+`},"transfer_lock_opt_out":true}`, "Prefer", "respond-async")
	if r.Status != http.StatusAccepted {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	a.wfs.mu.Lock()
	got := slices.Clone(a.wfs.updates)
	a.wfs.mu.Unlock()
	if len(got) != 1 || got[0].Contacts == nil || got[0].Contacts.Registrant.Email != "grace@example.net" || !got[0].TransferLockOptOut {
		t.Errorf("updates started: %+v", got)
	}

	for _, c := range []struct {
		name, body string
		pointer    string
	}{
		{"bad email", `{"contacts":{"registrant":{"email":"not-an-address","phone":"+1.2025550100","postal_info":{"name":"G","address":{"street":"s","city":"c","state":"VA","postal_code":"1","country_code":"US"}}}}}`, "/contacts/registrant/email"},
		{"bad phone", `{"contacts":{"administrator":{"email":"a@example.com","phone":"555","postal_info":{"name":"G","address":{"street":"s","city":"c","state":"VA","postal_code":"1","country_code":"US"}}}}}`, "/contacts/administrator/phone"},
		{"no role", `{"contacts":{}}`, "/contacts"},
		{"opt-out alone", `{"transfer_lock_opt_out":true}`, "/transfer_lock_opt_out"},
	} {
		r := a.do("PATCH", "registrar", "registrations/example.com", c.body)
		if r.Status != http.StatusBadRequest || !slices.Contains(r.pointers(), c.pointer) {
			t.Errorf("%s: status %d pointers %q, want 400 at %s: %s", c.name, r.Status, r.pointers(), c.pointer, r.Body)
		}
	}
	if r := a.do("PATCH", "registrar", "registrations/theirs.com", `{"contacts":{"registrant":`+graceContact+`}}`); r.Status != http.StatusNotFound {
		t.Errorf("another account's domain: status %d, want 404: %s", r.Status, r.Body)
	}
}
