package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestTransferCheckValidation: the batch rules of domain-transfer-check
// (1 to 10 names, codes 1006 and 1007 as domain-check's), and the result
// keyed by name with pricing only when transferable.
func TestTransferCheckValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, registrar.DefaultCatalog())
	names := func(n int) string {
		var ds []string
		for i := range n {
			ds = append(ds, fmt.Sprintf(`{"domain_name":"n%d.com"}`, i))
		}
		return `{"domains":[` + strings.Join(ds, ",") + `]}`
	}
	for _, c := range []struct {
		body   string
		status int
		code   int
	}{
		{`{"domains":[]}`, http.StatusBadRequest, CodeNoDomains},
		{names(11), http.StatusBadRequest, CodeTooManyDomains},
		{`{"domains":[{"domain_name":""}]}`, http.StatusBadRequest, CodeValidation},
		{`{"domains":["a.com"]}`, http.StatusBadRequest, CodeValidation},
		{names(10), http.StatusOK, 0},
	} {
		r := api.do("POST", "registrar", "domain-transfer-check", c.body)
		if r.Status != c.status || (c.code != 0 && (len(r.Env.Errors) == 0 || r.Env.Errors[0].Code != c.code)) {
			t.Errorf("POST %.60s = %d %s, want %d code %d", c.body, r.Status, r.Body, c.status, c.code)
		}
	}
	r := api.do("POST", "registrar", "domain-transfer-check", `{"domains":[{"domain_name":"ok.com","auth_code":"YQ=="},{"domain_name":"bad.com","auth_code":"nope!"}]}`)
	var res struct {
		Domains map[string]struct {
			Name         string `json:"name"`
			Transferable bool   `json:"transferable"`
			Reasons      []struct {
				Code string `json:"code"`
			} `json:"reasons"`
			Pricing *struct {
				Currency, TransferCost, RenewalCost string
			} `json:"pricing"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(r.Env.Result, &res); err != nil {
		t.Fatal(err)
	}
	if d := res.Domains["ok.com"]; !d.Transferable || d.Pricing == nil || len(d.Reasons) != 0 {
		t.Errorf("ok.com = %+v, want transferable with pricing", d)
	}
	if d := res.Domains["bad.com"]; d.Transferable || d.Pricing != nil || len(d.Reasons) != 1 || d.Reasons[0].Code != registrar.TransferReasonInvalidAuthCodeFormat {
		t.Errorf("bad.com = %+v, want invalid_auth_code_format without pricing", d)
	}
}

// TestTransferInValidation: a transfer-in body is validated by the
// extension's transfer schema: a non-base64 auth code is a 400 naming
// /auth_code, and nothing starts.
func TestTransferInValidation(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, registrar.DefaultCatalog())
	for _, c := range []struct{ body, pointer string }{
		{`{"auth_code":"nixos>>>arch-linux"}`, "/auth_code"},
		{`{}`, ""},
		{`{"auth_code":"YQ==","years":2}`, ""},
	} {
		r := api.do("POST", "registrar", "registrations/example.com/transfer-in", c.body)
		if r.Status != http.StatusBadRequest || (c.pointer != "" && !strings.Contains(strings.Join(r.pointers(), " "), c.pointer)) {
			t.Errorf("POST transfer-in %s = %d %s, want 400 at %q", c.body, r.Status, r.Body, c.pointer)
		}
	}
	r := api.do("POST", "registrar", "registrations/example.com/transfer-in", `{"auth_code":"YQ==","auto_renew":true}`, "Prefer", "respond-async")
	if r.Status != http.StatusAccepted {
		t.Fatalf("valid transfer-in = %d %s, want 202", r.Status, r.Body)
	}
	var st struct {
		Links struct{ Self string } `json:"links"`
	}
	json.Unmarshal(r.Env.Result, &st)
	if !strings.HasSuffix(st.Links.Self, "/registrations/example.com/transfer-in-status") {
		t.Errorf("links.self = %q, want the transfer-in-status URL", st.Links.Self)
	}
}

func (f *fakeWorkflows) StartTransferIn(ctx context.Context, p registrar.Principal, env registrar.Env, req registrar.TransferInRequest) (*registrar.Workflow, error) {
	now := time.Now()
	return &registrar.Workflow{ID: registrar.NewID(), AccountID: p.AccountID, Env: env, Kind: registrar.WorkflowTransferIn,
		Domain: req.DomainName, State: registrar.StatePending, CreatedAt: now, UpdatedAt: now}, nil
}

// TransferCheck answers as the domains service would for a registry that
// takes every name: only the auth code's form is checked.
func (f *fakeDomains) TransferCheck(ctx context.Context, env registrar.Env, names []registrar.TransferCheckName) ([]registrar.TransferAvailability, error) {
	var out []registrar.TransferAvailability
	for _, n := range names {
		a := registrar.TransferAvailability{Name: n.DomainName, Transferable: true, Currency: "USD", TransferCost: "10.00", RenewalCost: "10.00"}
		if strings.Contains(n.AuthCode, "!") {
			a = registrar.TransferAvailability{Name: n.DomainName, Reasons: []string{registrar.TransferReasonInvalidAuthCodeFormat}}
		}
		out = append(out, a)
	}
	return out, nil
}
