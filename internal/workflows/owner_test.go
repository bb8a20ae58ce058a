package workflows

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// ownerRegistry is the transfer registry whose Update names the new
// registrant it sets ("Update x.com registrant=grace@example.com").
type ownerRegistry struct{ transferRegistry }

func (r ownerRegistry) Update(ctx context.Context, u registrar.DomainUpdate) error {
	if u.Registrant == nil {
		return r.transferRegistry.Update(ctx, u)
	}
	_, err := r.next(ctx, "update", "Update "+u.Name+" registrant="+u.Registrant.Email)
	return err
}

func newOwnerBundle(t *testing.T) *bundle {
	b, xr := newTransferBundle(t)
	or := ownerRegistry{xr}
	b.router.all = nil
	b.router.add(registrar.EnvLive, testExt, or)
	b.router.add(registrar.EnvSandbox, testExt, or)
	return b
}

// grace is a new registrant: a material change from Ada.
func grace() *registrar.Contact {
	c := contact("grace@example.net")
	c.PostalInfo.Name = "Grace Hopper"
	return c
}

var ownInfo = func(id string) answer {
	return answer{ours: true, info: registrar.DomainInfo{Statuses: []string{registrar.StatusTransferLocked}, RegistrantID: id}}
}

// linkCodes returns the code of the link in each outbox message to addr.
func (b *bundle) linkCodes(addr string) []string {
	b.t.Helper()
	var out []string
	for _, m := range b.outbox() {
		if m.To != addr {
			continue
		}
		if c := regexp.MustCompile(`https://registrar\.test/verify-email/(\S+)`).FindStringSubmatch(m.Body); c != nil {
			out = append(out, c[1])
		}
	}
	return out
}

func (b *bundle) changeContacts(req registrar.UpdateRequest) *registrar.Workflow {
	b.t.Helper()
	wf, err := b.e.StartUpdate(b.ctx, b.p, registrar.EnvLive, domain, req)
	if err != nil {
		b.t.Fatalf("StartUpdate: %v", err)
	}
	return wf
}

