package workflows

import (
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// policyConfig is testConfig with live under p.
func policyConfig(p registrar.Policy) Config {
	c := testConfig()
	c.Policies = map[registrar.Env]registrar.Policy{registrar.EnvLive: p}
	return c
}

// TestVerifyNewAddresses: under the live rule, an address the account has
// not verified is verified before the create (whatever its local part);
// once verified it is not asked again; another account's verification does
// not count, nor one made in the other environment.
func TestVerifyNewAddresses(t *testing.T) {
	t.Parallel()
	b := newBundle(t, bundleOpts{cfg: policyConfig(registrar.Policy{Verify: registrar.VerifyNewAddresses, Billed: true})})

	first := b.register(registrar.EnvLive, "first.com", "ada@example.com")
	b.reg.on("check", available("first.com"))
	b.step()
	if got := b.workflow(first.ID); got.State != registrar.StateActionRequired {
		t.Fatalf("new address: %s, want action_required", got.State)
	}
	b.confirm()
	b.reg.on("create", created)
	b.step()
	if got := b.workflow(first.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("after the link: %s, want succeeded", got.State)
	}

	// The same address, in another case: verified, so straight to create.
	second := b.register(registrar.EnvLive, "second.com", "ADA@example.com")
	b.reg.on("check", available("second.com")).on("create", created)
	b.step()
	if got := b.workflow(second.ID); got.State != registrar.StateSucceeded {
		t.Errorf("verified address: %s, want succeeded without verification", got.State)
	}
	if n := len(b.outbox()); n != 1 {
		t.Errorf("%d emails sent, want only the first verification", n)
	}

	// Another account has not verified it.
	wf, err := b.e.StartRegistration(b.ctx, b.otherAccount(), registrar.EnvLive, registrar.RegistrationRequest{
		DomainName: "third.com", Extension: "com", Contacts: registrar.Contacts{Registrant: contact("ada@example.com")},
	})
	if err != nil {
		t.Fatal(err)
	}
	b.reg.on("check", available("third.com"))
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateActionRequired {
		t.Errorf("another account, same address: %s, want action_required", got.State)
	}
}

// TestVerifiedInSandboxIsNewToLive: a verification made through the
// sandbox API does not spare a live registration.
func TestVerifiedInSandboxIsNewToLive(t *testing.T) {
	t.Parallel()
	b := newBundle(t, bundleOpts{cfg: policyConfig(registrar.Policy{Verify: registrar.VerifyNewAddresses})})
	sbx := b.register(registrar.EnvSandbox, "sbx.com", "verify-ada@example.com")
	b.reg.on("check", available("sbx.com"))
	b.step()
	b.confirm()
	b.reg.on("create", created)
	b.step()
	if got := b.workflow(sbx.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("sandbox registration: %s, want succeeded", got.State)
	}
	live := b.register(registrar.EnvLive, "live.com", "verify-ada@example.com")
	b.reg.on("check", available("live.com"))
	b.step()
	if got := b.workflow(live.ID); got.State != registrar.StateActionRequired {
		t.Errorf("live after a sandbox verification: %s, want action_required", got.State)
	}
}

// TestUnbilledPolicy: a successful registration under a policy that does
// not bill (sandbox, demo mode) writes no charge.
func TestUnbilledPolicy(t *testing.T) {
	t.Parallel()
	b := newBundle(t, bundleOpts{cfg: policyConfig(registrar.Policy{Verify: registrar.VerifyScenario})})
	wf := b.register(registrar.EnvLive, "demo.com", "ada@example.com")
	b.reg.on("check", available("demo.com")).on("create", created)
	b.step()
	if got := b.workflow(wf.ID); got.State != registrar.StateSucceeded {
		t.Fatalf("%s, want succeeded", got.State)
	}
	if c := b.charges(); len(c) != 0 {
		t.Errorf("charges %+v, want none", c)
	}
}

// TestRegistrantRequired: without express mode (the sandbox's policy) a
// request must name its registrant, even when the account has a default
// contact; with it, the default contact stands in, and without one either
// the request is refused with Cloudflare's missing_contact message.
func TestRegistrantRequired(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		required   bool
		registrant *registrar.Contact
		noDefault  bool // the account has no default contact
		want       string
		wantEmail  string // the registrant of the started workflow
	}{
		{name: "express: the default contact stands in", wantEmail: "default"},
		{name: "express: a registrant is used", registrant: contact("grace@example.com"), wantEmail: "grace@example.com"},
		{name: "express without a default contact", noDefault: true, want: registrar.MsgNoRegistrant},
		{name: "no express: refused despite a default contact", required: true, want: registrar.MsgRegistrantRequired},
		{name: "no express: refused without a default contact", required: true, noDefault: true, want: registrar.MsgRegistrantRequired},
		{name: "no express: a registrant is used", required: true, registrant: contact("grace@example.com"), wantEmail: "grace@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBundle(t, bundleOpts{cfg: policyConfig(registrar.Policy{Verify: registrar.VerifyScenario, RegistrantRequired: c.required})})
			p := b.p
			if c.noDefault {
				acct, _, err := b.db.CreateAccount(b.ctx, "nodefault", nil, t0)
				if err != nil {
					t.Fatal(err)
				}
				p = registrar.Principal{AccountID: acct.ID}
			}
			wf, err := b.e.StartRegistration(b.ctx, p, registrar.EnvLive, registrar.RegistrationRequest{
				DomainName: "contact.com", Extension: "com", Contacts: registrar.Contacts{Registrant: c.registrant},
			})
			if c.want != "" {
				e := registrar.AsError(err)
				if e == nil || e.Kind != registrar.KindInvalid || e.Message != c.want || len(e.Fields) != 1 || e.Fields[0].Pointer != "/contacts/registrant" {
					t.Fatalf("StartRegistration = %v, %v; want invalid at /contacts/registrant: %s", wf, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d, err := decode[registrationData](wf)
			if err != nil {
				t.Fatal(err)
			}
			want := c.wantEmail
			if want == "default" {
				want = b.acct.DefaultContact.Email
			}
			if got := d.Contacts.Registrant.Email; got != want {
				t.Errorf("registrant %s, want %s", got, want)
			}
		})
	}
}
