package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/client"
)

func ExampleNew() {
	// This server, as `registrar serve` prints it on its first start.
	c, err := client.New("http://127.0.0.1:8080/client/v4", "orat_6kQm...",
		client.WithAccountID("3f9c0d2b8a6e4f1c9d7b5a3e1f0c2d4e"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL())

	// Cloudflare, on the sandbox endpoints, with a longer retry budget.
	cf, err := client.New("https://api.cloudflare.com/client/v4/", "cloudflare-api-token",
		client.WithAccountID("023e105f4ecef8ad9ca31a8372d0c353"),
		client.WithSandbox(true),
		client.WithRetry(5, time.Second, 30*time.Second),
		client.WithHTTPClient(&http.Client{Timeout: time.Minute}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cf.BaseURL(), cf.AccountID())
	// Output:
	// http://127.0.0.1:8080/client/v4/
	// https://api.cloudflare.com/client/v4/ 023e105f4ecef8ad9ca31a8372d0c353
}

func ExampleClient_Check() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL+"/client/v4/", "token-1", client.WithAccountID("acct-1"))
	if err != nil {
		log.Fatal(err)
	}

	domains, err := c.Check(context.Background(), "ada.com", "taken-ada.com")
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range domains {
		if d.Registrable {
			fmt.Printf("%s: %s %s a year (%s)\n", d.Name, d.Pricing.RegistrationCost, d.Pricing.Currency, d.Tier)
		} else {
			fmt.Printf("%s: not registrable: %s\n", d.Name, d.Reason)
		}
	}
	// Output:
	// ada.com: 10.44 USD a year (standard)
	// taken-ada.com: not registrable: domain_unavailable
}

// The whole story: check a name, register it, follow the workflow to the
// end, and handle every outcome. The sandbox registry decides by the
// name: slow- names take a while, pending- ones are held by the registry,
// reject- ones are refused, and a registrant email starting with verify
// needs the registrant to confirm it.
func Example_registerAndWait() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL+"/client/v4/", "token-1", client.WithAccountID("acct-1"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	verify := &client.Contact{Email: "verify-ada@example.com", Phone: "+44.2071234567",
		PostalInfo: client.PostalInfo{Name: "Ada Lovelace", Address: client.Address{
			Street: "12 St James's Square", City: "London", State: "London", PostalCode: "SW1Y 4LB", CountryCode: "GB"}}}
	for _, req := range []client.RegisterRequest{
		{DomainName: "ada.com"},
		{DomainName: "slow-ada.com", Years: 2},
		{DomainName: "pending-ada.com"},
		{DomainName: "reject-ada.com"},
		{DomainName: "ada.dev", Contacts: client.Contacts{Registrant: verify}},
		{DomainName: "taken-ada.com"},
	} {
		if err := registerAndWait(ctx, c, req); err != nil {
			fmt.Println("error:", err)
		}
	}
	// Output:
	// ada.com: registered until 2027-01-01 (auto-renew false)
	// slow-ada.com: in_progress
	// slow-ada.com: registered until 2028-01-01 (auto-renew false)
	// pending-ada.com: blocked (waiting on the registry: The registry is reviewing the registration.)
	// pending-ada.com: registered until 2027-01-01 (auto-renew false)
	// reject-ada.com: failed: registry_rejected (2306 the registry refused the name)
	// ada.dev: check the email sent to v***@example.com (registrant_email_confirmation_pending), then wait again
	// taken-ada.com is not registrable: domain_unavailable
}

