package eppregistry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/epp/epptest"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
)

// fixture is a sandbox registry served over EPP on loopback, and our
// registry adapter on a real EPP client connected to it with a client
// certificate (sandboxtest). Every frame either side sends is recorded and
// checked against the EPP schemas when the test ends.
type fixture struct {
	reg    *eppregistry.Registry
	engine *sandbox.Engine
	frames *epptest.Frames
}

func newFixture(t testing.TB, delay time.Duration) *fixture {
	return newPooledFixture(t, delay, 2, true)
}

// newPooledFixture is newFixture with a pool of sessions sessions, and
// frame recording when trace is set.
func newPooledFixture(t testing.TB, delay time.Duration, sessions int, trace bool) *fixture {
	t.Helper()
	frames := &epptest.Frames{}
	o := sandboxtest.Options{Engine: sandbox.Config{Delay: delay}, PoolSize: sessions}
	if trace {
		o.Trace = func(in bool, b []byte) {
			if in {
				frames.Add("sent by the client", b)
			} else {
				frames.Add("sent by the sandbox", b)
			}
		}
	}
	srv := sandboxtest.Start(t, o)
	reg := srv.Registry(t, sandboxtest.ClientID)
	if trace {
		t.Cleanup(func() {
			srv.Close() // the logouts too
			if frames.Len() < 10 {
				t.Errorf("only %d frames recorded", frames.Len())
			}
			frames.Validate(t)
		})
	}
	return &fixture{reg: reg, engine: srv.Engine, frames: frames}
}

func createRequest(name, trid string) registrar.CreateRequest {
	return registrar.CreateRequest{
		Name: name, Years: 2, AuthInfo: "Auth-" + strings.ReplaceAll(name, ".", "-") + "9x", TransactionID: trid,
		Registrant: registrar.Contact{Email: "ada@example.com", Phone: "+44.2071234567", PostalInfo: registrar.PostalInfo{
			Name: "Ada Lovelace", Address: registrar.Address{Street: "12 St James's Square", City: "London", State: "London", PostalCode: "SW1Y 4LB", CountryCode: "GB"}}},
	}
}

func TestRegistryOverEPP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 300*time.Millisecond)
	ctx := context.Background()

	avail, err := f.reg.Check(ctx, []string{"free.com", "taken-name.com", "premium-name.com"})
	if err != nil {
		t.Fatal(err)
	}
	want := []registrar.Availability{
		{Name: "free.com", Available: true, Currency: "USD", CreatePrice: "10.00"},
		{Name: "taken-name.com", Available: false, Reason: "In use", Currency: "USD", CreatePrice: "10.00"},
		{Name: "premium-name.com", Available: true, Premium: true, Currency: "USD", CreatePrice: "500.00"},
	}
	for i, a := range avail {
		if a != want[i] {
			t.Errorf("Check[%d] = %+v, want %+v", i, a, want[i])
		}
	}

	req := createRequest("free.com", "OR-test-0001")
	res, err := f.reg.Create(ctx, req)
	if err != nil || res.Pending || res.ExpiresAt.Year() != res.CreatedAt.Year()+2 {
		t.Fatalf("Create(free.com) = %+v, %v; want created for 2 years", res, err)
	}
	info, err := f.reg.Info(ctx, "free.com")
	if err != nil || !info.Sponsored || info.AuthInfo != req.AuthInfo || info.Pending || !info.ExpiresAt.Equal(res.ExpiresAt) {
		t.Errorf("Info(free.com) = %+v, %v; want ours, with our auth code", info, err)
	}
	// A retry of the same registration reuses its contacts and finds the
	// domain taken: by us, which the workflow's info then shows.
	if _, err := f.reg.Create(ctx, createRequest("free.com", "OR-test-0002")); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("second Create(free.com) error = %v, want conflict", err)
	}

	if _, err := f.reg.Create(ctx, createRequest("reject-name.com", "OR-test-0003")); !registrar.IsKind(err, registrar.KindRejected) ||
		!strings.Contains(err.Error(), "2306") || !strings.Contains(registrar.AsError(err).Message, "reserved") {
		t.Errorf("Create(reject-) error = %v, want rejected 2306 with the reason", err)
	}
	if _, err := f.reg.Create(ctx, createRequest("taken-name.com", "OR-test-0004")); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("Create(taken-) error = %v, want conflict", err)
	}
	if info, err := f.reg.Info(ctx, "taken-name.com"); err != nil || info.Sponsored {
		t.Errorf("Info(taken-) = %+v, %v; want someone else's", info, err)
	}
	if _, err := f.reg.Info(ctx, "nothing-here.com"); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("Info(missing) error = %v, want not found", err)
	}
	if _, err := f.reg.Check(ctx, []string{"outage-name.com"}); !registrar.IsKind(err, registrar.KindUnavailable) {
		t.Errorf("Check(outage-) error = %v, want unavailable", err)
	}

	// Renew guards on the current expiry date.
	exp, err := f.reg.Renew(ctx, "free.com", res.ExpiresAt, 1)
	if err != nil || exp.Year() != res.ExpiresAt.Year()+1 {
		t.Errorf("Renew = %v, %v; want a year more", exp, err)
	}
	if _, err := f.reg.Renew(ctx, "free.com", res.ExpiresAt, 1); !registrar.IsKind(err, registrar.KindRejected) {
		t.Errorf("Renew replayed with the old expiry: error = %v, want rejected", err)
	}
	if err := f.reg.Update(ctx, registrar.DomainUpdate{Name: "free.com", AddStatuses: []string{"clientTransferProhibited"}}); err != nil {
		t.Fatal(err)
	}
	if info, _ := f.reg.Info(ctx, "free.com"); !strings.Contains(strings.Join(info.Statuses, " "), "clientTransferProhibited") {
		t.Errorf("statuses after update: %v", info.Statuses)
	}
}

