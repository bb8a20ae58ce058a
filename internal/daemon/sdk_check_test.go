package daemon_test

// Domain check and domain search through the official Cloudflare SDK
// (Registrar.Check and .Search, RegistrarSandbox.Check and .Search)
// against the real server and its sandbox registry over EPP.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	cfreg "github.com/cloudflare/cloudflare-go/v7/registrar"
	cfsbx "github.com/cloudflare/cloudflare-go/v7/registrar_sandbox"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestSDKCheck checks one name of every outcome through Check, in one
// batch: every reason, standard pricing equal to the catalog's, premium
// pricing from the registry's fee extension, IDNs back in punycode,
// malformed names left out and duplicates answered once.
func TestSDKCheck(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		c := sdkClient(s)
		catalog := registrar.DefaultCatalog()
		std := func(name, ext string) sdkAvail {
			e, ok := catalog.Lookup(ext)
			if !ok || e.Support != registrar.SupportAPI {
				t.Fatalf("the default catalog does not offer .%s through the API", ext)
			}
			return sdkAvail{Name: name, Registrable: true, Tier: "standard",
				Pricing: sdkPricing{e.Currency, registrar.FormatCents(e.RegistrationCents), registrar.FormatCents(e.RenewalCents)}}
		}
		premium := func(name string) sdkAvail {
			if p, ok := s.d.Sandbox().Price(name, "create", 1); !ok || p.Class != "premium" {
				t.Fatalf("the sandbox has no premium price for %s: %+v", name, p)
			}
			// No pricing: it is only returned for registrable names.
			return sdkAvail{Name: name, Reason: registrar.ReasonDomainPremium, Tier: "premium"}
		}
		not := func(name, reason string) sdkAvail { return sdkAvail{Name: name, Reason: reason} }
		for _, e := range []struct{ ext, support string }{{"io", "dashboard"}, {"tk", "frozen"}} {
			if got, ok := catalog.Lookup(e.ext); !ok || got.Support.String() != e.support {
				t.Fatalf("the default catalog has .%s as %v (%v), want %s", e.ext, got.Support, ok, e.support)
			}
		}
		if _, ok := catalog.Lookup("fr"); ok {
			t.Fatal("the default catalog has .fr, want it unknown")
		}
		for _, api := range sdkAvailAPIs {
			t.Run(api.env, func(t *testing.T) {
				t.Parallel()
				in := []string{
					"sdk-check.com", "SDK-Check.org", "sdk-check.dev.", "bücher-sdk.com",
					"taken-sdk-check.com", "premium-sdk-check.net",
					"sdk-check.io", "sdk-check.tk", "sdk-check.fr", "例え.みんな",
					"not a domain", "sdk-check", "com", "www.sdk-check.com", "-sdk.com", "a..com",
					"sdk-check.com", "xn--bcher-sdk-q9a.com",
				}
				want := []sdkAvail{
					std("sdk-check.com", "com"), std("sdk-check.org", "org"), std("sdk-check.dev", "dev"),
					std(mustParse(t, "bücher-sdk.com"), "com"),
					not("taken-sdk-check.com", registrar.ReasonDomainUnavailable), premium("premium-sdk-check.net"),
					not("sdk-check.io", registrar.ReasonExtensionNotSupportedViaAPI),
					not("sdk-check.tk", registrar.ReasonExtensionDisallowsRegistration),
					not("sdk-check.fr", registrar.ReasonExtensionNotSupported),
					not("xn--r8jz45g.xn--q9jyb4c", registrar.ReasonExtensionNotSupported),
				}
				if api.env == "registrar-sandbox" {
					// The sandbox registers com and net only; an extension it
					// does not route is not supported there.
					want[1] = not("sdk-check.org", registrar.ReasonExtensionNotSupported)
					want[2] = not("sdk-check.dev", registrar.ReasonExtensionNotSupported)
				}
				if want[3].Name != "xn--bcher-sdk-q9a.com" {
					t.Fatalf("bücher-sdk.com is %s in punycode; fix the test's input", want[3].Name)
				}
				got, err := api.check(t.Context(), c, s.account, in)
				if err != nil {
					t.Fatalf("Check(%q) = %v", in, err)
				}
				for i, g := range got {
					sdkCheckAvail(t, fmt.Sprintf("Check: domains[%d]", i), g)
				}
				if diff := sdkAvailDiff(want, got); diff != "" {
					t.Errorf("Check(%q) (-want +got):\n%s", in, diff)
				}
			})
		}
	})
}

