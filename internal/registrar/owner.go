package registrar

import (
	"strings"
	"time"
)

// Issue 14, change of registrant (ICANN Transfer Policy, Part II): a
// material change of the registrant waits for the prior and the new
// registrant to confirm it, then locks the domain against transfers out
// for TransferLockAfterChange unless the registrant opted out
// (UpdateRequest.TransferLockOptOut). Everything here is our extension.

// ActionRegistrantChangeConfirmationPending (StatusContext.Action, ours):
// a change of registrant waits for the parties in StatusContext.Awaiting
// to open the links sent to them (StatusContext.ConfirmationsSentTo).
const ActionRegistrantChangeConfirmationPending = "registrant_change_confirmation_pending"

// The parties a change of registrant awaits (StatusContext.Awaiting).
const (
	PartyPriorRegistrant = "prior_registrant"
	PartyNewRegistrant   = "new_registrant"
)

// TransferLockAfterChange is how long a material change of registrant
// locks the domain against transfers out (ICANN Transfer Policy II.C.2:
// 60 days), unless the registrant opted out.
const TransferLockAfterChange = 60 * 24 * time.Hour

// TransferReasonRegistrantChangeLock (ours) is why a transfer out was
// refused: the 60-day lock after a change of registrant.
const TransferReasonRegistrantChangeLock = "registrant_change_lock"

// MaterialChange reports whether changing the registrant from prior to
// next is a material change (ICANN Transfer Policy II.A.1.f): the name,
// the organisation or the email address differs, compared trimmed and
// case-insensitively. A missing prior registrant makes any new one
// material.
func MaterialChange(prior, next *Contact) bool {
	if next == nil {
		return false
	}
	if prior == nil {
		return true
	}
	differ := func(a, b string) bool { return !strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b)) }
	return differ(prior.PostalInfo.Name, next.PostalInfo.Name) ||
		differ(prior.PostalInfo.Organization, next.PostalInfo.Organization) ||
		differ(prior.Email, next.Email)
}

// Merge returns c with the roles that change sets replaced: a role
// change leaves out stays as it is.
func (c Contacts) Merge(change Contacts) Contacts {
	if change.Registrant != nil {
		c.Registrant = change.Registrant
	}
	if change.Administrator != nil {
		c.Administrator = change.Administrator
	}
	if change.Technical != nil {
		c.Technical = change.Technical
	}
	if change.Billing != nil {
		c.Billing = change.Billing
	}
	return c
}

// ContactsSchema is the JSON Schema of the contacts member of e's
// request bodies (the registration schema's), for PATCH contacts: one
// validator for both.
func (e Extension) ContactsSchema() map[string]any {
	s := closedObject("The contacts of the registration; roles left out stay as they are.", e.contactsSchema(), nil)
	s["$schema"] = SchemaDialect
	s["$defs"] = map[string]any{"contact": ContactSchema()}
	return s
}
