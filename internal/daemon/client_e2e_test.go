package daemon_test

// End-to-end tests of the Go client (package client) against the real
// server and its sandbox registry: every workflow outcome through
// Register and Wait, lists through the iterator, updates, and errors.
// Real time, bounded: the sandbox delay and the poll intervals are short.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/client"
	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/openapi/openapitest"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// clientWait are poll intervals for tests: short, with a blocked limit
// well beyond the sandbox delay.
var clientWait = client.WaitOptions{
	Interval: 50 * time.Millisecond, MaxInterval: 200 * time.Millisecond,
	BlockedInterval: 100 * time.Millisecond, MaxBlockedInterval: 300 * time.Millisecond,
	MaxBlocked: 30 * time.Second,
}

// clientEnvs are the two environments, as WithSandbox takes them.
var clientEnvs = []struct {
	name    string
	sandbox bool
}{{"registrar", false}, {"registrar-sandbox", true}}

// countingTransport counts requests by method and path.
type countingTransport struct {
	mu sync.Mutex
	n  map[string]int // "METHOD /path"
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// count returns how many requests had the method and a path ending with
// suffix.
func (c *countingTransport) count(method, suffix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, v := range c.n {
		m, p, _ := strings.Cut(k, " ")
		if m == method && strings.HasSuffix(p, suffix) {
			n += v
		}
	}
	return n
}

// newClient returns a client of s for the test account (or token), with
// a counting transport.
func (s *server) newClient(t *testing.T, sandbox bool, token string, opts ...client.Option) (*client.Client, *countingTransport) {
	t.Helper()
	ct := &countingTransport{}
	if token == "" {
		token = s.token
	}
	opts = append([]client.Option{client.WithHTTPClient(&http.Client{Transport: openapitest.Transport(t, ct), Timeout: 30 * time.Second}),
		client.WithAccountID(s.account), client.WithSandbox(sandbox)}, opts...)
	c, err := client.New(s.d.URL(), token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, ct
}

// clientName gives a domain a per-environment label: both environments
// share one sandbox registry.
// The sandbox registers com and net only: see sdkName.
func clientName(sandbox bool, domain string) string {
	if !sandbox {
		return domain
	}
	return sdkName("registrar-sandbox", domain)
}

// clientSampleContact is daemon.SampleContact as the client package has
// it.
func clientSampleContact(t *testing.T) *client.Contact {
	t.Helper()
	b, err := json.Marshal(daemon.SampleContact())
	if err != nil {
		t.Fatal(err)
	}
	var c client.Contact
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// TestClientWorkflows registers a name of every sandbox scenario with
// Register (async) and follows it with Wait: each ends in the right
// state, passes through the states it must, and is POSTed exactly once.
func TestClientWorkflows(t *testing.T) {
	t.Parallel()
	verify := client.Contact{Email: "verify-ada@example.com", Phone: "+44.2071234567", PostalInfo: client.PostalInfo{
		Name: "Ada Lovelace", Address: client.Address{Street: "12 St James's Square", City: "London", State: "London",
			PostalCode: "SW1Y 4LB", CountryCode: "GB"}}}
	tests := []struct {
		name       string
		domain     string
		registrant *client.Contact
		through    client.State // a state Wait must report on the way
		state      client.State
		code       string // the workflow error code when failed
	}{
		{"plain", "client-plain.com", nil, "", client.StateSucceeded, ""},
		{"slow", "slow-client.net", nil, client.StateInProgress, client.StateSucceeded, ""},
		{"pending", "pending-client.org", nil, client.StateBlocked, client.StateSucceeded, ""},
		{"outage", "outage-client.dev", nil, client.StateBlocked, client.StateSucceeded, ""},
		{"reject", "reject-client.app", nil, "", client.StateFailed, client.WorkflowErrRegistryRejected},
		{"verify email", "client-verify.dev", &verify, "", client.StateActionRequired, ""},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, func(c *daemon.Config) { c.SandboxDelay = time.Second })
		for _, env := range clientEnvs {
			for _, tt := range tests {
				t.Run(env.name+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
					defer cancel()
					c, ct := s.newClient(t, env.sandbox, "")
					domain := clientName(env.sandbox, tt.domain)
					req := client.RegisterRequest{DomainName: domain}
					if tt.registrant != nil {
						req.Contacts.Registrant = tt.registrant
					} else if env.sandbox {
						req.Contacts.Registrant = clientSampleContact(t) // the sandbox has no express mode
					}
					st, err := c.Register(ctx, req, client.RegisterOptions{Async: true})
					if err != nil {
						t.Fatalf("Register(%s) = %v", domain, err)
					}
					if st.Completed || st.Context.DomainName != domain || st.Links.Self == "" {
						t.Errorf("Register(%s) async = %+v, want an unfinished status with links.self", domain, st)
					}
					var seen []client.State
					opts := clientWait
					opts.OnChange = func(prev, cur *client.WorkflowStatus, next time.Duration) {
						if prev != nil && prev.State == cur.State {
							t.Errorf("OnChange(%s → %s): not a change", prev.State, cur.State)
						}
						seen = append(seen, cur.State)
					}
					start := time.Now()
					st, err = c.Wait(ctx, st, opts)
					if err != nil {
						t.Fatalf("Wait(%s) = %v (states %v)", domain, err, seen)
					}
					if st.State != tt.state {
						t.Fatalf("Wait(%s) ended %s (%v), want %s; states %v", domain, st.State, st.Err(), tt.state, seen)
					}
					if seen[len(seen)-1] != tt.state {
						t.Errorf("OnChange saw %v, want it to end with %s", seen, tt.state)
					}
					if tt.through != "" && !slices.Contains(seen, tt.through) {
						t.Errorf("OnChange saw %v, want %s among them", seen, tt.through)
					}
					if n := ct.count("POST", "/registrations"); n != 1 {
						t.Errorf("%d POSTs, want 1: Wait must never re-submit", n)
					}
					switch tt.state {
					case client.StateSucceeded:
						g := st.Context.Registration
						if st.Err() != nil || g == nil || g.DomainName != domain || g.Status != client.DomainActive ||
							g.ExpiresAt == nil || g.ExpiresAt.Year() != g.CreatedAt.Year()+1 || !g.Locked || g.PrivacyMode != client.PrivacyRedaction {
							t.Errorf("succeeded status: error %v, registration %+v; want an active, locked, redacted registration for a year", st.Err(), g)
						}
						r, err := c.Registration(ctx, domain)
						if err != nil || r.DomainName != domain || !r.CreatedAt.Equal(g.CreatedAt) {
							t.Errorf("Registration(%s) = %+v, %v; want the registration of the status", domain, r, err)
						}
						if n := s.creates(domain); n != 1 {
							t.Errorf("the registry received %d creates for %s, want 1", n, domain)
						}
					case client.StateFailed:
						var we *client.WorkflowError
						if !errors.As(st.Err(), &we) || we.Code != tt.code || we.Message == "" {
							t.Errorf("failed status Err() = %v, want code %s with a message", st.Err(), tt.code)
						}
					case client.StateActionRequired:
						if st.Context.Action != client.ActionRegistrantEmailConfirmationPending || st.Context.ConfirmationSentTo != "v***@example.com" ||
							st.Context.ActionExpiresAt.IsZero() {
							t.Errorf("action_required context = %+v, want the action, the address and the expiry", st.Context)
						}
						if d := time.Since(start); d > 10*time.Second {
							t.Errorf("Wait took %s to return action_required, want it at once", d)
						}
						// Wait polled until it read action_required, once,
						// and has stopped.
						polls := ct.count("GET", "/registration-status")
						time.Sleep(500 * time.Millisecond)
						if n := ct.count("GET", "/registration-status"); n != polls {
							t.Errorf("%d polls after Wait returned", n-polls)
						}
						again, err := c.RegistrationStatus(ctx, domain)
						if err != nil || again.State != client.StateActionRequired {
							t.Errorf("RegistrationStatus(%s) = %v, %v; want still action_required", domain, again, err)
						}
					}
				})
			}
		}
	})
}

