package client

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNew(t *testing.T) {
	for _, base := range []string{"http://registrar.test/client/v4/", "http://registrar.test/client/v4"} {
		c, err := New(base, "tok", WithAccountID("acct"))
		if err != nil {
			t.Fatalf("New(%q) = %v", base, err)
		}
		if got := c.BaseURL(); got != "http://registrar.test/client/v4/" {
			t.Errorf("New(%q).BaseURL() = %q", base, got)
		}
		u, _ := c.endpoint("registrations", "bücher.com")
		if want := "http://registrar.test/client/v4/accounts/acct/registrar/registrations/b%C3%BCcher.com"; u != want {
			t.Errorf("endpoint = %q, want %q", u, want)
		}
		u, _ = c.resolve("/accounts/acct/registrar/registrations/x.com/registration-status")
		if want := "http://registrar.test/client/v4/accounts/acct/registrar/registrations/x.com/registration-status"; u != want {
			t.Errorf("resolve = %q, want %q", u, want)
		}
	}
	for _, tt := range []struct {
		base, token string
		opts        []Option
	}{
		{"registrar.test/client/v4/", "tok", nil},
		{"ftp://registrar.test/", "tok", nil},
		{"http://registrar.test/client/v4/?x=1", "tok", nil},
		{"http://registrar.test/client/v4/", "", nil},
		{"http://registrar.test/client/v4/", "tok", []Option{WithRetry(-1, time.Second, time.Second)}},
		{"http://registrar.test/client/v4/", "tok", []Option{WithRetry(1, time.Second, time.Millisecond)}},
		{"http://registrar.test/client/v4/", "tok", []Option{WithHTTPClient(nil)}},
	} {
		if _, err := New(tt.base, tt.token, tt.opts...); err == nil {
			t.Errorf("New(%q, %q, ...) succeeded, want an error", tt.base, tt.token)
		}
	}
}

