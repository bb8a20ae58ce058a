package domainname

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValid(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name string
		in   string
		want Name
	}{
		{"plain", "example.com", Name{"example.com", "example.com", "example", "com"}},
		{"upper-case", "EXAMPLE.COM", Name{"example.com", "example.com", "example", "com"}},
		{"mixed case", "ExAmPlE.CoM", Name{"example.com", "example.com", "example", "com"}},
		{"trailing dot", "example.com.", Name{"example.com", "example.com", "example", "com"}},
		{"digits and hyphen", "123-abc.net", Name{"123-abc.net", "123-abc.net", "123-abc", "net"}},
		{"single character label", "x.org", Name{"x.org", "x.org", "x", "org"}},
		{"IDN unicode", "bücher.com", Name{"xn--bcher-kva.com", "bücher.com", "xn--bcher-kva", "com"}},
		{"IDN unicode upper-case", "BÜCHER.COM", Name{"xn--bcher-kva.com", "bücher.com", "xn--bcher-kva", "com"}},
		{"IDN punycode", "xn--bcher-kva.com", Name{"xn--bcher-kva.com", "bücher.com", "xn--bcher-kva", "com"}},
		{"IDN punycode upper-case", "XN--BCHER-KVA.COM", Name{"xn--bcher-kva.com", "bücher.com", "xn--bcher-kva", "com"}},
		{"IDN trailing dot", "bücher.com.", Name{"xn--bcher-kva.com", "bücher.com", "xn--bcher-kva", "com"}},
		{"eszett is kept (non-transitional)", "straße.de", Name{"xn--strae-oqa.de", "straße.de", "xn--strae-oqa", "de"}},
		{"multi-label suffix", "example.co.uk", Name{"example.co.uk", "example.co.uk", "example", "co.uk"}},
		{"IDN on multi-label suffix", "bücher.co.uk", Name{"xn--bcher-kva.co.uk", "bücher.co.uk", "xn--bcher-kva", "co.uk"}},
		{"IDN TLD unicode", "例え.みんな", Name{"xn--r8jz45g.xn--q9jyb4c", "例え.みんな", "xn--r8jz45g", "xn--q9jyb4c"}},
		{"IDN TLD punycode", "xn--r8jz45g.xn--q9jyb4c", Name{"xn--r8jz45g.xn--q9jyb4c", "例え.みんな", "xn--r8jz45g", "xn--q9jyb4c"}},
		{"ASCII label on IDN TLD", "example.рф", Name{"example.xn--p1ai", "example.рф", "example", "xn--p1ai"}},
		{"right-to-left label", "עברית.com", Name{"xn--5dbqzzl.com", "עברית.com", "xn--5dbqzzl", "com"}},
		{"Cherokee is canonical upper-case", "ᏣᎳᎩ.com", Name{"xn--f9dt7l.com", "ᏣᎳᎩ.com", "xn--f9dt7l", "com"}},
		{"63-octet label", long63 + ".com", Name{long63 + ".com", long63 + ".com", long63, "com"}},
		{"63-octet IDN label", strings.Repeat("ü", 57) + ".com", Name{"xn--tda" + strings.Repeat("a", 56) + ".com", strings.Repeat("ü", 57) + ".com", "xn--tda" + strings.Repeat("a", 56), "com"}},
		{"wildcard suffix", "example.foo.kawasaki.jp", Name{"example.foo.kawasaki.jp", "example.foo.kawasaki.jp", "example", "foo.kawasaki.jp"}},
		{"wildcard exception", "city.kawasaki.jp", Name{"city.kawasaki.jp", "city.kawasaki.jp", "city", "kawasaki.jp"}},
		{"private suffix is a plain .com domain", "blogspot.com", Name{"blogspot.com", "blogspot.com", "blogspot", "com"}},
		{"Catalan middle dot", "col·lecció.cat", Name{"xn--collecci-ioa91d.cat", "col·lecció.cat", "xn--collecci-ioa91d", "cat"}},
		{"katakana middle dot", "アイ・ウ.jp", Name{"xn--cckeg35a.jp", "アイ・ウ.jp", "xn--cckeg35a", "jp"}},
		{"wildcard exception (ck)", "www.ck", Name{"www.ck", "www.ck", "www", "ck"}},
		{
			// A registrable name is one label plus a suffix, so 253 octets is
			// unreachable; this is the longest shape the PSL allows.
			"longest registrable shape",
			long63 + "." + strings.Repeat("b", 63) + ".kawasaki.jp",
			Name{
				long63 + "." + strings.Repeat("b", 63) + ".kawasaki.jp",
				long63 + "." + strings.Repeat("b", 63) + ".kawasaki.jp",
				long63,
				strings.Repeat("b", 63) + ".kawasaki.jp",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, err, tt.want)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) = %v, want %v (-want +got):\n%s", tt.in, got, tt.want, diff)
			}
			if got.String() != tt.want.ASCII {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got.String(), tt.want.ASCII)
			}
			for _, again := range []string{got.ASCII, got.Unicode} {
				n, err := Parse(again)
				if err != nil {
					t.Errorf("Parse(%q) = %v, want %v", again, err, got)
					continue
				}
				if diff := cmp.Diff(got, n); diff != "" {
					t.Errorf("Parse(%q) = %v, want %v (-want +got):\n%s", again, n, got, diff)
				}
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Rule
	}{
		{"empty", "", RuleEmpty},
		{"single dot", ".", RuleEmpty},
		{"only dots", "...", RuleEmpty},
		{"only space", "   ", RuleEmpty},
		{"dots and space", " . \t", RuleEmpty},

		{"300 characters", strings.Repeat("abcdefghi.", 30), RuleTooLong},
		{"254 octets", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", RuleTooLong},
		{"over 1024 bytes", strings.Repeat("a.", 600) + "com", RuleTooLong},
		{"over 1024 bytes of junk", strings.Repeat(" _\x00", 400), RuleTooLong},
		{"IDN over 253 octets in ASCII form", strings.Repeat("ü.", 90) + "com", RuleTooLong},

		{"64-octet label", strings.Repeat("a", 64) + ".com", RuleLabelTooLong},
		{"64-octet TLD", "example." + strings.Repeat("a", 64), RuleLabelTooLong},
		{"IDN label over 63 octets in ASCII form", strings.Repeat("ü", 58) + ".com", RuleLabelTooLong},

		{"consecutive dots", "a..com", RuleEmptyLabel},
		{"leading dot", ".com", RuleEmptyLabel},
		{"leading dot on name", ".example.com", RuleEmptyLabel},
		{"two trailing dots", "example.com..", RuleEmptyLabel},

		{"leading hyphen", "-example.com", RuleHyphen},
		{"trailing hyphen", "example-.com", RuleHyphen},
		{"hyphen in TLD", "example.-com", RuleHyphen},
		{"double hyphen in positions 3-4", "ab--cd.com", RuleHyphen},
		{"fake ACE prefix", "xx--abc.com", RuleHyphen},
		{"double hyphen after U-label character", "üb--c.com", RuleHyphen},
		{"bare ACE prefix", "xn--.com", RuleHyphen},

		{"space inside", "exa mple.com", RuleCharacter},
		{"leading space", " example.com", RuleCharacter},
		{"trailing space", "example.com ", RuleCharacter},
		{"trailing newline", "example.com\n", RuleCharacter},
		{"tab", "exa\tmple.com", RuleCharacter},
		{"no-break space", "exa\u00a0mple.com", RuleCharacter},
		{"ideographic space", "exa\u3000mple.com", RuleCharacter},
		{"underscore", "_dmarc.com", RuleCharacter},
		{"at sign", "user@example.com", RuleCharacter},
		{"slash", "example.com/path", RuleCharacter},
		{"colon and port", "example.com:443", RuleCharacter},
		{"URL", "https://example.com", RuleCharacter},
		{"NUL", "exa\x00mple.com", RuleCharacter},
		{"bell", "exa\ample.com", RuleCharacter},
		{"DEL", "exa\x7fmple.com", RuleCharacter},
		{"C1 control", "exa\u0085mple.com", RuleCharacter},
		{"invalid UTF-8", "exa\xffmple.com", RuleCharacter},
		{"ideographic full stop", "example。com", RuleCharacter},
		{"full-width full stop", "example．com", RuleCharacter},
		{"full-width at sign", "a＠b.com", RuleCharacter},

		{"invalid A-label", "xn--abc.com", RuleIDNA},
		{"A-label of ASCII", "xn--example-.com", RuleHyphen},
		{"A-label decoding to ASCII", "xn--example-9ua.com", RuleIDNA},
		{"A-label with invalid punycode", "xn--a-ecp.com", RuleIDNA},
		{"non-canonical A-label", "xn--bcher-kva0.com", RuleIDNA},
		{"A-label of upper-case letter", "xn--wca.com", RuleIDNA},
		{"A-label decoding to double hyphen", "xn--ab---3ra.com", RuleIDNA},
		{"full-width letters", "ｅｘａｍｐｌｅ.com", RuleIDNA},
		{"Kelvin sign", "\u212aey.com", RuleIDNA},
		{"dotted capital I", "İstanbul.com", RuleIDNA},
		{"soft hyphen", "ex\u00adample.com", RuleIDNA},
		{"zero-width space", "ex\u200bample.com", RuleIDNA},
		{"symbol (IDNA2008 NV8)", "♥.com", RuleIDNA},
		{"A-label of symbol", "xn--g6h.com", RuleIDNA},
		{"snowman", "☃.com", RuleIDNA},
		{"punctuation", "a¡b.com", RuleIDNA},
		{"old hangul jamo", "ᄀ.com", RuleIDNA},
		{"middle dot not between l", "a·b.com", RuleIDNA},
		{"katakana middle dot alone", "a・b.com", RuleIDNA},
		{"Greek keraia not before Greek", "a͵b.com", RuleIDNA},
		{"mixed Arabic-Indic digits", "٠۰.com", RuleIDNA},
		{"zero-width joiner out of context", "a\u200db.com", RuleIDNA},
		{"leading combining mark", "\u0301a.com", RuleIDNA},
		{"not NFC", "cafe\u0301.com", RuleIDNA},
		{"bidi: digit first in RTL label", "1עברית.com", RuleIDNA},
		{"bidi: digit-first label with RTL label", "123.עברית.com", RuleIDNA},

		{"single label", "example", RuleNoExtension},
		{"single label trailing dot", "example.", RuleNoExtension},
		{"single IDN label", "bücher", RuleNoExtension},

		{"TLD", "com", RuleBareExtension},
		{"TLD upper-case with dot", "COM.", RuleBareExtension},
		{"multi-label suffix", "co.uk", RuleBareExtension},
		{"IDN TLD", "みんな", RuleBareExtension},
		{"wildcard suffix", "foo.kawasaki.jp", RuleBareExtension},

		{"subdomain", "www.example.com", RuleNotRegistrable},
		{"deep subdomain", "a.b.c.example.co.uk", RuleNotRegistrable},
		{"IDN subdomain", "www.bücher.com", RuleNotRegistrable},
		{"253 octets", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com", RuleNotRegistrable},

		{"unknown TLD", "example.invalidtld", RuleUnknownExtension},
		{"reserved TLD", "example.invalid", RuleUnknownExtension},
		{"numeric TLD", "example.123", RuleUnknownExtension},
		{"under a private suffix is a subdomain", "foo.blogspot.com", RuleNotRegistrable},
		{"deep under a private suffix", "a.foo.github.io", RuleNotRegistrable},
	}
	seen := make(map[Rule]bool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %T %v, want *Error with rule %v", tt.in, err, err, tt.want)
			}
			seen[e.Rule] = true
			if e.Rule != tt.want {
				t.Errorf("Parse(%q) = %v (rule %v), want %v", tt.in, err, e.Rule, tt.want)
			}
			if got != (Name{}) {
				t.Errorf("Parse(%q) = %v with error, want zero Name", tt.in, got)
			}
			if e.Input != tt.in {
				t.Errorf("Parse(%q).Input = %q, want %q", tt.in, e.Input, tt.in)
			}
			if e.Error() != e.Message || e.Message == "" {
				t.Errorf("Parse(%q).Error() = %q, Message = %q, want equal and non-empty", tt.in, e.Error(), e.Message)
			}
			if tt.in != "" && len(tt.in) <= maxQuoted && !strings.Contains(e.Message, strconv.Quote(tt.in)) {
				t.Errorf("Parse(%q) = %q, want a message quoting the input", tt.in, e.Message)
			}
		})
	}
	for _, r := range allRules {
		if !seen[r] {
			t.Errorf("no invalid test case for rule %v", r)
		}
	}
}