// TestClientListAndUpdate lists an account's registrations through the
// iterator over several pages, updates auto_renew and reads the update.
func TestClientListAndUpdate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		c, _ := s.newClient(t, false, "")
		var want []string
		for _, d := range []string{"list-c.com", "list-a.org", "list-e.net", "list-b.dev", "list-d.app"} {
			st, err := c.Register(ctx, client.RegisterRequest{DomainName: d}, client.RegisterOptions{})
			if err == nil {
				st, err = c.Wait(ctx, st, clientWait)
			}
			if err != nil || st.State != client.StateSucceeded {
				t.Fatalf("register %s = %v, %v", d, st, err)
			}
			want = append(want, d)
		}
		slices.Sort(want)

		var got []string
		for r, err := range c.Registrations(ctx, client.ListOptions{SortBy: client.SortByName, PerPage: 2}) {
			if err != nil {
				t.Fatalf("Registrations: %v", err)
			}
			got = append(got, r.DomainName)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Registrations by name, 2 a page = %q, want %q", got, want)
		}
		got = got[:0]
		for r, err := range c.Registrations(ctx, client.ListOptions{SortBy: client.SortByName, Direction: client.Desc, PerPage: 3}) {
			if err != nil {
				t.Fatalf("Registrations desc: %v", err)
			}
			got = append(got, r.DomainName)
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if !slices.Equal(got, rev) {
			t.Errorf("Registrations by name desc, 3 a page = %q, want %q reversed", got, want)
		}

		// Update auto_renew, wait for it, read it back.
		st, err := c.UpdateRegistration(ctx, "list-a.org", client.UpdateRequest{AutoRenew: client.Bool(true)}, client.UpdateOptions{Async: true})
		if err != nil {
			t.Fatalf("UpdateRegistration = %v", err)
		}
		if !strings.HasSuffix(st.Links.Self, "/update-status") {
			t.Errorf("update status links.self = %q, want the update-status", st.Links.Self)
		}
		st, err = c.Wait(ctx, st, clientWait)
		if err != nil || st.State != client.StateSucceeded {
			t.Fatalf("Wait(update) = %v, %v; want succeeded", st, err)
		}
		us, err := c.UpdateStatus(ctx, "list-a.org")
		if err != nil || us.State != client.StateSucceeded || us.Context.Changes["auto_renew"] != true {
			t.Errorf("UpdateStatus = %+v, %v; want succeeded with changes auto_renew true", us, err)
		}
		r, err := c.Registration(ctx, "list-a.org")
		if err != nil || !r.AutoRenew {
			t.Errorf("Registration after the update = %+v, %v; want auto_renew on", r, err)
		}
		rs, err := c.RegistrationStatus(ctx, "list-a.org")
		if err != nil || rs.State != client.StateSucceeded || rs.Context.Registration == nil {
			t.Errorf("RegistrationStatus = %+v, %v; want the succeeded registration workflow", rs, err)
		}
	})
}

