package domains

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

// fakeRegistry answers checks as the sandbox registry does (taken- names
// are in use, premium- names premium at 50 times 10.00 USD) and records
// every Check.
type fakeRegistry struct {
	registrar.Registry // only Check is implemented
	name               string
	err                error

	mu    sync.Mutex
	calls [][]string
}

func (f *fakeRegistry) Check(ctx context.Context, names []string) ([]registrar.Availability, error) {
	f.mu.Lock()
	f.calls = append(f.calls, slices.Clone(names))
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := make([]registrar.Availability, 0, len(names))
	for _, n := range names {
		a := registrar.Availability{Name: strings.ToUpper(n), Available: true, Currency: "USD", CreatePrice: "10.00"}
		switch {
		case strings.HasPrefix(n, "taken-"):
			a = registrar.Availability{Name: n, Reason: "In use"}
		case strings.HasPrefix(n, "premium-"):
			a.Premium, a.CreatePrice = true, "500.00"
		}
		out = append(out, a)
	}
	return out, nil
}

// Calls returns the checks made so far and forgets them.
func (f *fakeRegistry) Calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func ext(name string, cents int64, support registrar.Support) registrar.Extension {
	return registrar.Extension{Name: name, MinYears: 1, MaxYears: 10, Currency: "USD",
		RegistrationCents: cents, RenewalCents: cents + 100, Support: support}
}

// fixture is a service over two fake registries: in the live environment
// a serves com, net and xyz, b serves org, app and dev, and c serves
// shop, which the catalog does not list; in the sandbox a serves com and
// net only. inc is dashboard-only, tk frozen.
type fixture struct {
	s       *Service
	a, b, c *fakeRegistry
	catalog *registrar.Catalog
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	f := &fixture{a: &fakeRegistry{name: "a"}, b: &fakeRegistry{name: "b"}, c: &fakeRegistry{name: "c"}}
	f.catalog = registrar.NewCatalog(
		ext("com", 1046, registrar.SupportAPI), ext("net", 1150, registrar.SupportAPI), ext("xyz", 1251, registrar.SupportAPI),
		ext("org", 1013, registrar.SupportAPI), ext("app", 1418, registrar.SupportAPI), ext("dev", 1218, registrar.SupportAPI),
		ext("inc", 2000, registrar.SupportDashboard), ext("tk", 0, registrar.SupportFrozen),
	)
	r := registrar.NewRouter()
	for _, e := range []string{"com", "net", "xyz"} {
		terms, _ := f.catalog.Lookup(e)
		r.Add(registrar.EnvLive, terms, f.a)
	}
	for _, e := range []string{"org", "app", "dev"} {
		terms, _ := f.catalog.Lookup(e)
		r.Add(registrar.EnvLive, terms, f.b)
	}
	r.Add(registrar.EnvLive, ext("shop", 2818, registrar.SupportAPI), f.c)
	for _, e := range []string{"com", "net"} {
		terms, _ := f.catalog.Lookup(e)
		r.Add(registrar.EnvSandbox, terms, f.a)
	}
	f.s = New(r, f.catalog, cfg)
	return f
}

// calls returns how many checks each registry got since the last call.
func (f *fixture) calls() [3]int {
	return [3]int{len(f.a.Calls()), len(f.b.Calls()), len(f.c.Calls())}
}

func standard(name, reg, renew string) registrar.DomainAvailability {
	return registrar.DomainAvailability{Name: name, Registrable: true, Tier: registrar.TierStandard,
		Currency: "USD", RegistrationCost: reg, RenewalCost: renew}
}

// premium is a premium name's availability: no pricing, since pricing is
// only returned for registrable names.
func premium(name string) registrar.DomainAvailability {
	return registrar.DomainAvailability{Name: name, Reason: registrar.ReasonDomainPremium, Tier: registrar.TierPremium}
}

func reason(name, r string) registrar.DomainAvailability {
	return registrar.DomainAvailability{Name: name, Reason: r}
}

func TestCheckReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  registrar.Env
		name string
		want registrar.DomainAvailability
	}{
		{registrar.EnvLive, "example.com", standard("example.com", "10.46", "11.46")},
		{registrar.EnvLive, "example.org", standard("example.org", "10.13", "11.13")},
		{registrar.EnvLive, "example.shop", standard("example.shop", "28.18", "29.18")}, // routed beyond the catalog
		{registrar.EnvLive, "taken-example.com", reason("taken-example.com", registrar.ReasonDomainUnavailable)},
		{registrar.EnvLive, "premium-example.net", premium("premium-example.net")},
		{registrar.EnvLive, "example.inc", reason("example.inc", registrar.ReasonExtensionNotSupportedViaAPI)},
		{registrar.EnvLive, "example.tk", reason("example.tk", registrar.ReasonExtensionDisallowsRegistration)},
		{registrar.EnvLive, "example.de", reason("example.de", registrar.ReasonExtensionNotSupported)},
		{registrar.EnvSandbox, "example.com", standard("example.com", "10.46", "11.46")},
		{registrar.EnvSandbox, "example.org", reason("example.org", registrar.ReasonExtensionNotSupported)}, // not routed here
		{registrar.EnvSandbox, "example.shop", reason("example.shop", registrar.ReasonExtensionNotSupported)},
		{registrar.EnvSandbox, "example.inc", reason("example.inc", registrar.ReasonExtensionNotSupportedViaAPI)},
		{registrar.EnvLive, "bücher.com", standard("xn--bcher-kva.com", "10.46", "11.46")},
		{registrar.EnvLive, "例え.みんな", reason("xn--r8jz45g.xn--q9jyb4c", registrar.ReasonExtensionNotSupported)},
	}
	f := newFixture(t, Config{})
	for _, tt := range tests {
		got, err := f.s.Check(t.Context(), tt.env, []string{tt.name})
		if err != nil {
			t.Fatalf("Check(%s, %q) = %v", tt.env, tt.name, err)
		}
		if diff := cmp.Diff([]registrar.DomainAvailability{tt.want}, got); diff != "" {
			t.Errorf("Check(%s, %q) (-want +got):\n%s", tt.env, tt.name, diff)
		}
	}
}

// TestCheckBatches checks the batching rule: one Check per registry for a
// whole batch, none for extensions that are not routed, and never the
// cache.
func TestCheckBatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	var names []string
	for i := range 5 {
		names = append(names, fmt.Sprintf("n%d.com", i), fmt.Sprintf("n%d.org", i), fmt.Sprintf("n%d.dev", i))
	}
	names = append(names, "n.net", "n.xyz", "n.inc", "n.tk", "n.de")
	for round := range 2 { // the second round asks again: no cache
		got, err := f.s.Check(t.Context(), registrar.EnvLive, names)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(names) {
			t.Fatalf("Check of %d names = %d results", len(names), len(got))
		}
		for i, g := range got {
			if g.Name != names[i] {
				t.Errorf("round %d: result %d is %s, want %s (the order of the request)", round, i, g.Name, names[i])
			}
		}
		a, b, c := f.a.Calls(), f.b.Calls(), f.c.Calls()
		if len(a) != 1 || len(b) != 1 || len(c) != 0 {
			t.Fatalf("round %d: checks per registry = %d, %d, %d; want 1, 1, 0", round, len(a), len(b), len(c))
		}
		if len(a[0]) != 7 || len(b[0]) != 10 {
			t.Errorf("round %d: registry a got %v, b got %v; want the 7 and 10 names of their extensions", round, a[0], b[0])
		}
	}
}

func TestCheckMalformedAndDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	got, err := f.s.Check(t.Context(), registrar.EnvLive, []string{
		"not a domain", "example", "com", "www.example.com", "", "EXAMPLE.com", "example.com.", "bücher.com", "xn--bcher-kva.com", "example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []registrar.DomainAvailability{standard("example.com", "10.46", "11.46"), standard("xn--bcher-kva.com", "10.46", "11.46")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if calls := f.a.Calls(); len(calls) != 1 || !slices.Equal(calls[0], []string{"example.com", "xn--bcher-kva.com"}) {
		t.Errorf("registry checks = %v, want one of [example.com xn--bcher-kva.com]", calls)
	}
	// No valid name at all: not an empty answer but an invalid check
	// (code 1008 on the wire), as the API reference has it.
	got, err = f.s.Check(t.Context(), registrar.EnvLive, []string{"not a domain", "-x.com"})
	if e := registrar.AsError(err); e == nil || e.Kind != registrar.KindInvalid || e.Rule != registrar.RuleNoValidDomain ||
		len(e.Fields) != 1 || e.Fields[0].Pointer != "/domains" || got != nil {
		t.Errorf("Check of malformed names only = %v, %v; want KindInvalid, rule %s at /domains", got, err, registrar.RuleNoValidDomain)
	}
	// Names on extensions the API does not sell are valid names: they are
	// answered with their reason, as both SDKs document.
	got, err = f.s.Check(t.Context(), registrar.EnvLive, []string{"not a domain", "example.de"})
	if err != nil || !slices.Equal(names(got), []string{"example.de"}) {
		t.Errorf("Check of a malformed name and an unsupported one = %v, %v; want example.de with its reason", names(got), err)
	}
	if n := f.calls(); n != [3]int{} {
		t.Errorf("Check of malformed names only made checks %v, want none", n)
	}
}

// TestCheckRegistryFails checks that a failing registry fails the whole
// check, with its error kind, even when the other registry answered.
func TestCheckRegistryFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	f.b.err = registrar.Errorf(registrar.KindUnavailable, "fake", "registry b unreachable")
	got, err := f.s.Check(t.Context(), registrar.EnvLive, []string{"x.com", "x.org"})
	if !registrar.IsKind(err, registrar.KindUnavailable) {
		t.Fatalf("Check = %v, %v; want KindUnavailable", got, err)
	}
	if n := f.calls(); n != [3]int{1, 1, 0} {
		t.Errorf("checks = %v, want one each of a and b", n)
	}
	// A registry that leaves a name out is a bug, not an answer.
	f.a.err = nil
	short := &shortRegistry{}
	r := registrar.NewRouter()
	r.Add(registrar.EnvLive, ext("com", 1000, registrar.SupportAPI), short)
	s := New(r, f.catalog, Config{})
	if _, err := s.Check(t.Context(), registrar.EnvLive, []string{"x.com", "y.com"}); !registrar.IsKind(err, registrar.KindInternal) {
		t.Errorf("Check with a registry that answers one name of two = %v, want KindInternal", err)
	}
}

type shortRegistry struct{ registrar.Registry }

func (shortRegistry) Check(_ context.Context, names []string) ([]registrar.Availability, error) {
	return []registrar.Availability{{Name: names[0], Available: true}}, nil
}