var allRules = []Rule{
	RuleEmpty, RuleTooLong, RuleLabelTooLong, RuleEmptyLabel, RuleHyphen,
	RuleCharacter, RuleIDNA, RuleNoExtension, RuleBareExtension,
	RuleNotRegistrable, RuleUnknownExtension,
}

func TestParseLength(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Rule
	}{
		{"300-character name", strings.Repeat("a", 296) + ".com", RuleTooLong},
		{"empty", "", RuleEmpty},
		{"253 octets is not too long", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com", RuleNotRegistrable},
		{"253 octets plus trailing dot", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com.", RuleNotRegistrable},
		{"254 octets", strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", RuleTooLong},
		{"1024 bytes is checked normally", strings.Repeat("a", 1020) + ".com", RuleTooLong},
		{"1025 bytes", strings.Repeat("a", 1021) + ".com", RuleTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			var e *Error
			if !errors.As(err, &e) || e.Rule != tt.want {
				t.Errorf("Parse(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", `domain name is empty`},
		{"a..com", `domain name "a..com" has an empty label`},
		{"a_b.com", `domain name "a_b.com" contains "_", which is not allowed; use only letters, digits and hyphens`},
		{"-a.com", `domain name "-a.com" has a label ("-a") that starts with a hyphen`},
		{"www.example.com", `domain name "www.example.com" is a subdomain; only "example.com" can be registered`},
		{"example", `domain name "example" has no extension; add one, like "example.com"`},
		{"co.uk", `domain name "co.uk" is an extension on its own; put a name in front of it, like "example.co.uk"`},
		{"example.invalidtld", `domain name "example.invalidtld" has the extension "invalidtld", which is not a known top-level domain`},
		{"ｅxample.com", `domain name "ｅxample.com" contains "ｅ" (U+FF45), a compatibility form of "e" that is not allowed; type "e" instead`},
		{strings.Repeat("a", 2000), `domain name is 2000 bytes long; a domain name can be at most 253 characters`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestParseExtension(t *testing.T) {
	valid := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "com", "com"},
		{"leading dot upper-case", ".COM", "com"},
		{"trailing dot", "com.", "com"},
		{"both dots", ".co.uk.", "co.uk"},
		{"multi-label", "co.uk", "co.uk"},
		{"IDN unicode", "みんな", "xn--q9jyb4c"},
		{"IDN unicode leading dot", ".рф", "xn--p1ai"},
		{"IDN punycode", "XN--Q9JYB4C", "xn--q9jyb4c"},
		{"wildcard suffix", "foo.kawasaki.jp", "foo.kawasaki.jp"},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseExtension(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseExtension(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
	invalid := []struct {
		name string
		in   string
		want Rule
	}{
		{"empty", "", RuleEmpty},
		{"dot", ".", RuleEmpty},
		{"two leading dots", "..com", RuleEmptyLabel},
		{"space", " com", RuleCharacter},
		{"underscore", "c_m", RuleCharacter},
		{"hyphen", "-com", RuleHyphen},
		{"label too long", strings.Repeat("a", 64), RuleLabelTooLong},
		{"too long input", strings.Repeat("a", 2000), RuleTooLong},
		{"invalid A-label", "xn--abc", RuleIDNA},
		{"unknown", "invalidtld", RuleUnknownExtension},
		{"private", "blogspot.com", RuleUnknownExtension},
		{"domain name", "example.com", RuleUnknownExtension},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseExtension(tt.in)
			var e *Error
			if !errors.As(err, &e) || e.Rule != tt.want {
				t.Errorf("ParseExtension(%q) = %q, %v, want %v", tt.in, got, err, tt.want)
				return
			}
			if e.Input != tt.in {
				t.Errorf("ParseExtension(%q).Input = %q, want %q", tt.in, e.Input, tt.in)
			}
			if tt.in != "" && len(tt.in) <= maxQuoted && !strings.Contains(e.Message, strconv.Quote(tt.in)) {
				t.Errorf("ParseExtension(%q) = %q, want a message quoting the input", tt.in, e.Message)
			}
		})
	}
}

func TestParseConcurrent(t *testing.T) {
	// Run with -race: Parse shares the idna profiles and PSL tables.
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, in := range []string{"bücher.com", "BÜCHER.co.uk", "a..com", "例え.みんな", "1עברית.com"} {
				_, _ = Parse(in)
				_, _ = ParseExtension(in)
			}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}