// TestRegistrantChange: a material change of registrant waits for both
// registrants (action_required, the awaited parties shrinking), is then
// set at the registry, stores the contacts and locks the domain against
// transfers out for 60 days; a transfer out asked for meanwhile is
// rejected at the registry with the reason. With the opt-out, no lock.
func TestRegistrantChange(t *testing.T) {
	t.Parallel()
	for _, optOut := range []bool{false, true} {
		t.Run(map[bool]string{false: "locked", true: "opt-out"}[optOut], func(t *testing.T) {
			t.Parallel()
			b := newOwnerBundle(t)
			b.succeedRegistration(registrar.EnvLive, domain)
			calls := len(b.reg.Calls())
			wf := b.changeContacts(registrar.UpdateRequest{Contacts: &registrar.Contacts{Registrant: grace()}, TransferLockOptOut: optOut})
			b.step()
			got := b.workflow(wf.ID)
			c := statusContext(t, got)
			if got.State != registrar.StateActionRequired || c.Action != registrar.ActionRegistrantChangeConfirmationPending {
				t.Fatalf("after the first step: %s %s, want action_required %s", got.State, got.Context, registrar.ActionRegistrantChangeConfirmationPending)
			}
			if diff := cmp.Diff([]string{registrar.PartyPriorRegistrant, registrar.PartyNewRegistrant}, c.Awaiting); diff != "" {
				t.Errorf("awaiting (-want +got):\n%s", diff)
			}
			want := map[string]string{registrar.PartyPriorRegistrant: "a***@example.com", registrar.PartyNewRegistrant: "g***@example.net"}
			if diff := cmp.Diff(want, c.ConfirmationsSentTo); diff != "" {
				t.Errorf("confirmations_sent_to (-want +got):\n%s", diff)
			}
			if c.ActionExpiresAt == nil || !c.ActionExpiresAt.Equal(t0.Add(ActionTimeoutDefault)) || !slices.Contains(c.FieldsUpdated, "contacts") {
				t.Errorf("context = %s, want the expiry and fields_updated contacts", got.Context)
			}
			if strings.Contains(string(got.Context), "grace@") || strings.Contains(string(got.Context), "Grace") {
				t.Errorf("context %s shows the new registrant", got.Context)
			}
			prior, next := b.linkCodes("ada@example.com"), b.linkCodes("grace@example.net")
			if len(prior) != 1 || len(next) != 1 {
				t.Fatalf("links: prior %q, new %q; want one each", prior, next)
			}
			if v, _ := b.db.EmailVerified(b.ctx, b.acct.ID, registrar.EnvLive, "grace@example.net"); v {
				t.Error("the new address is verified before its confirmation")
			}
			// The new registrant first: the prior one is still awaited.
			if _, err := b.e.ConfirmEmail(b.ctx, next[0]); err != nil {
				t.Fatal(err)
			}
			c = statusContext(t, b.workflow(wf.ID))
			if !cmp.Equal(c.Awaiting, []string{registrar.PartyPriorRegistrant}) || c.ConfirmationSentTo != "a***@example.com" {
				t.Errorf("after the new registrant: awaiting %q sent to %q", c.Awaiting, c.ConfirmationSentTo)
			}
			if len(b.queuedSteps()) != 0 {
				t.Error("a step is queued before both confirmed")
			}
			if v, _ := b.db.EmailVerified(b.ctx, b.acct.ID, registrar.EnvLive, "grace@example.net"); !v {
				t.Error("the new registrant's confirmation did not verify its address")
			}
			if _, err := b.e.ConfirmEmail(b.ctx, next[0]); err != nil { // again: harmless
				t.Fatal(err)
			}
			b.reg.on("info", ownInfo("C-ADA")).on("update", answer{})
			if _, err := b.e.ConfirmEmail(b.ctx, prior[0]); err != nil {
				t.Fatal(err)
			}
			b.step()
			got = b.workflow(wf.ID)
			if got.State != registrar.StateSucceeded {
				t.Fatalf("after both confirmed: %s %s %s", got.State, got.ErrorCode, got.ErrorMessage)
			}
			if diff := cmp.Diff([]string{"Info example.com", "Update example.com registrant=grace@example.net"}, b.reg.Calls()[calls:]); diff != "" {
				t.Errorf("registry calls (-want +got):\n%s", diff)
			}
			stored, err := b.db.DomainContacts(b.ctx, registrar.EnvLive, domain)
			if err != nil || stored.Contacts.Registrant == nil || stored.Contacts.Registrant.Email != "grace@example.net" {
				t.Fatalf("stored contacts = %+v, %v", stored, err)
			}
			c = statusContext(t, got)
			if optOut {
				if !stored.TransferLockUntil.IsZero() || c.TransferLockedUntil != nil {
					t.Errorf("opt-out: lock until %v (context %v), want none", stored.TransferLockUntil, c.TransferLockedUntil)
				}
				return
			}
			until := t0.Add(60 * 24 * time.Hour)
			if !stored.TransferLockUntil.Equal(until) || c.TransferLockedUntil == nil || !c.TransferLockedUntil.Equal(until) {
				t.Errorf("lock until %v (context %v), want %v", stored.TransferLockUntil, c.TransferLockedUntil, until)
			}

			// A transfer out asked for within the 60 days is rejected.
			b.reg.enqueue(transferMsg("m1", domain, registrar.TransferPending))
			if err := b.poll(); err != nil {
				t.Fatal(err)
			}
			out, err := b.e.latest(b.ctx, b.acct.ID, registrar.EnvLive, registrar.WorkflowTransferOut, domain)
			if err != nil {
				t.Fatal(err)
			}
			if d := statusContext(t, out).Detail; !strings.Contains(d, registrar.TransferReasonRegistrantChangeLock) {
				t.Errorf("outbound transfer detail %q, want the reason", d)
			}
			b.reg.on("transfer", answer{transfer: registrar.TransferResult{Status: registrar.TransferClientRejected}})
			b.step()
			out = b.workflow(out.ID)
			if out.State != registrar.StateFailed || out.ErrorCode != registrar.CodeTransferRejected ||
				!strings.Contains(out.ErrorMessage, registrar.TransferReasonRegistrantChangeLock) || !strings.Contains(out.ErrorMessage, until.Format(time.RFC3339)) {
				t.Errorf("outbound transfer = %s %s %q, want failed transfer_rejected with the lock", out.State, out.ErrorCode, out.ErrorMessage)
			}
			if !slices.Contains(b.reg.Calls(), "Transfer reject "+domain) {
				t.Errorf("calls %q, want a reject", b.reg.Calls())
			}
			if b.registration(registrar.EnvLive, domain) == nil {
				t.Error("the registration left")
			}
		})
	}
}