func TestPendingCreateAndPoll(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 200*time.Millisecond)
	ctx := context.Background()
	req := createRequest("pending-name.net", "OR-test-pending-1")
	res, err := f.reg.Create(ctx, req)
	if err != nil || !res.Pending {
		t.Fatalf("Create(pending-) = %+v, %v; want pending", res, err)
	}
	if info, err := f.reg.Info(ctx, "pending-name.net"); err != nil || !info.Pending {
		t.Errorf("Info while pending = %+v, %v", info, err)
	}
	var msg *registrar.PollMessage
	for deadline := time.Now().Add(5 * time.Second); msg == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if msg, err = f.reg.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if msg == nil || !msg.Success || msg.TransactionID != req.TransactionID || msg.Domain != "pending-name.net" {
		t.Fatalf("Poll = %+v, want the pending create's success with its transaction ID", msg)
	}
	if err := f.reg.Ack(ctx, msg.ID); err != nil {
		t.Fatal(err)
	}
	if m, err := f.reg.Poll(ctx); err != nil || m != nil {
		t.Errorf("Poll after ack = %+v, %v; want empty", m, err)
	}
	if err := f.reg.Ack(ctx, msg.ID); !registrar.IsKind(err, registrar.KindNotFound) {
		t.Errorf("Ack twice: error = %v, want not found", err)
	}
}

