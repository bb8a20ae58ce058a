// Package domainname is the registrar's one parser for domain names. Every
// domain name that enters the system (API bodies, URL paths, registry calls)
// goes through Parse, and every extension (TLD or other public suffix)
// through ParseExtension, so that all parts of the system agree on what a
// name is and how it is spelled.
//
// Normalisation: one trailing dot is dropped, letters are lower-cased, and
// internationalised names are converted to their A-label (punycode) form
// with the IDNA2008 / UTS #46 registration profile (idna.Registration),
// which rejects disallowed code points rather than mapping them and checks
// the bidi, CONTEXTJ and hyphen rules. White space is never trimmed: it is
// rejected wherever it occurs.
//
// Registrability is decided with the ICANN section of the public suffix
// list embedded in golang.org/x/net/publicsuffix: a registrable name is
// exactly one label in front of an ICANN public suffix.
//
// Failures are reported as *Error values carrying a Rule, which callers
// can inspect with errors.As.
package domainname

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Name is a parsed, normalised, registrable domain name.
type Name struct {
	// ASCII is the lower-case A-label form with no trailing dot, e.g.
	// "xn--bcher-kva.example.com".
	ASCII string
	// Unicode is the U-label form for display, e.g. "bücher.example.com".
	Unicode string
	// Label is the registrable label in ASCII form: "xn--bcher-kva" for
	// "bücher.co.uk".
	Label string
	// Extension is the ICANN public suffix in ASCII form: "com", "co.uk".
	Extension string
}

// String returns n.ASCII.
func (n Name) String() string { return n.ASCII }

const (
	nounName      = "domain name"
	nounExtension = "extension"
)

// Parse normalises and validates s as a registrable domain name: exactly
// one label in front of an ICANN public suffix. "example.co.uk" is accepted;
// "www.example.com" is a subdomain (RuleNotRegistrable); "co.uk" is a bare
// suffix (RuleBareExtension). One trailing dot is accepted and dropped.
//
// For any Name returned, Parse(n.ASCII) and Parse(n.Unicode) return n.
// Errors are always of type *Error.
func Parse(s string) (Name, error) {
	ascii, uni, e := normalize(s, s, nounName)
	if e != nil {
		return Name{}, e
	}
	suffix, icann := icannSuffix(ascii)
	if !strings.Contains(ascii, ".") {
		if icann && suffix == ascii {
			return Name{}, errorf(s, RuleBareExtension,
				"%s %s is an extension on its own; put a name in front of it, like \"example.%s\"",
				nounName, quote(s), ascii)
		}
		return Name{}, errorf(s, RuleNoExtension,
			"%s %s has no extension; add one, like \"%s.com\"", nounName, quote(s), ascii)
	}
	if !icann {
		return Name{}, errorf(s, RuleUnknownExtension,
			"%s %s has the extension %q, which is not a known top-level domain", nounName, quote(s), suffix)
	}
	if suffix == ascii {
		return Name{}, errorf(s, RuleBareExtension,
			"%s %s is an extension on its own; put a name in front of it, like \"example.%s\"",
			nounName, quote(s), ascii)
	}
	label := ascii[:len(ascii)-len(suffix)-1]
	if i := strings.LastIndexByte(label, '.'); i >= 0 {
		return Name{}, errorf(s, RuleNotRegistrable,
			"%s %s is a subdomain; only %q can be registered", nounName, quote(s), label[i+1:]+"."+suffix)
	}
	return Name{ASCII: ascii, Unicode: uni, Label: label, Extension: suffix}, nil
}

// icannSuffix returns the ICANN part of the public suffix of ascii. The
// list's private section (suffixes such as blogspot.com or github.io, run by
// companies for their users) does not apply to a registrar: blogspot.com is
// a .com domain, and foo.blogspot.com a subdomain of it. It reports false
// when the top-level domain is not in the list at all.
func icannSuffix(ascii string) (string, bool) {
	for {
		suffix, icann := publicsuffix.PublicSuffix(ascii)
		if icann {
			return suffix, true
		}
		i := strings.IndexByte(suffix, '.')
		if i < 0 {
			return suffix, false
		}
		ascii = suffix[i+1:]
	}
}

// ParseExtension normalises an extension such as ".COM", "co.uk" or "みんな"
// to its lower-case ASCII form ("com", "co.uk", "xn--q9jyb4c"). One leading
// and one trailing dot are accepted. The result must be an ICANN suffix in
// the public suffix list; anything else is RuleUnknownExtension. Errors are
// always of type *Error.
func ParseExtension(s string) (string, error) {
	in := s
	if len(in) <= maxInputLen {
		in = strings.TrimPrefix(in, ".")
	}
	ascii, _, e := normalize(s, in, nounExtension)
	if e != nil {
		return "", e
	}
	suffix, icann := publicsuffix.PublicSuffix(ascii)
	switch {
	case icann && suffix == ascii:
		return ascii, nil
	case icann:
		return "", errorf(s, RuleUnknownExtension,
			"%s %s is a domain name, not an extension; its extension is %q", nounExtension, quote(s), suffix)
	default:
		return "", errorf(s, RuleUnknownExtension,
			"%s %s is not a known ICANN extension in the public suffix list", nounExtension, quote(s))
	}
}