// TestSDKCheckBatch checks that a check of 20 names served by one
// registry reaches it as exactly one EPP check naming all of them, and
// that checks are not cached.
func TestSDKCheckBatch(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	c := sdkClient(s)
	for _, api := range sdkAvailAPIs {
		var names []string
		for i := range 20 {
			exts := []string{"com", "net", "org", "app"}
			if api.env == "registrar-sandbox" {
				exts = []string{"com", "net"} // the sandbox's
			}
			names = append(names, fmt.Sprintf("sdk-batch-%s-%d.%s", api.env, i, exts[i%len(exts)]))
		}
		for round := range 2 {
			before := s.checkCommands(t, api.env)
			got, err := api.check(t.Context(), c, s.account, names)
			if err != nil {
				t.Fatalf("%s: Check of 20 names = %v", api.env, err)
			}
			if len(got) != 20 {
				t.Fatalf("%s: Check of 20 names = %d results", api.env, len(got))
			}
			var ours [][]string
			for _, e := range s.checkCommands(t, api.env)[len(before):] {
				if checked := strings.Split(e, ","); slices.Contains(checked, names[0]) {
					ours = append(ours, checked)
				}
			}
			if len(ours) != 1 || !slices.Equal(ours[0], names) {
				t.Errorf("%s round %d: the registry got checks %q, want exactly one of the 20 names", api.env, round, ours)
			}
		}
	}
}

// checkCommands returns the names of every check command the built-in
// registry behind env has received, one comma-separated string per
// command.
func (s *server) checkCommands(t *testing.T, env string) []string {
	t.Helper()
	log, err := s.builtin(env).Log(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range log {
		if e.Command == "check" {
			out = append(out, e.Domain)
		}
	}
	return out
}

// TestSDKCheckErrors checks the batch limits and strict decoding: errors
// the SDK does not retry, with the offending field's pointer.
func TestSDKCheckErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	var many []string
	for i := range 21 {
		many = append(many, fmt.Sprintf("sdk-many-%d.com", i))
	}
	tests := []struct {
		name    string
		domains []string
		opts    []option.RequestOption
		code    int64
		pointer string
	}{
		{"no names", []string{}, nil, httpapi.CodeNoDomains, "/domains"},
		{"21 names", many, nil, httpapi.CodeTooManyDomains, "/domains"},
		{"domains missing", nil, nil, httpapi.CodeNoDomains, "/domains"},
		{"no valid name", []string{"not a domain", "example", "-x.com"}, nil, httpapi.CodeNoValidDomain, "/domains"},
		{"no valid name, 20 of them", slices.Repeat([]string{"nope"}, 20), nil, httpapi.CodeNoValidDomain, "/domains"},
		{"a number among the names", []string{"a.com"}, []option.RequestOption{option.WithJSONSet("domains.1", 7)}, httpapi.CodeValidation, "/domains/1"},
		{"an unknown field", []string{"a.com"}, []option.RequestOption{option.WithJSONSet("colour", "blue")}, httpapi.CodeValidation, "/colour"},
	}
	before := len(s.checkCommands(t, "registrar")) + len(s.checkCommands(t, "registrar-sandbox"))
	for _, api := range sdkAvailAPIs {
		for _, tt := range tests {
			t.Run(api.env+"/"+tt.name, func(t *testing.T) {
				counter := &sdkCountingTransport{}
				c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
				_, err := api.check(t.Context(), c, s.account, tt.domains, tt.opts...)
				sdkWantError(t, "Check", err, http.StatusBadRequest, tt.code, tt.pointer)
				if n := counter.n.Load(); n != 1 {
					t.Errorf("Check sent %d requests, want 1 (no retries)", n)
				}
			})
		}
	}
	if after := len(s.checkCommands(t, "registrar")) + len(s.checkCommands(t, "registrar-sandbox")); after != before {
		t.Errorf("rejected checks reached the registry %d times, want never", after-before)
	}
}

