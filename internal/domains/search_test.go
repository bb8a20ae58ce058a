package domains

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
)

func names(as []registrar.DomainAvailability) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

// TestSearchRanking checks the ranking: the exact label first on the
// popular extensions (the typed one first), variants mixed in three
// places down per variant. The fixture's live extensions by popularity:
// com, net, org, app, dev, xyz.
func TestSearchRanking(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q     string
		exts  []string
		limit int
		want  []string
	}{
		{"coffee shop", nil, 10, []string{
			"coffeeshop.com", "coffeeshop.net", "coffeeshop.org", "coffeeshop.app", "mycoffeeshop.com",
			"coffeeshop.dev", "mycoffeeshop.net", "coffeeshop.xyz", "mycoffeeshop.org", "mycoffeeshop.app",
		}},
		{"Coffee  Shop!", nil, 20, []string{
			"coffeeshop.com", "coffeeshop.net", "coffeeshop.org", "coffeeshop.app", "mycoffeeshop.com",
			"coffeeshop.dev", "mycoffeeshop.net", "coffeeshop.xyz", "mycoffeeshop.org", "mycoffeeshop.app", "getcoffeeshop.com",
			"mycoffeeshop.dev", "getcoffeeshop.net", "mycoffeeshop.xyz", "getcoffeeshop.org", "getcoffeeshop.app", "coffee-shop.com",
			"getcoffeeshop.dev", "coffee-shop.net", "getcoffeeshop.xyz",
		}},
		{"-Coffee-Shop-", nil, 3, []string{"coffee-shop.com", "coffee-shop.net", "coffee-shop.org"}}, // one word: as typed
		{"example.com", nil, 5, []string{"example.com", "example.net", "example.org", "example.app", "myexample.com"}},
		{"example.app", nil, 5, []string{"example.app", "example.com", "example.net", "example.org", "myexample.app"}},
		{"www.Example.DEV.", nil, 3, []string{"example.dev", "example.com", "example.net"}},
		{"example.io", nil, 3, []string{"example.com", "example.net", "example.org"}}, // io is not offered
		{"coffee", []string{"xyz", ".APP", "io"}, 4, []string{"coffee.app", "coffee.xyz", "mycoffee.app", "mycoffee.xyz"}},
		{"coffee", []string{"app,xyz"}, 2, []string{"coffee.app", "coffee.xyz"}},
		{"example.com", []string{"net"}, 2, []string{"example.net", "myexample.net"}},
		{"shop", []string{"io"}, 3, []string{"shop.com", "shop.net", "shop.org"}},                        // io is not offered: ignored, as if not given
		{"coffee", []string{"notatld", "com", "example.com"}, 2, []string{"coffee.com", "mycoffee.com"}}, // not extensions: ignored
		{"bücher", nil, 2, []string{"xn--bcher-kva.com", "xn--bcher-kva.net"}},
		{"bücher.app", nil, 2, []string{"xn--bcher-kva.app", "xn--bcher-kva.com"}},
		{"xn--bcher-kva.com", nil, 2, []string{"xn--bcher-kva.com", "xn--bcher-kva.net"}},
		{"例え.みんな", nil, 2, []string{"xn--r8jz45g.com", "xn--r8jz45g.net"}},
		{"a", []string{"com"}, 10, []string{"a.com", "mya.com", "geta.com", "thea.com"}}, // one word: no hyphenated variant
		{"coffee", nil, MaxSearchLimit, nil},                                             // checked below: all 24 (4 labels, 6 extensions)
	}
	f := newFixture(t, Config{})
	for _, tt := range tests {
		got, err := f.s.Search(t.Context(), registrar.EnvLive, tt.q, tt.exts, tt.limit)
		if err != nil {
			t.Errorf("Search(%q, %q, %d) = %v", tt.q, tt.exts, tt.limit, err)
			continue
		}
		if tt.limit == MaxSearchLimit {
			if len(got) != 24 {
				t.Errorf("Search(%q, limit %d) = %d results, want 24", tt.q, MaxSearchLimit, len(got))
			}
			continue
		}
		if diff := cmp.Diff(tt.want, names(got)); diff != "" {
			t.Errorf("Search(%q, %q, %d) (-want +got):\n%s", tt.q, tt.exts, tt.limit, diff)
		}
	}
}