// TestClientErrors: the server's errors come back as *client.APIError,
// with status, code, pointer and request ID, after exactly one request.
func TestClientErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	other, _ := s.newAccount("other", daemon.SampleContact())
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	c, _ := s.newClient(t, false, "")
	if st, err := c.Register(ctx, client.RegisterRequest{DomainName: "client-errors.com"}, client.RegisterOptions{}); err != nil || st.State != client.StateSucceeded {
		t.Fatalf("Register = %v, %v", st, err)
	}
	tests := []struct {
		name    string
		call    func(c *client.Client) error
		status  int
		code    int
		pointer string
	}{
		{"Registration for another account", func(c *client.Client) error {
			_, err := c.ForAccount(other).Registration(ctx, "client-errors.com")
			return err
		}, 404, client.CodeNoAccount, ""},
		{"RegistrationStatus for another account", func(c *client.Client) error {
			_, err := c.ForAccount(other).RegistrationStatus(ctx, "client-errors.com")
			return err
		}, 404, client.CodeNoAccount, ""},
		{"Register for another account", func(c *client.Client) error {
			_, err := c.ForAccount(other).Register(ctx, client.RegisterRequest{DomainName: "client-other.com"}, client.RegisterOptions{})
			return err
		}, 404, client.CodeNoAccount, ""},
		{"Registration of an unknown domain", func(c *client.Client) error {
			_, err := c.Registration(ctx, "client-never.com")
			return err
		}, 404, client.CodeNotFound, ""},
		{"Register with years out of range", func(c *client.Client) error {
			_, err := c.Register(ctx, client.RegisterRequest{DomainName: "client-years.com", Years: 11}, client.RegisterOptions{})
			return err
		}, 400, client.CodeValidation, "/years"},
		{"Register a malformed name", func(c *client.Client) error {
			_, err := c.Register(ctx, client.RegisterRequest{DomainName: "not a domain"}, client.RegisterOptions{})
			return err
		}, 400, client.CodeValidation, "/domain_name"},
		{"Register with a bad phone", func(c *client.Client) error {
			bad := *daemonContact()
			bad.Phone = "020 7123 4567"
			_, err := c.Register(ctx, client.RegisterRequest{DomainName: "client-phone.com", Contacts: client.Contacts{Registrant: &bad}}, client.RegisterOptions{})
			return err
		}, 400, client.CodeValidation, "/contacts/registrant/phone"},
		{"UpdateRegistration of an unknown domain", func(c *client.Client) error {
			_, err := c.UpdateRegistration(ctx, "client-never.com", client.UpdateRequest{}, client.UpdateOptions{})
			return err
		}, 404, client.CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ct := s.newClient(t, false, "")
			err := tt.call(c)
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want an *client.APIError", err, err)
			}
			if ae.StatusCode != tt.status || !ae.HasCode(tt.code) || ae.RequestID == "" {
				t.Errorf("APIError = %+v, want status %d, code %d and a request ID", ae, tt.status, tt.code)
			}
			if tt.pointer != "" && !slices.ContainsFunc(ae.Errors, func(e client.ErrorItem) bool { return e.Pointer == tt.pointer }) {
				t.Errorf("APIError items = %+v, want one at %s", ae.Errors, tt.pointer)
			}
			total := 0
			for _, m := range []string{"GET", "POST", "PATCH"} {
				total += ct.count(m, "")
			}
			if total != 1 {
				t.Errorf("%d requests, want 1 (no retries)", total)
			}
		})
	}

	// A bad token is a 401.
	bad, _ := s.newClient(t, false, "not-a-token")
	var ae *client.APIError
	if _, err := bad.Registration(ctx, "client-errors.com"); !errors.As(err, &ae) || ae.StatusCode != 401 || !ae.HasCode(client.CodeAuthentication) {
		t.Errorf("bad token: %v, want 401 with code %d", err, client.CodeAuthentication)
	}
}