// TestSDKCheckUnavailable checks that a check that cannot reach the
// registry answers 503, which the SDK may retry, and no partial result.
func TestSDKCheckUnavailable(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.SandboxDelay = 5 * time.Second })
	c := sdkClient(s, option.WithMaxRetries(0))
	for _, api := range sdkAvailAPIs {
		// An outage- name makes the sandbox registry unreachable for the
		// commands naming it, for the sandbox delay.
		_, err := api.check(t.Context(), c, s.account, []string{"sdk-up.com", "outage-sdk-" + api.env + ".com"})
		sdkWantError(t, "Check", err, http.StatusServiceUnavailable, httpapi.CodeUnavailable, "")
		var ae *cloudflare.Error
		if errors.As(err, &ae) {
			if h := ae.Response.Header.Get("x-should-retry"); h == "false" {
				t.Errorf("%s: 503 with x-should-retry: false, want it retryable", api.env)
			}
			if raw := ae.JSON.RawJSON(); !strings.Contains(raw, `"result":null`) {
				t.Errorf("%s: 503 body %s, want result null", api.env, raw)
			}
		}
	}
}

// TestSDKSearch checks suggestions, their ranking, filters and fields,
// the cache, and the errors of Search.
func TestSDKSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		c := sdkClient(s)
		for _, api := range sdkAvailAPIs {
			t.Run(api.env, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				search := func(q string, exts []string, limit int64) []sdkAvail {
					t.Helper()
					got, err := api.search(ctx, c, s.account, q, exts, limit)
					if err != nil {
						t.Fatalf("Search(%q, %q, %d) = %v", q, exts, limit, err)
					}
					for i, g := range got {
						sdkCheckAvail(t, fmt.Sprintf("Search(%q): domains[%d]", q, i), g)
						n, err := domainname.Parse(g.Name)
						if err != nil || n.ASCII != g.Name {
							t.Errorf("Search(%q): %s is not a domain name in punycode: %v", q, g.Name, err)
						} else if e, ok := registrar.DefaultCatalog().Lookup(n.Extension); !ok || e.Support != registrar.SupportAPI {
							t.Errorf("Search(%q): %s is on an extension not offered through the API", q, g.Name)
						}
					}
					return got
				}
				prefix := "sdk-" + api.env
				// The sandbox offers com and net only: five labels on two
				// extensions.
				sbx := api.env == "registrar-sandbox"
				got := search(prefix+" coffee shop", nil, 0)
				if wantN := map[bool]int{false: 20, true: 10}[sbx]; len(got) != wantN {
					t.Errorf("Search(coffee shop) = %d results, want %d", len(got), wantN)
				}
				joined := prefix + "coffeeshop"
				wantFirst := []string{joined + ".com", joined + ".net", joined + ".org", joined + ".app", "my" + joined + ".com"}
				if sbx {
					wantFirst = []string{joined + ".com", joined + ".net", "my" + joined + ".com", "my" + joined + ".net", "get" + joined + ".com"}
				}
				if names := sdkAvailNames(got); len(names) < 5 || !slices.Equal(names[:5], wantFirst) {
					t.Errorf("Search(coffee shop) = %q, want it to start with %q", names, wantFirst)
				}
				if got[0].Pricing != (sdkPricing{"USD", "10.46", "10.46"}) || !got[0].Registrable {
					t.Errorf("Search(coffee shop) first = %+v, want registrable at the catalog's .com price", got[0])
				}

				// Repeated: from the cache, no registry check.
				before := len(s.checkCommands(t, api.env))
				again := search(prefix+" coffee shop", nil, 0)
				if diff := sdkAvailDiff(got, again); diff != "" {
					t.Errorf("repeated Search differs (-first +again):\n%s", diff)
				}
				if n := s.checksNaming(t, api.env, before, joined+".com"); n != 0 {
					t.Errorf("repeated Search made %d registry checks, want none", n)
				}

				got = search(prefix+"-example.app", nil, 4)
				want := []string{prefix + "-example.app", prefix + "-example.com", prefix + "-example.net", prefix + "-example.org"}
				if sbx {
					want = []string{prefix + "-example.com", prefix + "-example.net", "my" + prefix + "-example.com", "my" + prefix + "-example.net"}
				}
				if diff := slices.Compare(sdkAvailNames(got), want); diff != 0 {
					t.Errorf("Search(example.app) = %q, want %q", sdkAvailNames(got), want)
				}
				got = search("premium-"+prefix, []string{"net", "app", "io"}, 3)
				wantPremium := []string{"premium-" + prefix + ".net", "premium-" + prefix + ".app", "mypremium-" + prefix + ".net"}
				if sbx {
					wantPremium = []string{"premium-" + prefix + ".net", "mypremium-" + prefix + ".net", "getpremium-" + prefix + ".net"}
				}
				if names := sdkAvailNames(got); !slices.Equal(names, wantPremium) {
					t.Errorf("Search(premium-…, net and app) = %q", names)
				}
				if len(got) > 0 {
					// Pricing only when registrable: a premium name has none.
					if w := (sdkAvail{Name: got[0].Name, Reason: registrar.ReasonDomainPremium, Tier: "premium"}); sdkAvailDiff([]sdkAvail{w}, got[:1]) != "" {
						t.Errorf("Search(premium-…) first = %+v, want %+v", got[0], w)
					}
				}
				// Extensions not offered through the API, and values that
				// are not extensions, are ignored silently.
				got = search(prefix+"-ignored", []string{"com", "io", "notatld", "example.com"}, 2)
				if names := sdkAvailNames(got); !slices.Equal(names, []string{prefix + "-ignored.com", "my" + prefix + "-ignored.com"}) {
					t.Errorf("Search(…, com io notatld example.com) = %q, want only .com names", names)
				}
				got = search(prefix+"-only-ignored", []string{"io"}, 1)
				if names := sdkAvailNames(got); !slices.Equal(names, []string{prefix + "-only-ignored.com"}) {
					t.Errorf("Search(…, io) = %q, want as without extensions", names)
				}
				got = search("taken-"+prefix+".com", []string{"com"}, 1)
				if len(got) != 1 || got[0].Reason != registrar.ReasonDomainUnavailable || got[0].Registrable {
					t.Errorf("Search(taken-….com) = %+v, want it unavailable", got)
				}
				got = search("bücher "+prefix, nil, 1)
				if n := mustParse(t, "bücher"+prefix+".com"); len(got) != 1 || got[0].Name != n {
					t.Errorf("Search(bücher …) = %q, want %s", sdkAvailNames(got), n)
				}
				got = search("例え"+prefix+".みんな", nil, 1)
				if n := mustParse(t, "例え"+prefix+".com"); len(got) != 1 || got[0].Name != n {
					t.Errorf("Search(例え….みんな) = %q, want %s", sdkAvailNames(got), n)
				}
			})
		}
	})
}

