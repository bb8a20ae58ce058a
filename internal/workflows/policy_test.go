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