// registerAndWait checks, registers and waits for one domain.
func registerAndWait(ctx context.Context, c *client.Client, req client.RegisterRequest) error {
	// Check is authoritative: use it right before registering.
	avail, err := c.Check(ctx, req.DomainName)
	if err != nil {
		return err
	}
	for _, a := range avail {
		if !a.Registrable {
			// An unavailable name still gets a workflow, failed at once;
			// checking first saves the call.
			fmt.Printf("%s is not registrable: %s\n", a.Name, a.Reason)
			return nil
		}
	}
	// Register may be retried safely: the domain is the idempotency key.
	st, err := c.Register(ctx, req, client.RegisterOptions{Async: true})
	if err != nil {
		return err
	}
	st, err = c.Wait(ctx, st, client.WaitOptions{
		// Short for the example; the defaults (1s growing to 30s, 30s
		// growing to 10m while blocked, giving up after 1h blocked) suit
		// real use.
		Interval: time.Millisecond, BlockedInterval: 2 * time.Millisecond,
		OnChange: func(prev, cur *client.WorkflowStatus, next time.Duration) {
			switch cur.State {
			case client.StateInProgress:
				fmt.Printf("%s: in_progress\n", cur.Context.DomainName)
			case client.StateBlocked:
				fmt.Printf("%s: blocked (waiting on the %s: %s)\n", cur.Context.DomainName, cur.Context.BlockedBy, cur.Context.Detail)
			}
		},
	})
	switch {
	case errors.Is(err, client.ErrGaveUpBlocked):
		// The workflow goes on at the registry: look again later, with
		// c.RegistrationStatus or another Wait. Never register again.
		fmt.Printf("%s: still blocked; check back later\n", req.DomainName)
		return nil
	case err != nil:
		return err
	}
	switch st.State {
	case client.StateSucceeded:
		r := st.Context.Registration
		fmt.Printf("%s: registered until %s (auto-renew %v)\n", r.DomainName, r.ExpiresAt.Format(time.DateOnly), r.AutoRenew)
	case client.StateFailed:
		var we *client.WorkflowError
		errors.As(st.Err(), &we)
		fmt.Printf("%s: failed: %s (%s)\n", st.Context.DomainName, we.Code, we.Message)
	case client.StateActionRequired:
		// Never resolves on its own: tell the user, do not re-submit.
		fmt.Printf("%s: check the email sent to %s (%s), then wait again\n",
			st.Context.DomainName, st.Context.ConfirmationSentTo, st.Context.Action)
	}
	return nil
}

func ExampleClient_Registrations() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL+"/client/v4/", "token-1", client.WithAccountID("acct-1"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, d := range []string{"c.com", "a.com", "b.com", "e.com", "d.com"} {
		if _, err := c.Register(ctx, client.RegisterRequest{DomainName: d}, client.RegisterOptions{}); err != nil {
			log.Fatal(err)
		}
	}

	// Pages of two, fetched as the loop goes.
	for reg, err := range c.Registrations(ctx, client.ListOptions{SortBy: client.SortByName, PerPage: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(reg.DomainName, reg.Status)
	}
	// Output:
	// a.com active
	// b.com active
	// c.com active
	// d.com active
	// e.com active
}

func ExampleAPIError() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL+"/client/v4/", "token-1", client.WithAccountID("acct-1"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Registration(context.Background(), "never-registered.com")
	var ae *client.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.HasCode(client.CodeNotFound), ae.Errors[0].Message)
	}
	// Output:
	// 404 true Domain not found
}