// TestSearchResults checks that results carry availability as Check does.
func TestSearchResults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Config{})
	got, err := f.s.Search(t.Context(), registrar.EnvLive, "premium-x", []string{"com", "org"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]registrar.DomainAvailability{premium("premium-x.com"), premium("premium-x.org")}, got); diff != "" {
		t.Errorf("Search(premium-x) (-want +got):\n%s", diff)
	}
	got, err = f.s.Search(t.Context(), registrar.EnvLive, "taken-x.org", nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []registrar.DomainAvailability{reason("taken-x.org", registrar.ReasonDomainUnavailable), reason("taken-x.com", registrar.ReasonDomainUnavailable)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Search(taken-x.org) (-want +got):\n%s", diff)
	}
	got, err = f.s.Search(t.Context(), registrar.EnvSandbox, "plain", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != standard("plain.com", "10.46", "11.46") {
		t.Errorf("Search(plain) first = %+v, want plain.com standard", got[0])
	}
	for _, g := range got {
		if ext := g.Name[len(g.Name)-4:]; ext != ".com" && ext != ".net" {
			t.Errorf("sandbox search gave %s, want only the sandbox's com and net", g.Name)
		}
	}
}

func TestSearchInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q       string
		exts    []string
		limit   int
		pointer string
		rule    registrar.Rule // the rule with a code of its own, if any
	}{
		{"", nil, 20, "?q", registrar.RuleQueryMissing},
		{"   ", nil, 20, "?q", registrar.RuleQueryMissing},
		{"com", nil, 20, "?q", ""},
		{".com", nil, 20, "?q", ""},
		{"COM.", nil, 20, "?q", ""},
		{".app", nil, 20, "?q", ""},
		{"co.uk", nil, 20, "?q", ""},
		{".coffee", nil, 20, "?q", ""},
		{"inc", nil, 20, "?q", ""}, // in the catalog, even though dashboard-only
		{"!!! ???", nil, 20, "?q", ""},
		{strings.Repeat("a", MaxQueryChars+1), nil, 20, "?q", registrar.RuleQueryTooLong},
		{strings.Repeat("ü", MaxQueryChars+1), nil, 20, "?q", registrar.RuleQueryTooLong},
		{"coffee", nil, 0, "?limit", ""},
		{"coffee", nil, -1, "?limit", ""},
		{"coffee", nil, MaxSearchLimit + 1, "?limit", ""},
	}
	f := newFixture(t, Config{})
	for _, tt := range tests {
		got, err := f.s.Search(t.Context(), registrar.EnvLive, tt.q, tt.exts, tt.limit)
		e := registrar.AsError(err)
		if e == nil || e.Kind != registrar.KindInvalid || len(e.Fields) != 1 || e.Fields[0].Pointer != tt.pointer || e.Rule != tt.rule {
			t.Errorf("Search(%.20q…, %q, %d) = %v, %v; want KindInvalid at %s, rule %q", tt.q, tt.exts, tt.limit, names(got), err, tt.pointer, tt.rule)
		}
	}
	// The limits themselves are valid: 100 characters (not bytes), 50 results.
	for _, q := range []string{strings.Repeat("ab ", MaxQueryChars/3) + "a", strings.Repeat("üb ", MaxQueryChars/3) + "ü"} {
		if _, err := f.s.Search(t.Context(), registrar.EnvLive, q, []string{"com"}, MaxSearchLimit); err != nil {
			t.Errorf("Search(%d × %q, limit %d) = %v, want results", MaxQueryChars, q[:2], MaxSearchLimit, err)
		}
	}
	f.calls() // reset
	if n := f.calls(); n != [3]int{} {
		t.Errorf("invalid searches made checks %v, want none", n)
	}
	// A word that is a top-level domain the registrar does not know is a
	// keyword.
	got, err := f.s.Search(t.Context(), registrar.EnvLive, "coffee", nil, 1)
	if err != nil || !slices.Equal(names(got), []string{"coffee.com"}) {
		t.Errorf("Search(coffee) = %v, %v; want coffee.com", names(got), err)
	}
}