// TestSearchCache checks that a search asks each registry once for the
// names it lacks, that a repeated search asks none, that Check fills the
// cache, and that entries expire after the TTL.
func TestSearchCache(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{CacheTTL: 10 * time.Minute})
		ctx := t.Context()
		got, err := f.s.Search(ctx, registrar.EnvLive, "coffee shop", nil, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 20 {
			t.Fatalf("Search = %d results, want 20", len(got))
		}
		if n := f.calls(); n != [3]int{1, 1, 0} {
			t.Errorf("first search: checks = %v, want one each of a and b", n)
		}
		again, err := f.s.Search(ctx, registrar.EnvLive, "coffee shop", nil, 20)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("repeated search differs (-first +again):\n%s", diff)
		}
		if n := f.calls(); n != [3]int{} {
			t.Errorf("repeated search: checks = %v, want none (cached)", n)
		}
		// A larger search asks only for the names it adds, in one batch.
		if _, err := f.s.Search(ctx, registrar.EnvLive, "coffee shop", nil, 25); err != nil {
			t.Fatal(err)
		}
		if calls := slices.Concat(f.a.Calls(), f.b.Calls()); len(calls) > 2 || len(slices.Concat(calls...)) != 5 {
			t.Errorf("search for 5 more: checks %v, want at most one per registry for 5 names", calls)
		}
		// Check asks every time, and its answers serve searches.
		if _, err := f.s.Check(ctx, registrar.EnvLive, []string{"newname.com", "coffeeshop.com"}); err != nil {
			t.Fatal(err)
		}
		if n := f.calls(); n != [3]int{1, 0, 0} {
			t.Errorf("check: checks = %v, want one of a", n)
		}
		if _, err := f.s.Search(ctx, registrar.EnvLive, "newname", []string{"com"}, 1); err != nil {
			t.Fatal(err)
		}
		if n := f.calls(); n != [3]int{} {
			t.Errorf("search of a name just checked: checks = %v, want none", n)
		}
		// Environments have their own entries.
		if _, err := f.s.Search(ctx, registrar.EnvSandbox, "coffee shop", nil, 2); err != nil {
			t.Fatal(err)
		}
		if n := f.calls(); n != [3]int{1, 0, 0} {
			t.Errorf("sandbox search: checks = %v, want one of a", n)
		}
		time.Sleep(10*time.Minute - time.Second)
		if _, err := f.s.Search(ctx, registrar.EnvLive, "coffee shop", nil, 20); err != nil {
			t.Fatal(err)
		}
		if n := f.calls(); n != [3]int{} {
			t.Errorf("search before the TTL: checks = %v, want none", n)
		}
		time.Sleep(time.Second)
		if _, err := f.s.Search(ctx, registrar.EnvLive, "coffee shop", nil, 20); err != nil {
			t.Fatal(err)
		}
		if n := f.calls(); n != [3]int{1, 1, 0} {
			t.Errorf("search after the TTL: checks = %v, want one each of a and b", n)
		}
	})
}

func TestSearchRegistryFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	f.a.err = registrar.Errorf(registrar.KindUnavailable, "fake", "registry a unreachable")
	if got, err := f.s.Search(t.Context(), registrar.EnvLive, "coffee", nil, 10); !registrar.IsKind(err, registrar.KindUnavailable) {
		t.Errorf("Search = %v, %v; want KindUnavailable", got, err)
	}
}

func TestKnownPremium(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, Config{CacheTTL: time.Minute})
		ctx := t.Context()
		if f.s.KnownPremium(registrar.EnvLive, "premium-a.com") {
			t.Error("KnownPremium before any check = true")
		}
		if _, err := f.s.Check(ctx, registrar.EnvLive, []string{"premium-a.com", "plain-a.com", "taken-a.com"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Search(ctx, registrar.EnvLive, "premium-b", []string{"org"}, 1); err != nil {
			t.Fatal(err)
		}
		f.calls()
		for _, tt := range []struct {
			env  registrar.Env
			name string
			want bool
		}{
			{registrar.EnvLive, "premium-a.com", true},
			{registrar.EnvLive, "PREMIUM-A.COM", true},
			{registrar.EnvLive, "premium-b.org", true},
			{registrar.EnvLive, "plain-a.com", false},
			{registrar.EnvLive, "taken-a.com", false},
			{registrar.EnvLive, "premium-c.com", false}, // never asked
			{registrar.EnvSandbox, "premium-a.com", false},
		} {
			if got := f.s.KnownPremium(tt.env, tt.name); got != tt.want {
				t.Errorf("KnownPremium(%s, %s) = %v, want %v", tt.env, tt.name, got, tt.want)
			}
		}
		if n := f.calls(); n != [3]int{} {
			t.Errorf("KnownPremium made checks %v, want none", n)
		}
		time.Sleep(time.Minute)
		if f.s.KnownPremium(registrar.EnvLive, "premium-a.com") {
			t.Error("KnownPremium after the TTL = true, want false")
		}
	})
}
