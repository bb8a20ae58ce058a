package domainname

import (
	"errors"
	"testing"
)

func TestParseHost(t *testing.T) {
	cases := []struct {
		in, want string
		rule     Rule
	}{
		{in: "ns1.example.com", want: "ns1.example.com"},
		{in: "NS1.Example.COM.", want: "ns1.example.com"},
		{in: "a.b.example.co.uk", want: "a.b.example.co.uk"},
		{in: "ns.bücher.de", want: "ns.xn--bcher-kva.de"},
		{in: "example.com", want: "example.com"},
		{in: "localhost", rule: RuleNotHostName},
		{in: "com", rule: RuleNotHostName},
		{in: "co.uk", rule: RuleNotHostName},
		{in: "ns1.example.invalidtld", rule: RuleUnknownExtension},
		{in: "ns_1.example.com", rule: RuleCharacter},
		{in: "ns1..example.com", rule: RuleEmptyLabel},
		{in: "", rule: RuleEmpty},
		{in: "192.0.2.1", rule: RuleUnknownExtension},
	}
	for _, c := range cases {
		h, err := ParseHost(c.in)
		var e *Error
		switch {
		case c.rule == "" && err != nil:
			t.Errorf("ParseHost(%q) = %v", c.in, err)
		case c.rule == "" && h.ASCII != c.want:
			t.Errorf("ParseHost(%q) = %q, want %q", c.in, h.ASCII, c.want)
		case c.rule != "" && (!errors.As(err, &e) || e.Rule != c.rule):
			t.Errorf("ParseHost(%q) = %v, want rule %s", c.in, err, c.rule)
		}
	}
}