// checksNaming counts the registry's check commands after the first skip
// that name name.
func (s *server) checksNaming(t *testing.T, env string, skip int, name string) int {
	t.Helper()
	n := 0
	for _, e := range s.checkCommands(t, env)[skip:] {
		if slices.Contains(strings.Split(e, ","), name) {
			n++
		}
	}
	return n
}

// TestSDKSearchErrors checks the 400s of Search, with the API reference's
// codes for q, and that a successful search has no messages.
func TestSDKSearchErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	tests := []struct {
		name  string
		q     string
		exts  []string
		limit int64
		code  int64
		in    string // the message names this
	}{
		{"empty q", "", nil, 0, httpapi.CodeQueryMissing, "q"},
		{"blank q", "  ", nil, 0, httpapi.CodeQueryMissing, "q"},
		{"q of 101 characters", strings.Repeat("ab ", 33) + "ab", nil, 0, httpapi.CodeQueryTooLong, "q"},
		{"q of 101 non-ASCII characters", strings.Repeat("üb ", 33) + "üb", nil, 0, httpapi.CodeQueryTooLong, "q"},
		{"bare extension com", "com", nil, 0, httpapi.CodeValidation, "q"},
		{"bare extension .com", ".com", nil, 0, httpapi.CodeValidation, "q"},
		{"bare extension co.uk", "co.uk", nil, 0, httpapi.CodeValidation, "q"},
		{"bare extension .app", ".app", nil, 0, httpapi.CodeValidation, "q"},
		{"limit too large", "coffee", nil, 51, httpapi.CodeValidation, "limit"},
		{"limit negative", "coffee", nil, -1, httpapi.CodeValidation, "limit"},
	}
	for _, api := range sdkAvailAPIs {
		for _, tt := range tests {
			t.Run(api.env+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				counter := &sdkCountingTransport{}
				c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
				_, err := api.search(t.Context(), c, s.account, tt.q, tt.exts, tt.limit)
				ae := sdkWantError(t, "Search", err, http.StatusBadRequest, tt.code, "")
				if ae != nil && len(ae.Errors) > 0 && !strings.HasPrefix(ae.Errors[0].Message, tt.in+" ") && !strings.HasPrefix(ae.Errors[0].Message, tt.in+":") {
					t.Errorf("Search: message %q, want it to name %s", ae.Errors[0].Message, tt.in)
				}
				if n := counter.n.Load(); n != 1 {
					t.Errorf("Search sent %d requests, want 1 (no retries)", n)
				}
			})
		}
		t.Run(api.env+"/at the limits", func(t *testing.T) {
			t.Parallel()
			c := sdkClient(s)
			got, err := api.search(t.Context(), c, s.account, strings.Repeat("üb ", 33)+"ü", nil, 50)
			if err != nil || len(got) == 0 || len(got) > 50 {
				t.Errorf("Search(100 characters, limit 50) = %d results, %v; want results", len(got), err)
			}
		})
		t.Run(api.env+"/no messages", func(t *testing.T) {
			t.Parallel()
			for i, r := range []*response{
				s.do("GET", s.base(api.env)+"/domain-search?q=coffee&limit=2", s.token, nil),
				s.do("POST", s.base(api.env)+"/domain-check", s.token, map[string]any{"domains": []string{"coffee.com"}}),
			} {
				if r.Status != http.StatusOK || r.Env.Messages == nil || len(r.Env.Messages) != 0 {
					t.Errorf("%s = %d %s, want 200 with messages []", []string{"domain-search", "domain-check"}[i], r.Status, r.Body)
				}
			}
		})
	}
}

