package cli

import (
	"fmt"
	"strings"

	"github.com/openregistrar/registrar/client"
)

// contacts runs `registrar contacts set NAME --registrant FILE [--admin
// FILE] [--tech FILE] [--billing FILE] [--opt-out-transfer-lock]`: a
// PATCH contacts (our extension). A material change of registrant waits
// for the prior and the new registrant to open the links emailed to
// them; the command says so and how to follow it.
func (e *cmdEnv) contacts(args []string) error {
	return e.sub(args, "contacts", map[string]func([]string) error{"set": e.contactsSet})
}

func (e *cmdEnv) contactsSet(args []string) error {
	f := newFlags(e, "contacts set NAME --registrant FILE",
		"Change a registration's contacts (an update workflow). Each FILE is a contact in the API's shape (JSON); roles left out stay. "+
			"A change of the registrant's name, organisation or email must be confirmed by the current and the new registrant "+
			"(links by email), and then locks the domain against transfers out for 60 days unless --opt-out-transfer-lock.",
		"registrar contacts set example.com --registrant grace.json")
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	registrant := f.string("registrant", "", "the new registrant contact (a JSON file)")
	admin := f.string("admin", "", "the new administrative contact (a JSON file)")
	tech := f.string("tech", "", "the new technical contact (a JSON file)")
	billing := f.string("billing", "", "the new billing contact (a JSON file)")
	optOut := f.bool("opt-out-transfer-lock", false, "waive the 60-day lock against transfers out that a change of registrant sets")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("contacts set takes one domain name, not %d", len(pos))
	}
	var cs client.Contacts
	for _, r := range []struct {
		path string
		to   **client.Contact
	}{{*registrant, &cs.Registrant}, {*admin, &cs.Administrator}, {*tech, &cs.Technical}, {*billing, &cs.Billing}} {
		if r.path == "" {
			continue
		}
		if *r.to, err = readContact(r.path); err != nil {
			return err
		}
	}
	if cs == (client.Contacts{}) {
		return f.usageError("contacts set needs at least one of --registrant, --admin, --tech, --billing")
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.UpdateRegistration(e.ctx, pos[0], client.UpdateRequest{Contacts: &cs, TransferLockOptOut: *optOut}, client.UpdateOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "update", st)
		if st.Context.Action == client.ActionRegistrantChangeConfirmationPending {
			var sent []string
			for _, p := range st.Context.Awaiting {
				sent = append(sent, p+" ("+st.Context.ConfirmationsSentTo[p]+")")
			}
			fmt.Fprintf(e.stdout, "Waiting for confirmation by %s: each must open the link emailed to them.\n", strings.Join(sent, " and "))
		}
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --update --wait")
}