func daemonContact() *client.Contact {
	c := daemon.SampleContact()
	return &client.Contact{Email: c.Email, Phone: c.Phone, PostalInfo: client.PostalInfo{Name: c.PostalInfo.Name,
		Address: client.Address{Street: c.PostalInfo.Address.Street, City: c.PostalInfo.Address.City, State: c.PostalInfo.Address.State,
			PostalCode: c.PostalInfo.Address.PostalCode, CountryCode: c.PostalInfo.Address.CountryCode}}}
}

// TestClientCheckSearchExtensions: Check, Search and the extensions
// endpoints through the client.
func TestClientCheckSearchExtensions(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	for _, env := range clientEnvs {
		t.Run(env.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			c, _ := s.newClient(t, env.sandbox, "")

			t.Run("Check", func(t *testing.T) {
				got, err := c.Check(ctx, "client-check.com", "taken-client-check.com")
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				if len(got) != 2 {
					t.Fatalf("Check = %+v, want 2 results", got)
				}
				if a := got[0]; a.Name != "client-check.com" || !a.Registrable || a.Tier != client.TierStandard ||
					a.Pricing == nil || a.Pricing.Currency == "" || a.Pricing.RegistrationCost == "" || a.Pricing.RenewalCost == "" {
					t.Errorf("Check(client-check.com) = %+v, want registrable, standard, with a price", a)
				}
				if a := got[1]; a.Name != "taken-client-check.com" || a.Registrable || a.Reason != client.ReasonDomainUnavailable || a.Pricing != nil {
					t.Errorf("Check(taken-client-check.com) = %+v, want not registrable: domain_unavailable", a)
				}
			})

			t.Run("Search", func(t *testing.T) {
				got, err := c.Search(ctx, "client coffee", client.SearchOptions{Extensions: []string{"com", "dev"}, Limit: 5})
				if err != nil {
					t.Fatalf("Search = %v", err)
				}
				if len(got) == 0 || len(got) > 5 {
					t.Errorf("Search limit 5 = %d results, want 1 to 5", len(got))
				}
				for _, a := range got {
					if !strings.HasSuffix(a.Name, ".com") && !strings.HasSuffix(a.Name, ".dev") {
						t.Errorf("Search on com and dev gave %s", a.Name)
					}
				}
				_, err = c.Search(ctx, "com", client.SearchOptions{})
				var ae *client.APIError
				if !errors.As(err, &ae) || ae.StatusCode != 400 {
					t.Errorf("Search(a bare extension) = %v, want a 400", err)
				}
			})

			t.Run("Extensions", func(t *testing.T) {
				var names []string
				for e, err := range c.Extensions(ctx, client.ListOptions{PerPage: 7}) {
					if err != nil {
						t.Fatalf("Extensions = %v", err)
					}
					if e.Metadata.Name == "" || e.Metadata.TLD == "" || !strings.HasSuffix(e.Metadata.Name, e.Metadata.TLD) || len(e.RegistrationSchema) == 0 {
						t.Errorf("extension %+v: want a name, its TLD and a schema", e.Metadata)
					}
					names = append(names, e.Metadata.Name)
				}
				want := registrar.DefaultCatalog().Names()
				if !slices.Equal(names, want) {
					t.Errorf("Extensions, 7 a page = %q, want %q", names, want)
				}
				e, err := c.Extension(ctx, "com")
				if err != nil || e.Metadata != (client.ExtensionMetadata{Name: "com", TLD: "com"}) || len(e.RegistrationSchema) == 0 {
					t.Errorf("Extension(com) = %+v, %v", e, err)
				}
				_, err = c.Extension(ctx, "fr")
				var ae *client.APIError
				if !errors.As(err, &ae) || ae.StatusCode != 404 {
					t.Errorf("Extension(fr) = %v, want a 404", err)
				}
			})
		})
	}
}
