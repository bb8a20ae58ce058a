package eppregistry_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/epp/epptest"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
)

const day = 24 * time.Hour

// newLifeFixture is a sandbox registry on a shifted clock with the expiry
// model given, every frame checked against the schemas.
func newLifeFixture(t *testing.T, model registrar.ExpiryModel) (*fixture, *registrar.ShiftClock) {
	t.Helper()
	clock := &registrar.ShiftClock{}
	frames := &epptest.Frames{}
	srv := sandboxtest.Start(t, sandboxtest.Options{
		Engine: sandbox.Config{Delay: 100 * time.Millisecond, Clock: clock, ExpiryModel: model},
		Trace: func(in bool, b []byte) {
			frames.Add(map[bool]string{true: "sent by the client", false: "sent by the sandbox"}[in], b)
		},
	})
	reg := srv.Registry(t, sandboxtest.ClientID)
	t.Cleanup(func() {
		srv.Close()
		frames.Validate(t)
	})
	return &fixture{reg: reg, engine: srv.Engine, frames: frames}, clock
}

func mustCreate(t *testing.T, reg *eppregistry.Registry, name string) registrar.DomainInfo {
	t.Helper()
	ctx := context.Background()
	if _, err := reg.Create(ctx, createRequest(name, "CRE-"+name)); err != nil {
		t.Fatalf("Create(%s) = %v", name, err)
	}
	return mustInfo(t, reg, name)
}

func mustInfo(t *testing.T, reg *eppregistry.Registry, name string) registrar.DomainInfo {
	t.Helper()
	info, err := reg.Info(context.Background(), name)
	if err != nil {
		t.Fatalf("Info(%s) = %v", name, err)
	}
	return info
}

func wantKind(t *testing.T, what string, err error, kind registrar.Kind, msg string) {
	t.Helper()
	e := registrar.AsError(err)
	if e == nil || e.Kind != kind || !strings.Contains(e.Message, msg) {
		t.Errorf("%s = %v, want kind %v with %q", what, err, kind, msg)
	}
}

func available(t *testing.T, reg *eppregistry.Registry, name string) bool {
	t.Helper()
	a, err := reg.Check(context.Background(), []string{name})
	if err != nil || len(a) != 1 {
		t.Fatalf("Check(%s) = %v, %v", name, a, err)
	}
	return a[0].Available
}