// TestRegistrantChangeExpires: a change nobody confirms ends failed
// action_expired after the action timeout; its links no longer work.
func TestRegistrantChangeExpires(t *testing.T) {
	t.Parallel()
	b := newOwnerBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	wf := b.changeContacts(registrar.UpdateRequest{Contacts: &registrar.Contacts{Registrant: grace()}})
	b.step()
	codes := b.linkCodes("ada@example.com")
	b.clock.Advance(ActionTimeoutDefault + time.Second)
	b.sweep()
	got := b.workflow(wf.ID)
	if got.State != registrar.StateFailed || got.ErrorCode != registrar.CodeActionExpired {
		t.Fatalf("after the timeout: %s %s, want failed action_expired", got.State, got.ErrorCode)
	}
	if !slices.Contains(statusContext(t, got).FieldsUpdated, "contacts") {
		t.Errorf("failed context %s lost fields_updated", got.Context)
	}
	if _, err := b.e.ConfirmEmail(b.ctx, codes[0]); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("a link after expiry: %v, want a conflict", err)
	}
	if _, err := b.db.DomainContacts(b.ctx, registrar.EnvLive, domain); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("contacts stored after an expired change: %v", err)
	}
}

// TestContactsNonMaterial: a new phone and address of the registrant and
// a new administrator apply at once (the registrant at the registry), set
// no lock; an unknown outcome is settled by the next info, not a second
// update.
func TestContactsNonMaterial(t *testing.T) {
	t.Parallel()
	b := newOwnerBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	calls := len(b.reg.Calls())
	reg := contact(" ADA@example.com ")
	reg.Phone, reg.PostalInfo.Address.City = "+44.2070000000", "Oxford"
	reg.PostalInfo.Name = "ada lovelace"
	admin := contact("admin@example.com")
	b.reg.on("info", ownInfo("C-ADA"), ownInfo("C-ADA2")).
		on("update", answer{err: registrar.Errorf(registrar.KindUnavailable, "fake", "the registry is unreachable")})
	wf := b.changeContacts(registrar.UpdateRequest{Contacts: &registrar.Contacts{Registrant: reg, Administrator: admin}})
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateBlocked {
		t.Fatalf("after a lost answer: %s, want blocked", got.State)
	}
	b.step()
	got := b.workflow(wf.ID)
	if got.State != registrar.StateSucceeded {
		t.Fatalf("non-material change: %s %s %s", got.State, got.ErrorCode, got.Context)
	}
	if diff := cmp.Diff([]string{"Info example.com", "Update example.com registrant=ADA@example.com", "Info example.com"}, b.reg.Calls()[calls:]); diff != "" {
		t.Errorf("registry calls (-want +got):\n%s", diff)
	}
	if c := statusContext(t, got); !cmp.Equal(c.FieldsUpdated, []string{"contacts"}) || c.TransferLockedUntil != nil {
		t.Errorf("context %s, want fields_updated [contacts] and no lock", got.Context)
	}
	stored, err := b.db.DomainContacts(b.ctx, registrar.EnvLive, domain)
	if err != nil || stored.Contacts.Registrant.PostalInfo.Address.City != "Oxford" || stored.Contacts.Administrator == nil || !stored.TransferLockUntil.IsZero() {
		t.Errorf("stored = %+v, %v", stored, err)
	}
	if len(b.outbox()) != 0 {
		t.Errorf("outbox %+v, want no confirmation for a non-material change", b.outbox())
	}
	// Another role alone: no registry call at all.
	calls = len(b.reg.Calls())
	wf = b.changeContacts(registrar.UpdateRequest{Contacts: &registrar.Contacts{Technical: contact("tech@example.com")}})
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded || len(b.reg.Calls()) != calls {
		t.Errorf("technical contact: %s, calls %q", got.State, b.reg.Calls()[calls:])
	}
}

// TestContactsOtherAccount: a change of contacts of another account's
// domain is not found.
func TestContactsOtherAccount(t *testing.T) {
	t.Parallel()
	b := newOwnerBundle(t)
	b.succeedRegistration(registrar.EnvLive, domain)
	other := b.otherAccount()
	_, err := b.e.StartUpdate(b.ctx, other, registrar.EnvLive, domain, registrar.UpdateRequest{Contacts: &registrar.Contacts{Registrant: grace()}})
	if !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("StartUpdate by another account: %v, want not found", err)
	}
}
