package domainname

import "strings"

// RuleNotHostName is the rule a name server host name breaks when it is a bare label or a
// public suffix, such as "localhost" or "com" (ParseHost).
const RuleNotHostName Rule = "not_host_name"

const nounHost = "host name"

// Host is a parsed, normalised host name (RFC 952/1123 as refined by
// IDNA2008): a name server such as ns1.example.com.
type Host struct {
	// ASCII is the lower-case A-label form with no trailing dot.
	ASCII string
	// Unicode is the U-label form for display.
	Unicode string
}

// ParseHost normalises and validates s as a host name: the same rules as
// Parse for characters, labels, length and IDNA, but any number of labels
// in front of an ICANN public suffix (ns1.example.com, a.b.example.co.uk).
// A bare label or a public suffix on its own is RuleNotHostName; a name
// under an unknown top-level domain is RuleUnknownExtension. One trailing
// dot is accepted and dropped. Errors are always of type *Error.
func ParseHost(s string) (Host, error) {
	ascii, uni, e := normalize(s, s, nounHost)
	if e != nil {
		return Host{}, e
	}
	suffix, icann := icannSuffix(ascii)
	switch {
	case !strings.Contains(ascii, "."), icann && suffix == ascii:
		return Host{}, errorf(s, RuleNotHostName,
			"%s %s is not a host name; name a server under a domain, like \"ns1.example.com\"", nounHost, quote(s))
	case !icann:
		return Host{}, errorf(s, RuleUnknownExtension,
			"%s %s has the extension %q, which is not a known top-level domain", nounHost, quote(s), suffix)
	}
	return Host{ASCII: ascii, Unicode: uni}, nil
}
