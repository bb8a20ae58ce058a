package daemon_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// sandboxAuthCode is the built-in registries' auth code of every xfer-
// name, base64 (RFC 4648 §4) as the API takes it: "sandbox-auth".
const sandboxAuthCode = "c2FuZGJveC1hdXRo"

// TestTransferScenarios drives the transfer rows of the scenario table
// over HTTP against the built-in demo registry (the live API in demo
// mode): domain-transfer-check's reasons, and transfer-in through to its
// outcome, with exactly one transfer request per name at the registry.
func TestTransferScenarios(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) { c.SandboxTransferDelay = 5 * time.Second })
		base := s.base("registrar")

		// domain-transfer-check.
		type checked struct {
			Transferable bool `json:"transferable"`
			Reasons      []struct {
				Code string `json:"code"`
			} `json:"reasons"`
			Pricing *struct {
				TransferCost string `json:"transfer_cost"`
			} `json:"pricing"`
		}
		checks := []struct {
			name, auth string
			reason     string // "" when transferable
		}{
			{"xfer-check.com", sandboxAuthCode, ""},
			{"xfer-wrongcode.com", "d3Jvbmc=", registrar.TransferReasonInvalidAuthCode},
			{"xfer-badformat.com", "not base64!", registrar.TransferReasonInvalidAuthCodeFormat},
			{"xfer-locked-check.com", sandboxAuthCode, registrar.TransferReasonDomainLocked},
			{"xfer-new-check.com", sandboxAuthCode, registrar.TransferReasonOutsideTransferWindow},
			{"xfer-premium-check.com", sandboxAuthCode, registrar.TransferReasonDomainPremium},
			{"nobody-holds-this.com", sandboxAuthCode, registrar.TransferReasonDomainNotExists},
		}
		var names []map[string]string
		for _, c := range checks {
			names = append(names, map[string]string{"domain_name": c.name, "auth_code": c.auth})
		}
		r := s.do("POST", base+"/domain-transfer-check", s.token, map[string]any{"domains": names})
		if r.Status != http.StatusOK {
			t.Fatalf("domain-transfer-check = %d %s", r.Status, r.Body)
		}
		var got struct {
			Domains map[string]checked `json:"domains"`
		}
		if err := json.Unmarshal(r.Env.Result, &got); err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			g, ok := got.Domains[c.name]
			switch {
			case !ok:
				t.Errorf("domain-transfer-check: no answer for %s in %s", c.name, r.Body)
			case c.reason == "" && (!g.Transferable || g.Pricing == nil || g.Pricing.TransferCost == ""):
				t.Errorf("%s: %+v, want transferable with pricing", c.name, g)
			case c.reason != "" && (g.Transferable || g.Pricing != nil || len(g.Reasons) == 0 || g.Reasons[0].Code != c.reason):
				t.Errorf("%s: %+v, want not transferable for %s, no pricing", c.name, g, c.reason)
			}
		}
		tooMany := make([]map[string]string, 11)
		for i := range tooMany {
			tooMany[i] = map[string]string{"domain_name": "xfer-many.com"}
		}
		if r := s.do("POST", base+"/domain-transfer-check", s.token, map[string]any{"domains": tooMany}); r.Status != http.StatusBadRequest {
			t.Errorf("domain-transfer-check of 11 names = %d %s, want 400", r.Status, r.Body)
		}

		// transfer-in, each scenario to its outcome.
		transfer := func(domain, auth string) *response {
			return s.do("POST", base+"/registrations/"+domain+"/transfer-in", s.token,
				map[string]any{"auth_code": auth}, "Prefer", "respond-async")
		}
		statusOf := func(domain string) status {
			r := s.do("GET", base+"/registrations/"+domain+"/transfer-in-status", s.token, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("transfer-in-status of %s = %d %s", domain, r.Status, r.Body)
			}
			return r.status(t)
		}
		waitDone := func(domain string) status {
			deadline := time.Now().Add(60 * time.Second)
			for {
				st := statusOf(domain)
				if st.Completed || time.Now().After(deadline) {
					return st
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		outcomes := []struct {
			domain, auth string
			failed       string // the error code, "" for succeeded
		}{
			{"xfer-silent.com", sandboxAuthCode, ""},  // auto-approved after the delay
			{"xfer-ack-one.com", sandboxAuthCode, ""}, // approved at once
			{"xfer-nack-one.com", sandboxAuthCode, "transfer_rejected"},
		}
		for _, o := range outcomes {
			if r := transfer(o.domain, o.auth); r.Status != http.StatusAccepted {
				t.Fatalf("transfer-in %s = %d %s, want 202", o.domain, r.Status, r.Body)
			}
			// The same POST again is the same workflow, not applied: 202
			// while it runs, 200 once it has completed.
			r := transfer(o.domain, o.auth)
			want := http.StatusAccepted
			if r.Status == http.StatusOK && r.status(t).Completed {
				want = http.StatusOK
			}
			if r.Status != want || len(r.Env.Messages) != 1 ||
				!strings.Contains(string(r.Env.Messages[0]), `"code":1101,"message":"`+o.domain+` already has a transfer-in workflow in this account, started `) {
				t.Errorf("repeated transfer-in %s = %d %s, want %d with message 1101", o.domain, r.Status, r.Body, want)
			}
		}
		for _, o := range outcomes {
			st := waitDone(o.domain)
			switch {
			case o.failed == "" && st.State != registrar.StateSucceeded:
				t.Errorf("transfer of %s ended %s %+v, want succeeded", o.domain, st.State, st.Error)
			case o.failed != "" && (st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != o.failed):
				t.Errorf("transfer of %s ended %s %+v, want failed %s", o.domain, st.State, st.Error, o.failed)
			}
		}
		if r := s.do("GET", base+"/registrations/xfer-silent.com", s.token, nil); r.Status != http.StatusOK {
			t.Errorf("the transferred registration: GET = %d %s", r.Status, r.Body)
		}
		// A repeat after the transfer succeeded: 200 (completed), not applied.
		if r := transfer("xfer-silent.com", sandboxAuthCode); r.Status != http.StatusOK || len(r.Env.Messages) != 1 || r.status(t).State != registrar.StateSucceeded {
			t.Errorf("transfer-in xfer-silent.com after it succeeded = %d %s, want 200 succeeded with a message", r.Status, r.Body)
		}
		if r := s.do("GET", base+"/registrations/xfer-nack-one.com", s.token, nil); r.Status != http.StatusNotFound {
			t.Errorf("a rejected transfer's registration: GET = %d %s, want 404", r.Status, r.Body)
		}

		// Names the registry refuses fail before any request, with the
		// reason as their error code.
		refused := []struct{ domain, auth, code string }{
			{"xfer-locked-in.com", sandboxAuthCode, registrar.TransferReasonDomainLocked},
			{"xfer-wrong-in.com", "d3Jvbmc=", registrar.TransferReasonInvalidAuthCode},
			{"xfer-new-in.com", sandboxAuthCode, registrar.TransferReasonOutsideTransferWindow},
			{"xfer-premium-in.com", sandboxAuthCode, registrar.TransferReasonDomainPremium},
		}
		for _, c := range refused {
			if r := transfer(c.domain, c.auth); r.Status != http.StatusAccepted {
				t.Fatalf("transfer-in %s = %d %s", c.domain, r.Status, r.Body)
			}
			if st := waitDone(c.domain); st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != c.code {
				t.Errorf("transfer of %s ended %s %+v, want failed %s", c.domain, st.State, st.Error, c.code)
			}
		}
		// A name held here, by this account (the transferred one) or by
		// another, is not transferred again.
		other, otherToken := s.newAccount("other", daemon.SampleContact())
		otherBase := strings.Replace(base, "/accounts/"+s.account+"/", "/accounts/"+other+"/", 1)
		r = s.do("POST", otherBase+"/registrations/xfer-silent.com/transfer-in", otherToken,
			map[string]any{"auth_code": sandboxAuthCode}, "Prefer", "respond-async")
		if st := r.status(t); st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != registrar.TransferReasonAlreadyHere {
			t.Errorf("another account's transfer-in of a domain held here = %d %s, want failed %s", r.Status, r.Body, registrar.TransferReasonAlreadyHere)
		}
		if st := transfer("xfer-silent.com", sandboxAuthCode).status(t); st.State != registrar.StateSucceeded {
			t.Errorf("the account's repeated transfer-in of its transferred domain = %s %+v, want the succeeded transfer", st.State, st.Error)
		}
		if r := transfer("xfer-format.com", "not base64!"); r.Status != http.StatusBadRequest {
			t.Errorf("transfer-in with a non-base64 auth code = %d %s, want 400", r.Status, r.Body)
		}

		// Cancel while the losing registrar is silent.
		if r := transfer("xfer-cancelled.com", sandboxAuthCode); r.Status != http.StatusAccepted {
			t.Fatalf("transfer-in = %d %s", r.Status, r.Body)
		}
		deadline := time.Now().Add(30 * time.Second)
		for st := statusOf("xfer-cancelled.com"); st.State != registrar.StateBlocked; st = statusOf("xfer-cancelled.com") {
			if st.Completed || time.Now().After(deadline) {
				t.Fatalf("transfer of xfer-cancelled.com: %s, want blocked on the losing registrar", st.State)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if r := s.do("DELETE", base+"/registrations/xfer-cancelled.com/transfer-in", s.token, nil); r.Status >= 300 {
			t.Errorf("DELETE transfer-in = %d %s", r.Status, r.Body)
		}
		if st := waitDone("xfer-cancelled.com"); st.State != registrar.StateFailed || st.Error == nil || st.Error.Code != "transfer_cancelled" {
			t.Errorf("cancelled transfer ended %s %+v, want failed transfer_cancelled", st.State, st.Error)
		}

		// Exactly one transfer request per name reached the registry.
		log, err := s.d.Demo().Log(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		requests, cancels := map[string]int{}, map[string]int{}
		for _, e := range log {
			switch e.Command {
			case "transfer:request":
				requests[e.Domain]++
			case "transfer:cancel":
				cancels[e.Domain]++
			}
		}
		for _, d := range []string{"xfer-silent.com", "xfer-ack-one.com", "xfer-nack-one.com", "xfer-cancelled.com"} {
			if requests[d] != 1 {
				t.Errorf("the registry logged %d transfer requests of %s, want 1", requests[d], d)
			}
		}
		if cancels["xfer-cancelled.com"] != 1 {
			t.Errorf("the registry logged %d transfer cancels of xfer-cancelled.com, want 1", cancels["xfer-cancelled.com"])
		}
		for _, c := range refused {
			d := c.domain
			if requests[d] != 0 {
				t.Errorf("the registry logged %d transfer requests of %s, want none", requests[d], d)
			}
		}
	})
}