// sdkWantError checks that err is the SDK's error with the given status,
// first error code and (unless "") source pointer, and returns it.
func sdkWantError(t *testing.T, what string, err error, status int, code int64, pointer string) *cloudflare.Error {
	t.Helper()
	var ae *cloudflare.Error
	if !errors.As(err, &ae) {
		t.Fatalf("%s = %v (%T), want a *cloudflare.Error", what, err, err)
	}
	if ae.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %s", what, ae.StatusCode, status, ae.JSON.RawJSON())
	}
	if retry := ae.Response.Header.Get("x-should-retry"); status < 500 && retry != "false" {
		t.Errorf("%s: x-should-retry = %q, want false", what, retry)
	}
	sdkCheckFields(t, what+" error body", ae)
	if len(ae.Errors) == 0 {
		t.Fatalf("%s: no errors in %s", what, ae.JSON.RawJSON())
	}
	if e := ae.Errors[0]; e.Code != code || e.Message == "" || (pointer != "" && e.Source.Pointer != pointer) {
		t.Errorf("%s: errors[0] = {code %d, message %q, pointer %q}, want code %d, a message, pointer %q", what, e.Code, e.Message, e.Source.Pointer, code, pointer)
	}
	return ae
}

func mustParse(t *testing.T, name string) string {
	t.Helper()
	n, err := domainname.Parse(name)
	if err != nil {
		t.Fatal(err)
	}
	return n.ASCII
}

