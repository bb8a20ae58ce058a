package domains

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// transferRegistry answers transfer questions by first label, as the
// sandbox's xfer- scenarios do, and records each call.
type transferRegistry struct {
	fakeRegistry
	mu    sync.Mutex
	calls []string
}

func (r *transferRegistry) record(c string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *transferRegistry) TransferPrice(ctx context.Context, name string) (registrar.TransferPrice, error) {
	r.record("price " + name)
	return registrar.TransferPrice{Currency: "USD", Transfer: "9.00", Premium: strings.HasPrefix(name, "xfer-premium-")}, nil
}

func (r *transferRegistry) TransferInfo(ctx context.Context, name, auth string) (registrar.DomainInfo, error) {
	r.record("info " + name + " " + auth)
	old := time.Now().AddDate(-1, 0, 0)
	switch {
	case strings.HasPrefix(name, "gone-"):
		return registrar.DomainInfo{}, registrar.Errorf(registrar.KindNotFound, "fake", "no such domain")
	case auth != "" && auth != "sandbox-auth":
		return registrar.DomainInfo{}, &registrar.Error{Kind: registrar.KindRejected, Reason: registrar.TransferReasonInvalidAuthCode, Message: "bad auth"}
	case strings.HasPrefix(name, "ours-"):
		return registrar.DomainInfo{Sponsored: true, CreatedAt: old}, nil
	case strings.HasPrefix(name, "xfer-locked-"):
		return registrar.DomainInfo{Statuses: []string{"clientTransferProhibited"}, CreatedAt: old}, nil
	case strings.HasPrefix(name, "xfer-new-"):
		return registrar.DomainInfo{CreatedAt: time.Now().Add(-time.Hour)}, nil
	}
	return registrar.DomainInfo{CreatedAt: old}, nil
}

func (r *transferRegistry) Transfer(context.Context, registrar.TransferRequest) (registrar.TransferResult, error) {
	panic("a transfer check sends no transfer command")
}

// TestTransferCheckReasons: each registry answer maps to the SDK's
// reason; pricing only when transferable; the auth code's form is checked
// without asking the registry; a registry without transfers gives
// extension_not_supported_via_api.
func TestTransferCheckReasons(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	xr := &transferRegistry{}
	r := registrar.NewRouter()
	com, _ := f.catalog.Lookup("com")
	org, _ := f.catalog.Lookup("org")
	r.Add(registrar.EnvLive, com, xr)
	r.Add(registrar.EnvLive, org, f.b) // no transfers
	s := New(r, f.catalog, Config{})
	const code = "c2FuZGJveC1hdXRo"
	got, err := s.TransferCheck(t.Context(), registrar.EnvLive, []registrar.TransferCheckName{
		{DomainName: "xfer-ok.com", AuthCode: code},
		{DomainName: "xfer-premium-a.com", AuthCode: code},
		{DomainName: "xfer-locked-a.com", AuthCode: code},
		{DomainName: "xfer-new-a.com", AuthCode: code},
		{DomainName: "gone-a.com", AuthCode: code},
		{DomainName: "ours-a.com", AuthCode: code},
		{DomainName: "wrong.com", AuthCode: "d3Jvbmc="},
		{DomainName: "format.com", AuthCode: "not base64!"},
		{DomainName: "a.org", AuthCode: code},
		{DomainName: "a.inc"},
		{DomainName: "-bad-"},
		{DomainName: "noauth.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"xfer-ok.com": "", "xfer-premium-a.com": registrar.TransferReasonDomainPremium, "xfer-locked-a.com": registrar.TransferReasonDomainLocked,
		"xfer-new-a.com": registrar.TransferReasonOutsideTransferWindow, "gone-a.com": registrar.TransferReasonDomainNotExists,
		"ours-a.com": registrar.TransferReasonAlreadyHere, "wrong.com": registrar.TransferReasonInvalidAuthCode,
		"format.com": registrar.TransferReasonInvalidAuthCodeFormat, "a.org": registrar.TransferReasonExtensionNotSupportedViaAPI,
		"a.inc": registrar.TransferReasonExtensionNotSupportedViaAPI, "-bad-": registrar.TransferReasonDomainUnsupported, "noauth.com": "",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d answers, want %d: %+v", len(got), len(want), got)
	}
	for _, a := range got {
		w, ok := want[a.Name]
		if !ok {
			t.Errorf("unexpected answer %+v", a)
			continue
		}
		if w == "" {
			if !a.Transferable || len(a.Reasons) != 0 || a.TransferCost != "11.46" || a.Currency != "USD" {
				t.Errorf("TransferCheck(%s) = %+v, want transferable at the renewal price", a.Name, a)
			}
			continue
		}
		if a.Transferable || !slices.Contains(a.Reasons, w) || a.TransferCost != "" {
			t.Errorf("TransferCheck(%s) = %+v, want not transferable, %s, no pricing", a.Name, a, w)
		}
	}
	for _, c := range xr.calls {
		if strings.Contains(c, "format.com") {
			t.Errorf("the registry was asked about a malformed auth code: %q", c)
		}
	}
}