func TestNoAccount(t *testing.T) {
	f := newFake(t)
	c := newTestClient(t, f, WithAccountID(""))
	if _, err := c.Registration(t.Context(), "x.com"); !errors.Is(err, ErrNoAccount) {
		t.Errorf("Registration without an account = %v, want ErrNoAccount", err)
	}
	for _, err := range c.Registrations(t.Context(), ListOptions{}) {
		if !errors.Is(err, ErrNoAccount) {
			t.Errorf("Registrations without an account = %v, want ErrNoAccount", err)
		}
	}
	if n := len(f.seen()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// TestEndpoints checks each call's request on the wire and its decoded
// result.
func TestEndpoints(t *testing.T) {
	prefix := "/client/v4/accounts/acct/registrar"
	avail := []DomainAvailability{
		{Name: "x.com", Registrable: true, Tier: TierStandard, Pricing: &Pricing{Currency: "USD", RegistrationCost: "10.44", RenewalCost: "10.44"}},
		{Name: "taken.com", Registrable: false, Reason: ReasonDomainUnavailable},
	}
	ext := Extension{Metadata: ExtensionMetadata{Name: "co.uk", TLD: "uk"}, RegistrationSchema: json.RawMessage(`{"type":"object"}`)}
	tests := []struct {
		name   string
		answer answer
		call   func(c *Client) (any, error)
		method string
		path   string // with the query
		header map[string]string
		body   string
		want   any
	}{
		{"Check", ok(map[string]any{"domains": avail}),
			func(c *Client) (any, error) { return c.Check(t.Context(), "x.com", "taken.com") },
			"POST", prefix + "/domain-check", nil, `{"domains":["x.com","taken.com"]}`, avail},
		{"Search", ok(map[string]any{"domains": avail}),
			func(c *Client) (any, error) {
				return c.Search(t.Context(), "coffee shop", SearchOptions{Extensions: []string{"com", "dev"}, Limit: 5})
			},
			"GET", prefix + "/domain-search?extensions=com&extensions=dev&limit=5&q=coffee+shop", nil, "", avail},
		{"Search defaults", ok(map[string]any{"domains": []any{}}),
			func(c *Client) (any, error) { return c.Search(t.Context(), "x", SearchOptions{}) },
			"GET", prefix + "/domain-search?q=x", nil, "", []DomainAvailability{}},
		{"Extension", ok(ext),
			func(c *Client) (any, error) { return c.Extension(t.Context(), "co.uk") },
			"GET", prefix + "/extensions/co.uk", nil, "", &ext},
		{"Register", okStatus(201, wfStatus(StateSucceeded)),
			func(c *Client) (any, error) {
				return c.Register(t.Context(), RegisterRequest{
					DomainName: "x.com", Years: 2, AutoRenew: true, PrivacyMode: PrivacyOff,
					Contacts: Contacts{Registrant: &Contact{Email: "ada@example.com", Phone: "+44.2071234567",
						PostalInfo: PostalInfo{Name: "Ada Lovelace", Address: Address{Street: "12 St James's Square",
							City: "London", State: "London", PostalCode: "SW1Y 4LB", CountryCode: "GB"}}}},
					ContactExtensions: map[string]any{"nexus": "C11"},
					Acknowledgements:  map[string]any{"premium": true},
				}, RegisterOptions{})
			},
			"POST", prefix + "/registrations", nil,
			`{"domain_name":"x.com","years":2,"auto_renew":true,"privacy_mode":"off","contacts":{"registrant":{"email":"ada@example.com","phone":"+44.2071234567","postal_info":{"name":"Ada Lovelace","address":{"street":"12 St James's Square","city":"London","state":"London","postal_code":"SW1Y 4LB","country_code":"GB"}}}},"contact_extensions":{"nexus":"C11"},"acknowledgements":{"premium":true}}`,
			wfStatus(StateSucceeded)},
		{"Register async", okStatus(202, wfStatus(StatePending)),
			func(c *Client) (any, error) {
				return c.Register(t.Context(), RegisterRequest{DomainName: "x.com"}, RegisterOptions{Async: true})
			},
			"POST", prefix + "/registrations", map[string]string{"Prefer": "respond-async"}, `{"domain_name":"x.com"}`, wfStatus(StatePending)},
		{"Registration", ok(reg("x.com")),
			func(c *Client) (any, error) { return c.Registration(t.Context(), "x.com") },
			"GET", prefix + "/registrations/x.com", nil, "", ptr(reg("x.com"))},
		{"UpdateRegistration", ok(wfStatus(StateSucceeded)),
			func(c *Client) (any, error) {
				return c.UpdateRegistration(t.Context(), "x.com", UpdateRequest{AutoRenew: Bool(false)}, UpdateOptions{Async: true})
			},
			"PATCH", prefix + "/registrations/x.com", map[string]string{"Prefer": "respond-async"}, `{"auto_renew":false}`, wfStatus(StateSucceeded)},
		{"RegistrationStatus", ok(wfStatus(StateBlocked)),
			func(c *Client) (any, error) { return c.RegistrationStatus(t.Context(), "x.com") },
			"GET", prefix + "/registrations/x.com/registration-status", nil, "", wfStatus(StateBlocked)},
		{"UpdateStatus", ok(wfStatus(StateInProgress)),
			func(c *Client) (any, error) { return c.UpdateStatus(t.Context(), "x.com") },
			"GET", prefix + "/registrations/x.com/update-status", nil, "", wfStatus(StateInProgress)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			c := newTestClient(t, f, WithUserAgent("test-agent/1"))
			got, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreRaw); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			reqs := f.seen()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			path := r.Path
			if r.Query != "" {
				path += "?" + r.Query
			}
			if r.Method != tt.method || path != tt.path {
				t.Errorf("request = %s %s, want %s %s", r.Method, path, tt.method, tt.path)
			}
			if r.Body != tt.body {
				t.Errorf("body = %s\nwant %s", r.Body, tt.body)
			}
			want := map[string]string{"Authorization": "Bearer tok", "Accept": "application/json", "User-Agent": "test-agent/1", "Prefer": ""}
			if tt.body != "" {
				want["Content-Type"] = "application/json"
			}
			for k, v := range tt.header {
				want[k] = v
			}
			for k, v := range want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

var ignoreRaw = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Raw" }, cmp.Ignore())

func ptr[T any](v T) *T { return &v }

// TestDecodeStatus decodes a status as the server writes it, context and
// all, keeping the raw context.
func TestDecodeStatus(t *testing.T) {
	body := `{"completed":false,"state":"action_required","created_at":"2026-11-26T18:51:21.838272Z","updated_at":"2026-11-26T18:51:22.1Z",
		"links":{"self":"/accounts/A/registrar/registrations/v.com/registration-status","resource":"/accounts/A/registrar/registrations/v.com"},
		"context":{"domain_name":"v.com","action":"registrant_email_confirmation_pending","confirmation_sent_to":"verify-ada@example.com",
			"action_expires_at":"2026-12-11T18:51:22Z","future_member":{"x":1}},"error":null}`
	var st WorkflowStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	want := WorkflowStatus{
		State: StateActionRequired, CreatedAt: time.Date(2026, 11, 26, 18, 51, 21, 838272000, time.UTC),
		UpdatedAt: time.Date(2026, 11, 26, 18, 51, 22, 100000000, time.UTC),
		Links:     Links{Self: "/accounts/A/registrar/registrations/v.com/registration-status", Resource: "/accounts/A/registrar/registrations/v.com"},
		Context: StatusContext{DomainName: "v.com", Action: ActionRegistrantEmailConfirmationPending, ConfirmationSentTo: "verify-ada@example.com",
			ActionExpiresAt: time.Date(2026, 12, 11, 18, 51, 22, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, st, ignoreRaw); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	var raw map[string]any
	if err := json.Unmarshal(st.Context.Raw, &raw); err != nil || raw["future_member"] == nil {
		t.Errorf("Context.Raw = %s, want the whole context", st.Context.Raw)
	}

	// A null context, a failed workflow, an update's changes, a pending
	// registration with a null expires_at.
	body = `{"completed":true,"state":"failed","created_at":"2026-11-26T18:51:21Z","updated_at":"2026-11-26T18:51:21Z",
		"links":{"self":"/s"},"context":null,"error":{"code":"registry_rejected","message":"2306 no"}}`
	st = WorkflowStatus{}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Context.Raw != nil || st.Err() == nil || st.Err().Error() != "workflow failed: registry_rejected: 2306 no" {
		t.Errorf("failed status = %+v, Err %v", st, st.Err())
	}
	body = `{"domain_name":"v.com","changes":{"auto_renew":true},"registration":{"domain_name":"v.com","status":"registration_pending",
		"created_at":"2026-11-26T18:51:21Z","expires_at":null,"auto_renew":false,"locked":false,"privacy_mode":"redaction"}}`
	var sc StatusContext
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Changes["auto_renew"] != true || sc.Registration == nil || sc.Registration.ExpiresAt != nil ||
		sc.Registration.Status != DomainRegistrationPending {
		t.Errorf("context = %+v", sc)
	}
}

// TestAPIError decodes error responses: the envelope's items with their
// pointers, the request ID and Retry-After; a body that is not an
// envelope; success false on a 200.
func TestAPIError(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		want   *APIError
		msg    string
	}{
		{"validation", answer{status: 400, header: map[string]string{"X-Request-Id": "req-1", "x-should-retry": "false"},
			body: `{"success":false,"errors":[{"code":1001,"message":"contacts/registrant/phone: must be +CC.NUMBER","source":{"pointer":"/contacts/registrant/phone"}},
				{"code":1001,"message":"years: must be 1 to 10","source":{"pointer":"/years"},"documentation_url":"https://example.com/doc"}],"messages":[],"result":null}`},
			&APIError{StatusCode: 400, RequestID: "req-1", Errors: []ErrorItem{
				{Code: 1001, Message: "contacts/registrant/phone: must be +CC.NUMBER", Pointer: "/contacts/registrant/phone"},
				{Code: 1001, Message: "years: must be 1 to 10", Pointer: "/years", DocumentationURL: "https://example.com/doc"}}},
			"registrar API: 400 Bad Request: [1001] contacts/registrant/phone: must be +CC.NUMBER (at /contacts/registrant/phone); [1001] years: must be 1 to 10 (at /years) (request ID req-1)"},
		{"not found", fail(404, 7003, "no such registration", "X-Request-Id", "req-2"),
			&APIError{StatusCode: 404, RequestID: "req-2", Errors: []ErrorItem{{Code: 7003, Message: "no such registration"}}},
			"registrar API: 404 Not Found: [7003] no such registration (request ID req-2)"},
		{"rate limited", fail(429, 971, "slow down", "Retry-After", "3600", "Cf-Ray", "ray-1"),
			&APIError{StatusCode: 429, RequestID: "ray-1", RetryAfter: time.Hour, Errors: []ErrorItem{{Code: 971, Message: "slow down"}}},
			"registrar API: 429 Too Many Requests: [971] slow down (retry after 1h0m0s) (request ID ray-1)"},
		{"not an envelope", answer{status: 502, header: map[string]string{"Content-Type": "text/html", "x-should-retry": "false"}, body: "<html>Bad gateway</html>\n"},
			&APIError{StatusCode: 502, Body: "<html>Bad gateway</html>"},
			`registrar API: 502 Bad Gateway: "<html>Bad gateway</html>"`},
		{"success false on a 200", answer{status: 200, body: `{"success":false,"errors":[{"code":1005,"message":"conflict"}],"messages":[],"result":null}`},
			&APIError{StatusCode: 200, Errors: []ErrorItem{{Code: 1005, Message: "conflict"}}},
			"registrar API: 200 OK: [1005] conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.answer)
			c := newTestClient(t, f)
			_, err := c.Registration(t.Context(), "x.com")
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want an *APIError", err, err)
			}
			if diff := cmp.Diff(tt.want, ae); diff != "" {
				t.Errorf("APIError (-want +got):\n%s", diff)
			}
			if ae.Error() != tt.msg {
				t.Errorf("Error() = %q\nwant %q", ae.Error(), tt.msg)
			}
			for _, it := range tt.want.Errors {
				if !ae.HasCode(it.Code) {
					t.Errorf("HasCode(%d) = false", it.Code)
				}
			}
			if ae.HasCode(42) {
				t.Error("HasCode(42) = true")
			}
		})
	}
	// ErrorItem encodes back to the wire form.
	b, _ := json.Marshal(ErrorItem{Code: 1001, Message: "m", Pointer: "/years"})
	if string(b) != `{"code":1001,"message":"m","source":{"pointer":"/years"}}` {
		t.Errorf("ErrorItem JSON = %s", b)
	}
}

// TestBadSuccessBody: a 2xx that is not the envelope is an error, not
// retried.
func TestBadSuccessBody(t *testing.T) {
	f := newFake(t, answer{status: 200, body: "<html>"})
	c := newTestClient(t, f)
	if _, err := c.Registration(t.Context(), "x.com"); err == nil || !strings.Contains(err.Error(), "envelope") {
		t.Errorf("err = %v, want an envelope error", err)
	}
	if n := len(f.seen()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestRegistrationsIterator follows cursors over three pages, with the
// list options on every page.
func TestRegistrationsIterator(t *testing.T) {
	f := newFake(t,
		page([]Registration{reg("a.com"), reg("b.com")}, "c1", 2),
		page([]Registration{reg("c.com"), reg("d.com")}, "c2", 2),
		page([]Registration{reg("e.com")}, "", 2))
	c := newTestClient(t, f)
	var got []string
	for r, err := range c.Registrations(t.Context(), ListOptions{SortBy: SortByName, Direction: Desc, PerPage: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.DomainName)
	}
	if diff := cmp.Diff([]string{"a.com", "b.com", "c.com", "d.com", "e.com"}, got); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	var queries []string
	for _, r := range f.seen() {
		if r.Path != "/client/v4/accounts/acct/registrar/registrations" {
			t.Errorf("path = %s", r.Path)
		}
		queries = append(queries, r.Query)
	}
	want := []string{
		"direction=desc&per_page=2&sort_by=name",
		"cursor=c1&direction=desc&per_page=2&sort_by=name",
		"cursor=c2&direction=desc&per_page=2&sort_by=name",
	}
	if diff := cmp.Diff(want, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// TestIteratorBreak: breaking out of the loop fetches no further page.
func TestIteratorBreak(t *testing.T) {
	f := newFake(t, page([]Registration{reg("a.com"), reg("b.com")}, "c1", 2), page([]Registration{reg("c.com")}, "", 2))
	c := newTestClient(t, f)
	for r, err := range c.Registrations(t.Context(), ListOptions{}) {
		if err != nil || r.DomainName != "a.com" {
			t.Fatalf("first = %v, %v", r.DomainName, err)
		}
		break
	}
	if n := len(f.seen()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestIteratorError: an error fetching a page comes after the items of
// the pages before, and ends the sequence.
func TestIteratorError(t *testing.T) {
	f := newFake(t,
		page([]Registration{reg("a.com"), reg("b.com")}, "c1", 2),
		fail(400, 1001, "cursor is not valid for this sort order", "x-should-retry", "false"),
		page([]Registration{reg("never.com")}, "", 2))
	c := newTestClient(t, f)
	var got []string
	var errs []error
	for r, err := range c.Registrations(t.Context(), ListOptions{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, r.DomainName)
	}
	if diff := cmp.Diff([]string{"a.com", "b.com"}, got); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	var ae *APIError
	if len(errs) != 1 || !errors.As(errs[0], &ae) || ae.StatusCode != 400 {
		t.Errorf("errors = %v, want one 400", errs)
	}
	if n := len(f.seen()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// TestIteratorCursorLoop: a server that repeats a cursor does not make
// the iterator loop forever.
func TestIteratorCursorLoop(t *testing.T) {
	f := newFake(t, page([]Registration{reg("a.com")}, "same", 1))
	c := newTestClient(t, f)
	var n int
	var last error
	for _, err := range c.Registrations(t.Context(), ListOptions{}) {
		n++
		last = err
	}
	if last == nil || n != 3 {
		t.Errorf("%d values, last error %v; want a.com twice then an error", n, last)
	}
}

// TestExtensionsIterator lists extensions over two pages.
func TestExtensionsIterator(t *testing.T) {
	e := func(name string) Extension {
		return Extension{Metadata: ExtensionMetadata{Name: name, TLD: name[strings.LastIndex(name, ".")+1:]}, RegistrationSchema: json.RawMessage(`{}`)}
	}
	f := newFake(t, page([]Extension{e("app"), e("co.uk")}, "n1", 2), page([]Extension{e("com")}, "", 2))
	c := newTestClient(t, f, WithSandbox(true))
	var got []ExtensionMetadata
	for x, err := range c.Extensions(t.Context(), ListOptions{PerPage: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, x.Metadata)
	}
	want := []ExtensionMetadata{{"app", "app"}, {"co.uk", "uk"}, {"com", "com"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("extensions (-want +got):\n%s", diff)
	}
	if r := f.seen()[1]; r.Path != "/client/v4/accounts/acct/registrar-sandbox/extensions" || r.Query != "cursor=n1&per_page=2" {
		t.Errorf("second page request = %s?%s", r.Path, r.Query)
	}
}

// TestForAccount: ForAccount changes the account of a copy only.
func TestForAccount(t *testing.T) {
	f := newFake(t, ok(reg("x.com")))
	c := newTestClient(t, f)
	other := c.ForAccount("other")
	if _, err := other.Registration(t.Context(), "x.com"); err != nil {
		t.Fatal(err)
	}
	if p := f.seen()[0].Path; p != "/client/v4/accounts/other/registrar/registrations/x.com" {
		t.Errorf("path = %s", p)
	}
	if c.AccountID() != "acct" || other.AccountID() != "other" {
		t.Errorf("accounts = %q, %q", c.AccountID(), other.AccountID())
	}
}

func TestCheckArgs(t *testing.T) {
	f := newFake(t)
	c := newTestClient(t, f)
	if _, err := c.Check(t.Context()); err == nil {
		t.Error("Check() succeeded")
	}
	if _, err := c.Check(t.Context(), make([]string, 21)...); err == nil {
		t.Error("Check(21 names) succeeded")
	}
}

// TestExisting: Register and TransferIn keep the answer's messages and
// set Existing when the server returned an earlier request's workflow.
func TestExisting(t *testing.T) {
	const text = "x.com already has a registration workflow in this account, started 2026-01-02T03:04:05Z; this request was not applied"
	with := func(status int, messages string) answer {
		b, _ := json.Marshal(wfStatus(StateSucceeded))
		return answer{status: status, body: `{"success":true,"errors":[],"messages":` + messages + `,"result":` + string(b) + `}`}
	}
	tests := []struct {
		name     string
		answer   answer
		call     func(c *Client) (*WorkflowStatus, error)
		existing bool
		messages []Message
	}{
		{"Register new", with(201, `[]`), func(c *Client) (*WorkflowStatus, error) {
			return c.Register(t.Context(), RegisterRequest{DomainName: "x.com"}, RegisterOptions{})
		}, false, nil},
		{"Register repeated", with(200, `[{"code":1101,"message":"`+text+`"}]`), func(c *Client) (*WorkflowStatus, error) {
			return c.Register(t.Context(), RegisterRequest{DomainName: "x.com"}, RegisterOptions{})
		}, true, []Message{{Code: CodeExistingWorkflow, Message: text}}},
		{"Register other message", with(201, `[{"code":7,"message":"note"}]`), func(c *Client) (*WorkflowStatus, error) {
			return c.Register(t.Context(), RegisterRequest{DomainName: "x.com"}, RegisterOptions{})
		}, false, []Message{{Code: 7, Message: "note"}}},
		{"TransferIn repeated", with(202, `[{"code":1101,"message":"`+text+`"}]`), func(c *Client) (*WorkflowStatus, error) {
			return c.TransferIn(t.Context(), "x.com", TransferInRequest{AuthCode: "YQ=="}, TransferInOptions{})
		}, true, []Message{{Code: CodeExistingWorkflow, Message: text}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.call(newTestClient(t, newFake(t, tt.answer)))
			if err != nil {
				t.Fatal(err)
			}
			if st.Existing != tt.existing || !cmp.Equal(st.Messages, tt.messages) {
				t.Errorf("Existing, Messages = %t, %+v; want %t, %+v", st.Existing, st.Messages, tt.existing, tt.messages)
			}
		})
	}
}