// sdkAvail is a check or search result as either SDK service decoded it,
// with the SDK's decoding metadata of its fields.
type sdkAvail struct {
	Name        string
	Registrable bool
	Reason      string
	Tier        string
	Pricing     sdkPricing // zero when absent

	fields       map[string]sdkField // name, registrable, reason, tier, pricing
	reasonKnown  bool
	tierKnown    bool
	pricingValue any // the SDK's pricing object
}

type sdkPricing struct{ Currency, RegistrationCost, RenewalCost string }

// sdkAvailDiff compares results by their values.
func sdkAvailDiff(want, got []sdkAvail) string {
	var b strings.Builder
	for i := range max(len(want), len(got)) {
		var w, g sdkAvail
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		wv := fmt.Sprintf("%s registrable=%v reason=%q tier=%q pricing=%v", w.Name, w.Registrable, w.Reason, w.Tier, w.Pricing)
		gv := fmt.Sprintf("%s registrable=%v reason=%q tier=%q pricing=%v", g.Name, g.Registrable, g.Reason, g.Tier, g.Pricing)
		if wv != gv {
			fmt.Fprintf(&b, "[%d]\n- %s\n+ %s\n", i, wv, gv)
		}
	}
	return b.String()
}

func sdkAvailNames(as []sdkAvail) []string {
	var names []string
	for _, a := range as {
		names = append(names, a.Name)
	}
	return names
}

// sdkCheckAvail checks a result's fields as the SDK documents them: name
// and registrable always; reason exactly when not registrable; tier when
// registrable and for premium names; pricing (every member present and
// typed) exactly when registrable, as the API reference says ("pricing is
// only returned for domains where registrable: true").
func sdkCheckAvail(t *testing.T, what string, a sdkAvail) {
	t.Helper()
	premium := a.Reason == registrar.ReasonDomainPremium
	for _, f := range []struct {
		name string
		want bool
	}{
		{"name", true}, {"registrable", true},
		{"reason", !a.Registrable}, {"tier", a.Registrable || premium}, {"pricing", a.Registrable},
	} {
		field := a.fields[f.name]
		switch {
		case f.want && (field.IsMissing() || field.IsNull() || field.IsInvalid()):
			t.Errorf("%s (%s): %s = %q, want present and well typed", what, a.Name, f.name, field.Raw())
		case !f.want && !field.IsMissing():
			t.Errorf("%s (%s): %s = %s, want it absent", what, a.Name, f.name, field.Raw())
		}
	}
	if !a.Registrable && !a.reasonKnown {
		t.Errorf("%s (%s): reason %q is not one the SDK knows", what, a.Name, a.Reason)
	}
	if (a.Registrable || premium) && !a.tierKnown {
		t.Errorf("%s (%s): tier %q is not one the SDK knows", what, a.Name, a.Tier)
	}
	if a.Registrable {
		sdkCheckFields(t, what+".pricing", a.pricingValue)
	}
}