// A transfer in: check the name with its auth code, start the transfer,
// and follow it while the losing registrar decides. Wait polls a transfer
// blocked on the losing registrar every few minutes by default; the
// example polls at once.
func Example_transferIn() {
	srv := newExampleServer()
	defer srv.Close()
	c, err := client.New(srv.URL+"/client/v4/", "token-1", client.WithAccountID("acct-1"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	fast := client.WaitOptions{Interval: time.Millisecond, TransferInterval: time.Millisecond}

	for _, name := range []string{"xfer-ada.com", "xfer-nack-ada.com"} {
		checked, err := c.TransferCheck(ctx, client.TransferCheckName{DomainName: name, AuthCode: "c2FuZGJveC1hdXRo"})
		if err != nil {
			log.Fatal(err)
		}
		if r := checked[name]; !r.Transferable {
			fmt.Printf("%s: not transferable: %v\n", name, r.Reasons)
			continue
		}
		st, err := c.TransferIn(ctx, name, client.TransferInRequest{AuthCode: "c2FuZGJveC1hdXRo"}, client.TransferInOptions{})
		if err != nil {
			log.Fatal(err)
		}
		fast.OnChange = func(_, cur *client.WorkflowStatus, _ time.Duration) {
			if by, _ := cur.Context.Blocker(); by != "" {
				fmt.Printf("%s: %s on the %s\n", name, cur.State, strings.ReplaceAll(by, "_", " "))
				return
			}
			fmt.Printf("%s: %s\n", name, cur.State)
		}
		st, err = c.Wait(ctx, st, fast)
		if err != nil {
			log.Fatal(err)
		}
		if err := st.Err(); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// xfer-ada.com: pending
	// xfer-ada.com: blocked on the losing registrar
	// xfer-ada.com: succeeded
	// xfer-nack-ada.com: pending
	// xfer-nack-ada.com: blocked on the losing registrar
	// xfer-nack-ada.com: failed
	// workflow failed: transfer_rejected: the losing registrar rejected the transfer
}

// exampleServer is a small in-memory stand-in for the registrar, enough
// for the examples. Each poll of a workflow's status moves it one step
// along its script.
type exampleServer struct {
	*httptest.Server
	mu  sync.Mutex
	wfs map[string]*exampleWorkflow
}

type exampleWorkflow struct {
	req      client.RegisterRequest
	transfer bool // a transfer in, not a registration
	script   []client.State
	polls    int
}

func newExampleServer() *exampleServer {
	s := &exampleServer{wfs: map[string]*exampleWorkflow{}}
	mux := http.NewServeMux()
	base := "/client/v4/accounts/acct-1/registrar"
	mux.HandleFunc("POST "+base+"/domain-check", s.check)
	mux.HandleFunc("POST "+base+"/registrations", s.register)
	mux.HandleFunc("GET "+base+"/registrations", s.list)
	mux.HandleFunc("GET "+base+"/registrations/{domain}", s.registration)
	mux.HandleFunc("GET "+base+"/registrations/{domain}/registration-status", s.status)
	mux.HandleFunc("POST "+base+"/domain-transfer-check", s.transferCheck)
	mux.HandleFunc("POST "+base+"/registrations/{domain}/transfer-in", s.transferIn)
	mux.HandleFunc("GET "+base+"/registrations/{domain}/transfer-in-status", s.status)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-1" {
			exampleError(w, 401, 10000, "no valid token")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	return s
}

func (s *exampleServer) check(w http.ResponseWriter, r *http.Request) {
	var body struct{ Domains []string }
	json.NewDecoder(r.Body).Decode(&body)
	var out []client.DomainAvailability
	for _, d := range body.Domains {
		if strings.HasPrefix(d, "taken-") {
			out = append(out, client.DomainAvailability{Name: d, Reason: client.ReasonDomainUnavailable})
			continue
		}
		out = append(out, client.DomainAvailability{Name: d, Registrable: true, Tier: client.TierStandard,
			Pricing: &client.Pricing{Currency: "USD", RegistrationCost: "10.44", RenewalCost: "10.44"}})
	}
	exampleResult(w, 200, map[string]any{"domains": out}, nil)
}

func (s *exampleServer) register(w http.ResponseWriter, r *http.Request) {
	var req client.RegisterRequest
	json.NewDecoder(r.Body).Decode(&req)
	wf := s.wfs[req.DomainName]
	if wf == nil {
		script := []client.State{client.StateSucceeded}
		switch {
		case strings.HasPrefix(req.DomainName, "slow-"):
			script = []client.State{client.StatePending, client.StateInProgress, client.StateInProgress, client.StateSucceeded}
		case strings.HasPrefix(req.DomainName, "pending-"):
			script = []client.State{client.StatePending, client.StateBlocked, client.StateBlocked, client.StateSucceeded}
		case strings.HasPrefix(req.DomainName, "reject-"):
			script = []client.State{client.StatePending, client.StateFailed}
		case req.Contacts.Registrant != nil && strings.HasPrefix(req.Contacts.Registrant.Email, "verify"):
			script = []client.State{client.StatePending, client.StateActionRequired}
		}
		wf = &exampleWorkflow{req: req, script: script}
		s.wfs[req.DomainName] = wf
	}
	st := wf.status()
	code := http.StatusCreated
	if !st.Completed {
		code = http.StatusAccepted
	}
	exampleResult(w, code, st, nil)
}

func (s *exampleServer) transferCheck(w http.ResponseWriter, r *http.Request) {
	var body struct{ Domains []client.TransferCheckName }
	json.NewDecoder(r.Body).Decode(&body)
	out := map[string]client.TransferCheckResult{}
	for _, d := range body.Domains {
		out[d.DomainName] = client.TransferCheckResult{Name: d.DomainName, Transferable: true, Reasons: []client.TransferReason{},
			Pricing: &client.TransferPricing{Currency: "USD", TransferCost: "10.44", RenewalCost: "10.44"}}
	}
	exampleResult(w, 200, map[string]any{"domains": out}, nil)
}

func (s *exampleServer) transferIn(w http.ResponseWriter, r *http.Request) {
	d := r.PathValue("domain")
	wf := s.wfs[d]
	if wf == nil {
		script := []client.State{client.StatePending, client.StateBlocked, client.StateSucceeded}
		if strings.HasPrefix(d, "xfer-nack-") {
			script = []client.State{client.StatePending, client.StateBlocked, client.StateFailed}
		}
		wf = &exampleWorkflow{req: client.RegisterRequest{DomainName: d}, transfer: true, script: script}
		s.wfs[d] = wf
	}
	exampleResult(w, http.StatusAccepted, wf.status(), nil)
}

func (s *exampleServer) status(w http.ResponseWriter, r *http.Request) {
	wf := s.wfs[r.PathValue("domain")]
	if wf == nil {
		exampleError(w, 404, 10000, "No workflow found for "+r.PathValue("domain"))
		return
	}
	wf.polls++
	exampleResult(w, 200, wf.status(), nil)
}

func (s *exampleServer) registration(w http.ResponseWriter, r *http.Request) {
	wf := s.wfs[r.PathValue("domain")]
	if wf == nil || wf.state() != client.StateSucceeded {
		exampleError(w, 404, 10000, "Domain not found")
		return
	}
	exampleResult(w, 200, wf.registration(), nil)
}

func (s *exampleServer) list(w http.ResponseWriter, r *http.Request) {
	var regs []client.Registration
	for _, wf := range s.wfs {
		if wf.state() == client.StateSucceeded {
			regs = append(regs, wf.registration())
		}
	}
	// Sorted by name whatever sort_by says: enough for the example.
	for i := range regs {
		for j := i + 1; j < len(regs); j++ {
			if regs[j].DomainName < regs[i].DomainName {
				regs[i], regs[j] = regs[j], regs[i]
			}
		}
	}
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if perPage == 0 {
		perPage = 20
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	to := min(from+perPage, len(regs))
	cursor := ""
	if to < len(regs) {
		cursor = strconv.Itoa(to)
	}
	exampleResult(w, 200, regs[from:to], map[string]any{"count": to - from, "cursor": cursor, "per_page": perPage})
}

func (wf *exampleWorkflow) state() client.State {
	return wf.script[min(wf.polls, len(wf.script)-1)]
}

func (wf *exampleWorkflow) registration() client.Registration {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	years := max(wf.req.Years, 1)
	expires := created.AddDate(years, 0, 0)
	return client.Registration{DomainName: wf.req.DomainName, Status: client.DomainActive, CreatedAt: created,
		ExpiresAt: &expires, AutoRenew: wf.req.AutoRenew, Locked: true, PrivacyMode: client.PrivacyRedaction}
}

func (wf *exampleWorkflow) status() *client.WorkflowStatus {
	d := wf.req.DomainName
	self := "/accounts/acct-1/registrar/registrations/" + d
	statusPath := "/registration-status"
	if wf.transfer {
		statusPath = "/transfer-in-status"
	}
	st := &client.WorkflowStatus{State: wf.state(), Links: client.Links{Self: self + statusPath, Resource: self},
		Context: client.StatusContext{DomainName: d}}
	st.Completed = st.State.Terminal()
	switch st.State {
	case client.StateSucceeded:
		reg := wf.registration()
		st.Context.Registration = &reg
	case client.StateFailed:
		st.Error = &client.WorkflowError{Code: client.WorkflowErrRegistryRejected, Message: "2306 the registry refused the name"}
		if wf.transfer {
			st.Error = &client.WorkflowError{Code: client.WorkflowErrTransferRejected, Message: "the losing registrar rejected the transfer"}
		}
	case client.StateBlocked:
		st.Context.BlockedBy, st.Context.Detail = "registry", "The registry is reviewing the registration."
		if wf.transfer {
			st.Context.BlockedBy, st.Context.Detail = client.BlockedByLosingRegistrar, "The losing registrar has five days to approve or reject the transfer."
		}
	case client.StateActionRequired:
		email := wf.req.Contacts.Registrant.Email
		st.Context.Action, st.Context.ConfirmationSentTo = client.ActionRegistrantEmailConfirmationPending, email[:1]+"***"+email[strings.LastIndex(email, "@"):]
	}
	return st
}

func exampleResult(w http.ResponseWriter, code int, result, info any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": result, "result_info": info})
}

func exampleError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-should-retry", "false")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"success": false, "errors": []client.ErrorItem{{Code: code, Message: msg}}, "messages": []any{}, "result": nil})
}
