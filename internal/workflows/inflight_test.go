package workflows

import (
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestStartRegistrationInFlightCap: an account with MaxInFlight
// registrations pending or in progress in an environment is refused a new
// one (rate limited, with a retry delay; nothing claimed), while a repeat
// of one it has, another account and the other environment are not; once
// one of its registrations is no longer in flight, it may start another.
func TestStartRegistrationInFlightCap(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxInFlight = 2
	b := newBundle(t, bundleOpts{cfg: cfg})
	first := b.register(registrar.EnvLive, "one.com", "verify-ada@example.com")
	b.register(registrar.EnvLive, "two.com", "ada@example.com")

	_, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{DomainName: "three.com", Extension: "com"})
	e := registrar.AsError(err)
	if e == nil || e.Kind != registrar.KindRateLimited || e.RetryAfterSeconds <= 0 {
		t.Fatalf("a third registration in flight: %v, want rate limited with a retry delay", err)
	}
	if g := b.registration(registrar.EnvLive, "three.com"); g != nil || b.slots(registrar.EnvLive) != 2 {
		t.Errorf("the refused registration claimed the name (%+v) or a slot (%d slots)", g, b.slots(registrar.EnvLive))
	}
	// A repeated request is the workflow the account has, not a new one.
	if again := b.register(registrar.EnvLive, "one.com", "verify-ada@example.com"); again.ID != first.ID {
		t.Errorf("a repeat at the cap started %s, want %s", again.ID, first.ID)
	}
	// The cap is the account's own, per environment.
	if _, err := b.e.StartRegistration(b.ctx, b.otherAccount(), registrar.EnvLive, registrar.RegistrationRequest{
		DomainName: "other.com", Extension: "com", Contacts: registrar.Contacts{Registrant: contact("grace@example.com")},
	}); err != nil {
		t.Errorf("another account at the first account's cap: %v", err)
	}
	b.register(registrar.EnvSandbox, "three.com", "ada@example.com")

	// one.com goes to action_required: no longer in flight.
	b.reg.on("check", available("one.com"))
	b.step()
	if got := b.workflow(first.ID); got.State != registrar.StateActionRequired {
		t.Fatalf("one.com is %s, want action_required", got.State)
	}
	if _, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{DomainName: "three.com", Extension: "com"}); err != nil {
		t.Errorf("after one left flight: %v", err)
	}
}

// TestTransferInCountsInFlight: a transfer in that is pending or in
// progress takes a place of the account's MaxInFlight as a registration
// does, so that transfers and registrations together stay within it.
func TestTransferInCountsInFlight(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	b.e.cfg.MaxInFlight = 1
	b.transferIn(registrar.EnvLive, "xfer-flight.com")
	_, err := b.e.StartRegistration(b.ctx, b.p, registrar.EnvLive, registrar.RegistrationRequest{DomainName: "after.com", Extension: "com"})
	if e := registrar.AsError(err); e == nil || e.Kind != registrar.KindRateLimited {
		t.Errorf("a registration beside a transfer in flight at a cap of 1: %v, want rate limited", err)
	}
}
