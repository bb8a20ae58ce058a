package domainname

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"example.com", "EXAMPLE.COM.", "bücher.com", "xn--bcher-kva.com", "BÜCHER.co.uk",
		"例え.みんな", "xn--r8jz45g.xn--q9jyb4c", "example.co.uk", "www.example.com", "co.uk",
		"com", "example", "", ".", "a..com", "-a.com", "ab--c.com", "xn--abc.com", "a_b.com",
		"a b.com", "\xff.com", "ｅｘａｍｐｌｅ.com", "example。com", "1עברית.com", "123.עברית",
		"a\u200db.com", "\u0301a.com", "cafe\u0301.com", "foo.blogspot.com", "example.invalidtld",
		"www.ck", "example.city.kawasaki.jp", "ᏣᎳᎩ.com", "\u212aey.com", "straße.de",
		strings.Repeat("a", 63) + ".com", strings.Repeat("a", 64) + ".com", strings.Repeat("a.", 130) + "com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, parseErr := Parse(in)
		if err := parseErr; err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %T %v, want *Error", in, err, err)
			}
			if e.Input != in || e.Message == "" || !knownRule(e.Rule) {
				t.Fatalf("Parse(%q) = %#v, want Input set, a message and a known rule", in, e)
			}
			if n != (Name{}) {
				t.Fatalf("Parse(%q) = %v, %v, want zero Name with error", in, n, err)
			}
		} else {
			checkName(t, in, n)
			for _, again := range []string{n.ASCII, n.Unicode} {
				m, err := Parse(again)
				if err != nil || m != n {
					t.Fatalf("Parse(%q) = %v, %v, want %v (from Parse(%q))", again, m, err, n, in)
				}
			}
		}

		x, err := ParseExtension(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Input != in || e.Message == "" || !knownRule(e.Rule) {
				t.Fatalf("ParseExtension(%q) = %v, want *Error with Input set, a message and a known rule", in, err)
			}
		} else {
			if y, err := ParseExtension(x); err != nil || y != x {
				t.Fatalf("ParseExtension(%q) = %q, %v, want %q (from ParseExtension(%q))", x, y, err, x, in)
			}
			if parseErr == nil {
				t.Fatalf("Parse(%q) = %v and ParseExtension(%q) = %q, want at most one to succeed", in, n, in, x)
			}
			for _, l := range strings.Split(x, ".") {
				if len(l) > maxLabelLen || !isLDHString(l) {
					t.Fatalf("ParseExtension(%q) = %q, label %q is not lower-case LDH of 1..%d octets", in, x, l, maxLabelLen)
				}
			}
		}
	})
}

func checkName(t *testing.T, in string, n Name) {
	t.Helper()
	if len(n.ASCII) > maxNameLen {
		t.Fatalf("Parse(%q) = %v, ASCII is %d octets, want <= %d", in, n, len(n.ASCII), maxNameLen)
	}
	for _, l := range strings.Split(n.ASCII, ".") {
		if l == "" || len(l) > maxLabelLen {
			t.Fatalf("Parse(%q) = %v, label %q has length %d, want 1..%d", in, n, l, len(l), maxLabelLen)
		}
		if !isLDHString(l) {
			t.Fatalf("Parse(%q) = %v, label %q is not lower-case LDH", in, n, l)
		}
	}
	if n.Label == "" || strings.Contains(n.Label, ".") {
		t.Fatalf("Parse(%q) = %v, Label %q is not a single label", in, n, n.Label)
	}
	if n.Extension == "" || !strings.HasSuffix(n.ASCII, "."+n.Extension) || n.Label+"."+n.Extension != n.ASCII {
		t.Fatalf("Parse(%q) = %v, want ASCII == Label + \".\" + Extension", in, n)
	}
	if n.String() != n.ASCII {
		t.Fatalf("Parse(%q).String() = %q, want %q", in, n.String(), n.ASCII)
	}
	if strings.Count(n.Unicode, ".") != strings.Count(n.ASCII, ".") {
		t.Fatalf("Parse(%q) = %v, Unicode and ASCII forms have different label counts", in, n)
	}
}

func knownRule(r Rule) bool {
	for _, k := range allRules {
		if r == k {
			return true
		}
	}
	return false
}