// sdkAvails converts the domains of a check or search result, of either
// SDK service, after checking that the result has them.
func sdkAvails[T any](meta sdkField, raw string, domains []T) ([]sdkAvail, error) {
	if meta.IsMissing() || meta.IsNull() || meta.IsInvalid() {
		return nil, fmt.Errorf("result without domains: %s", raw)
	}
	out := make([]sdkAvail, len(domains))
	for i := range domains {
		v := reflect.ValueOf(&domains[i]).Elem()
		json, pricing := v.FieldByName("JSON"), v.FieldByName("Pricing")
		fields := map[string]sdkField{}
		for _, f := range []string{"Name", "Registrable", "Reason", "Tier", "Pricing"} {
			fields[strings.ToLower(f)] = json.FieldByName(f).Interface().(sdkField)
		}
		known := func(f string) bool { return v.FieldByName(f).Interface().(interface{ IsKnown() bool }).IsKnown() }
		out[i] = sdkAvail{
			Name: v.FieldByName("Name").String(), Registrable: v.FieldByName("Registrable").Bool(),
			Reason: v.FieldByName("Reason").String(), Tier: v.FieldByName("Tier").String(),
			Pricing: sdkPricing{pricing.FieldByName("Currency").String(), pricing.FieldByName("RegistrationCost").String(),
				pricing.FieldByName("RenewalCost").String()},
			fields: fields, reasonKnown: known("Reason"), tierKnown: known("Tier"), pricingValue: pricing.Addr().Interface(),
		}
	}
	return out, nil
}

// sdkAvailAPI is Check and Search of one of the SDK's two services.
type sdkAvailAPI struct {
	env    string
	check  func(ctx context.Context, c *cloudflare.Client, account string, names []string, opts ...option.RequestOption) ([]sdkAvail, error)
	search func(ctx context.Context, c *cloudflare.Client, account, q string, exts []string, limit int64, opts ...option.RequestOption) ([]sdkAvail, error)
}

var sdkAvailAPIs = []sdkAvailAPI{
	{
		env: "registrar",
		check: func(ctx context.Context, c *cloudflare.Client, account string, names []string, opts ...option.RequestOption) ([]sdkAvail, error) {
			params := cfreg.RegistrarCheckParams{AccountID: cloudflare.F(account)}
			if names != nil {
				params.Domains = cloudflare.F(names)
			}
			res, err := c.Registrar.Check(ctx, params, opts...)
			if err != nil {
				return nil, err
			}
			return sdkAvails(res.JSON.Domains, res.JSON.RawJSON(), res.Domains)
		},
		search: func(ctx context.Context, c *cloudflare.Client, account, q string, exts []string, limit int64, opts ...option.RequestOption) ([]sdkAvail, error) {
			params := cfreg.RegistrarSearchParams{AccountID: cloudflare.F(account), Q: cloudflare.F(q)}
			if exts != nil {
				params.Extensions = cloudflare.F(exts)
			}
			if limit != 0 {
				params.Limit = cloudflare.F(limit)
			}
			res, err := c.Registrar.Search(ctx, params, opts...)
			if err != nil {
				return nil, err
			}
			return sdkAvails(res.JSON.Domains, res.JSON.RawJSON(), res.Domains)
		},
	},
	{
		env: "registrar-sandbox",
		check: func(ctx context.Context, c *cloudflare.Client, account string, names []string, opts ...option.RequestOption) ([]sdkAvail, error) {
			params := cfsbx.RegistrarSandboxCheckParams{AccountID: cloudflare.F(account)}
			if names != nil {
				params.Domains = cloudflare.F(names)
			}
			res, err := c.RegistrarSandbox.Check(ctx, params, opts...)
			if err != nil {
				return nil, err
			}
			return sdkAvails(res.JSON.Domains, res.JSON.RawJSON(), res.Domains)
		},
		search: func(ctx context.Context, c *cloudflare.Client, account, q string, exts []string, limit int64, opts ...option.RequestOption) ([]sdkAvail, error) {
			params := cfsbx.RegistrarSandboxSearchParams{AccountID: cloudflare.F(account), Q: cloudflare.F(q)}
			if exts != nil {
				params.Extensions = cloudflare.F(exts)
			}
			if limit != 0 {
				params.Limit = cloudflare.F(limit)
			}
			res, err := c.RegistrarSandbox.Search(ctx, params, opts...)
			if err != nil {
				return nil, err
			}
			return sdkAvails(res.JSON.Domains, res.JSON.RawJSON(), res.Domains)
		},
	},
}