// TestContactExtensionsOverEPP: a registrant's contact extensions reach
// the registry in NeuLevel's form on the registrant's contact create
// (the sandbox logs them), a value the registry's policy refuses fails
// the create as rejected, and a registry not configured for them refuses
// the create before sending anything.
func TestContactExtensionsOverEPP(t *testing.T) {
	t.Parallel()
	nexus := []registrar.KeyValue{{Key: "AppPurpose", Value: "P1"}, {Key: "NexusCategory", Value: "C11"}}
	tests := []struct {
		name     string
		form     eppregistry.ContactExtensionForm
		values   []registrar.KeyValue
		wantErr  bool
		kind     registrar.Kind // of the error
		logged   string         // the registrant's contact:create extensions in the sandbox log
		contacts int            // contact creates the registry received
	}{
		{"neulevel", eppregistry.FormNeuLevel, nexus, false, 0, "neulevel:unspec AppPurpose=P1 NexusCategory=C11", 1},
		{"neulevel with a nexus value the registry refuses", eppregistry.FormNeuLevel,
			[]registrar.KeyValue{{Key: "AppPurpose", Value: "P9"}, {Key: "NexusCategory", Value: "C11"}}, true, registrar.KindRejected, "", 1},
		{"neulevel without values", eppregistry.FormNeuLevel, nil, false, 0, "", 1},
		{"not configured", eppregistry.FormNone, nexus, true, registrar.KindInvalid, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Frames are checked against the schemas when something is sent.
			f := newPooledFixture(t, 0, 1, tt.contacts > 0 && !tt.wantErr)
			f.reg.ContactExtensions = tt.form
			ctx := context.Background()
			req := createRequest("nexus-test.us", "OR-test-us-1")
			req.RegistrantExtensions = tt.values
			_, err := f.reg.Create(ctx, req)
			if (err != nil) != tt.wantErr || (err != nil && registrar.KindOf(err) != tt.kind) {
				t.Fatalf("Create = %v (kind %v), want error %v of kind %v", err, registrar.KindOf(err), tt.wantErr, tt.kind)
			}
			if err == nil {
				if _, err := f.reg.Info(ctx, req.Name); err != nil {
					t.Fatalf("Info(%s) after the create: %v", req.Name, err)
				}
			}
			log, err := f.engine.Log(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range log {
				if e.Command != "contact:create" {
					continue
				}
				n++
				if e.Extensions != tt.logged {
					t.Errorf("contact:create %s logged extensions %q, want %q", e.Domain, e.Extensions, tt.logged)
				}
			}
			if n != tt.contacts {
				t.Errorf("the registry received %d contact creates, want %d", n, tt.contacts)
			}
		})
	}
}

// TestUpdateStatusAndAuthInfo: a lock, a new auth code and an unlock, each
// one <domain:update> (add status, chg authInfo, rem status) whose frames
// the fixture checks against the EPP schemas; the registry then shows
// each change, and a transfer info quoting the old code is refused.
func TestUpdateStatusAndAuthInfo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 300*time.Millisecond)
	ctx := context.Background()
	req := createRequest("locked.com", "OR-test-0101")
	if _, err := f.reg.Create(ctx, req); err != nil {
		t.Fatal(err)
	}
	code := registrar.NewAuthCode()
	steps := []struct {
		update       registrar.DomainUpdate
		locked       bool
		wantAuthInfo string
	}{
		{registrar.DomainUpdate{Name: "locked.com", AddStatuses: []string{registrar.StatusTransferLocked}}, true, req.AuthInfo},
		{registrar.DomainUpdate{Name: "locked.com", AuthInfo: code}, true, code},
		{registrar.DomainUpdate{Name: "locked.com", RemoveStatuses: []string{registrar.StatusTransferLocked}}, false, code},
	}
	for _, s := range steps {
		if err := f.reg.Update(ctx, s.update); err != nil {
			t.Fatalf("Update(%+v) = %v", s.update, err)
		}
		info, err := f.reg.Info(ctx, "locked.com")
		if err != nil {
			t.Fatal(err)
		}
		if locked := strings.Contains(strings.Join(info.Statuses, " "), registrar.StatusTransferLocked); locked != s.locked || info.AuthInfo != s.wantAuthInfo {
			t.Errorf("after Update(%+v): statuses %v, auth code changed %v; want locked %v, the code of the step",
				s.update, info.Statuses, info.AuthInfo != req.AuthInfo, s.locked)
		}
	}
	if _, resp, err := f.engine.DomainInfo(ctx, sandbox.OtherRegistrar, "check-old", "locked.com", req.AuthInfo); resp.Code != 2202 {
		t.Errorf("another registrar's info with the old code = %d %v, want 2202", resp.Code, err)
	}
	if _, resp, err := f.engine.DomainInfo(ctx, sandbox.OtherRegistrar, "check-new", "locked.com", code); err != nil || resp.Code != 1000 {
		t.Errorf("another registrar's info with the new code = %d %v, want 1000", resp.Code, err)
	}
}