// TestDeleteRestorePurgeOverEPP walks a domain through renewals, a delete
// into redemption, a restore, a second delete and the purge.
func TestDeleteRestorePurgeOverEPP(t *testing.T) {
	t.Parallel()
	f, clock := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	const name = "life.com"
	info := mustCreate(t, f.reg, name)
	if info.Sponsor != sandboxtest.ClientID || !info.Sponsored || info.RegistrantID == "" ||
		!slices.Equal(info.RGPStatuses, []string{registrar.RGPAddPeriod}) {
		t.Errorf("Info after create = %+v, want our sponsorship, a registrant ID and addPeriod", info)
	}

	// Renew with curExpDate, twice: the replay is refused.
	exp, err := f.reg.Renew(ctx, name, info.ExpiresAt, 1)
	if err != nil || !exp.Equal(info.ExpiresAt.AddDate(1, 0, 0)) {
		t.Fatalf("Renew = %v, %v, want %v", exp, err, info.ExpiresAt.AddDate(1, 0, 0))
	}
	_, err = f.reg.Renew(ctx, name, info.ExpiresAt, 1)
	wantKind(t, "second Renew", err, registrar.KindRejected, "curExpDate")

	// Past the add grace a delete starts redemption.
	clock.Advance(6 * day)
	if err := f.reg.Delete(ctx, name, "DEL-life-1"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	info = mustInfo(t, f.reg, name)
	if !slices.Equal(info.RGPStatuses, []string{registrar.RGPRedemption}) || !slices.Contains(info.Statuses, "pendingDelete") {
		t.Errorf("Info after delete = %+v, want pendingDelete and redemptionPeriod", info)
	}
	if available(t, f.reg, name) {
		t.Error("Check in redemption = available, want unavailable")
	}
	_, err = f.reg.Renew(ctx, name, info.ExpiresAt, 1)
	wantKind(t, "Renew in redemption", err, registrar.KindRejected, "2304")
	wantKind(t, "Delete in redemption", f.reg.Delete(ctx, name, "DEL-life-2"), registrar.KindRejected, "pendingDelete")

	// Restore: request and report.
	req := registrar.RestoreRequest{Name: name, DeletedAt: clock.Now(), RestoredAt: clock.Now(), PreData: "before", PostData: "after",
		Reason: "Registrant error.", TransactionID: "RES-life-1"}
	if err := f.reg.Restore(ctx, req); err != nil {
		t.Fatalf("Restore = %v", err)
	}
	info = mustInfo(t, f.reg, name)
	if len(info.RGPStatuses) != 0 || !slices.Equal(info.Statuses, []string{"ok"}) {
		t.Errorf("Info after restore = %+v, want ok and no RGP status", info)
	}
	if err := f.reg.Restore(ctx, req); err != nil {
		t.Errorf("Restore of a restored domain = %v, want nil", err)
	}

	// Delete again and let redemption and pendingDelete run out.
	if err := f.reg.Delete(ctx, name, "DEL-life-3"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	clock.Advance(sandbox.DefaultRedemption + time.Hour)
	if info = mustInfo(t, f.reg, name); !slices.Equal(info.RGPStatuses, []string{registrar.RGPPendingDelete}) {
		t.Errorf("Info after redemption = %+v, want rgp pendingDelete", info)
	}
	wantKind(t, "Restore in pendingDelete", f.reg.Restore(ctx, req), registrar.KindRejected, "pendingDelete")
	clock.Advance(sandbox.DefaultPendingDelete)
	if !available(t, f.reg, name) {
		t.Error("Check after the purge = unavailable, want available")
	}
	_, err = f.reg.Info(ctx, name)
	wantKind(t, "Info after the purge", err, registrar.KindNotFound, "2303")
}

// TestDeleteInAddGraceOverEPP: a delete within the add grace period
// purges the domain at once.
func TestDeleteInAddGraceOverEPP(t *testing.T) {
	t.Parallel()
	f, _ := newLifeFixture(t, registrar.ExpiryAutoRenew)
	mustCreate(t, f.reg, "oops.com")
	if err := f.reg.Delete(context.Background(), "oops.com", "DEL-oops"); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	if !available(t, f.reg, "oops.com") {
		t.Error("Check after a delete in add grace = unavailable, want available")
	}
	// Another registrar's domain is not ours to delete.
	wantKind(t, "Delete of taken-", f.reg.Delete(context.Background(), "taken-life.com", "DEL-taken"), registrar.KindForbidden, "2201")
}

// TestAutoRenewOverEPP: at expiry the registry renews for a year and
// shows autoRenewPeriod; a renewal then takes the new expiry; a delete in
// the period takes the auto-renewal back.
func TestAutoRenewOverEPP(t *testing.T) {
	t.Parallel()
	f, clock := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	a := mustCreate(t, f.reg, "auto-a.com")
	b := mustCreate(t, f.reg, "auto-b.com")
	clock.Advance(a.ExpiresAt.Sub(clock.Now()) + day)
	if err := f.engine.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	info := mustInfo(t, f.reg, "auto-a.com")
	if !info.ExpiresAt.Equal(a.ExpiresAt.AddDate(1, 0, 0)) || !slices.Equal(info.RGPStatuses, []string{registrar.RGPAutoRenewPeriod}) {
		t.Errorf("Info after expiry = %+v, want exDate %v and autoRenewPeriod", info, a.ExpiresAt.AddDate(1, 0, 0))
	}
	exp, err := f.reg.Renew(ctx, "auto-a.com", info.ExpiresAt, 1)
	if err != nil || !exp.Equal(info.ExpiresAt.AddDate(1, 0, 0)) {
		t.Errorf("Renew in autoRenewPeriod = %v, %v, want %v", exp, err, info.ExpiresAt.AddDate(1, 0, 0))
	}
	if err := f.reg.Delete(ctx, "auto-b.com", "DEL-auto-b"); err != nil {
		t.Fatal(err)
	}
	if info := mustInfo(t, f.reg, "auto-b.com"); !info.ExpiresAt.Equal(b.ExpiresAt) {
		t.Errorf("exDate after a delete in autoRenewPeriod = %v, want the credited %v", info.ExpiresAt, b.ExpiresAt)
	}
	clock.Advance(sandbox.DefaultAutoRenewGrace)
	if info := mustInfo(t, f.reg, "auto-a.com"); len(info.RGPStatuses) != 0 {
		t.Errorf("RGP statuses after the grace = %q, want none", info.RGPStatuses)
	}
}

// TestDeleteModelOverEPP: under the delete model the registry deletes an
// unrenewed domain itself at the end of the grace period.
func TestDeleteModelOverEPP(t *testing.T) {
	t.Parallel()
	f, clock := newLifeFixture(t, registrar.ExpiryDelete)
	ctx := context.Background()
	a := mustCreate(t, f.reg, "cc-a.com")
	clock.Advance(a.ExpiresAt.Sub(clock.Now()) + day)
	if info := mustInfo(t, f.reg, "cc-a.com"); !info.ExpiresAt.Equal(a.ExpiresAt) || len(info.RGPStatuses) != 0 {
		t.Errorf("Info in the grace period = %+v, want exDate %v unchanged", info, a.ExpiresAt)
	}
	clock.Advance(sandbox.DefaultAutoRenewGrace)
	info := mustInfo(t, f.reg, "cc-a.com")
	if !slices.Equal(info.RGPStatuses, []string{registrar.RGPRedemption}) {
		t.Errorf("Info after the grace = %+v, want redemptionPeriod", info)
	}
	_, err := f.reg.Renew(ctx, "cc-a.com", info.ExpiresAt, 1)
	wantKind(t, "Renew after the registry's delete", err, registrar.KindRejected, "2304")
}

// TestPendingRestoreLapses: a restore request without its report returns
// to redemptionPeriod after the pendingRestore period.
func TestPendingRestoreLapses(t *testing.T) {
	t.Parallel()
	f, clock := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	mustCreate(t, f.reg, "lapse.com")
	clock.Advance(6 * day)
	if err := f.reg.Delete(ctx, "lapse.com", "DEL-lapse"); err != nil {
		t.Fatal(err)
	}
	st, _, err := f.engine.Restore(ctx, sandboxtest.ClientID, "RES-lapse", sandbox.RestoreCommand{Name: "lapse.com", Op: sandbox.RestoreRequest})
	if err != nil || !slices.Equal(st, []string{registrar.RGPPendingRestore}) {
		t.Fatalf("restore request = %q, %v", st, err)
	}
	if _, _, err := f.engine.Restore(ctx, sandboxtest.ClientID, "RES-lapse2", sandbox.RestoreCommand{Name: "lapse.com", Op: sandbox.RestoreRequest}); err == nil {
		t.Error("second restore request = nil, want 2304")
	}
	clock.Advance(sandbox.DefaultPendingRestore + time.Hour)
	if info := mustInfo(t, f.reg, "lapse.com"); !slices.Equal(info.RGPStatuses, []string{registrar.RGPRedemption}) {
		t.Errorf("Info after pendingRestore lapsed = %+v, want redemptionPeriod", info)
	}
	if _, _, err := f.engine.Restore(ctx, sandboxtest.ClientID, "RES-lapse3", sandbox.RestoreCommand{Name: "lapse.com", Op: sandbox.RestoreReport}); err == nil {
		t.Error("report without a pending restore = nil, want 2304")
	}
}

// TestLifecycleScenarios: renewfail-, renewflaky- and restorefail-.
func TestLifecycleScenarios(t *testing.T) {
	t.Parallel()
	f, clock := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	info := mustCreate(t, f.reg, "renewfail-x.com")
	_, err := f.reg.Renew(ctx, "renewfail-x.com", info.ExpiresAt, 1)
	wantKind(t, "Renew renewfail-", err, registrar.KindRejected, "renewfail-")

	info = mustCreate(t, f.reg, "renewflaky-x.com")
	_, err = f.reg.Renew(ctx, "renewflaky-x.com", info.ExpiresAt, 1)
	wantKind(t, "first Renew renewflaky-", err, registrar.KindUnavailable, "2400")
	if _, err := f.reg.Renew(ctx, "renewflaky-x.com", info.ExpiresAt, 1); err != nil {
		t.Errorf("second Renew renewflaky- = %v, want nil", err)
	}

	mustCreate(t, f.reg, "restorefail-x.com")
	clock.Advance(6 * day)
	if err := f.reg.Delete(ctx, "restorefail-x.com", "DEL-rf"); err != nil {
		t.Fatal(err)
	}
	err = f.reg.Restore(ctx, registrar.RestoreRequest{Name: "restorefail-x.com", DeletedAt: clock.Now(), RestoredAt: clock.Now(),
		PreData: "a", PostData: "b", Reason: "r", TransactionID: "RES-rf"})
	wantKind(t, "Restore restorefail-", err, registrar.KindRejected, "restorefail-")
}

// TestAlterOverEPP: changes behind the registrar's back show in info.
func TestAlterOverEPP(t *testing.T) {
	t.Parallel()
	f, _ := newLifeFixture(t, registrar.ExpiryAutoRenew)
	ctx := context.Background()
	mustCreate(t, f.reg, "alter.com")
	exp := time.Date(2031, 1, 2, 0, 0, 0, 0, time.UTC)
	if err := f.engine.Alter(ctx, "alter.com", sandbox.Alteration{ExpiresAt: exp, AddStatuses: []string{"serverHold"}}); err != nil {
		t.Fatal(err)
	}
	info := mustInfo(t, f.reg, "alter.com")
	if !info.ExpiresAt.Equal(exp) || !slices.Equal(info.Statuses, []string{"serverHold"}) {
		t.Errorf("Info after Alter = %+v, want exDate %v and serverHold", info, exp)
	}
	if err := f.engine.Alter(ctx, "alter.com", sandbox.Alteration{RemoveStatuses: []string{"serverHold"}, Sponsor: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	if info := mustInfo(t, f.reg, "alter.com"); info.Sponsored || info.Sponsor != "elsewhere" || !slices.Equal(info.Statuses, []string{"ok"}) {
		t.Errorf("Info after a transfer away = %+v, want sponsor elsewhere and ok", info)
	}
	if err := f.engine.Alter(ctx, "alter.com", sandbox.Alteration{Purge: true}); err != nil {
		t.Fatal(err)
	}
	if !available(t, f.reg, "alter.com") {
		t.Error("Check after a purge = unavailable")
	}
	log, err := f.engine.Log(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range log {
		if e.Command == "alter" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d alter entries in the log, want 3", n)
	}
}
