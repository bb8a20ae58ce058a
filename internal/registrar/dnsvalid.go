package registrar

import (
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The validation of what makes a domain resolve (issue 14): name servers,
// glue hosts and DS records. Each function normalises what it accepts and
// reports every violation once, with its JSON Pointer under base (the
// member holding the value in the request body: "/nameservers",
// "/dnssec"). Nothing here asks a registry: a registry's own rules (a
// name server that must exist as a host object, a host in use) come back
// from it as the workflow's error.

// Bounds of DS records and glue addresses. RFC 5910 and RFC 5732 set
// none; registries do (8 DS records and 13 addresses per host are within
// every gTLD registry's limits we know of).
const (
	MaxDSRecords     = 8
	MaxHostAddresses = 13
)

// DSAlgorithms are the DNSKEY algorithm numbers (IANA "DNS Security
// Algorithm Numbers") a DS record may name, per RFC 8624 §3.1: every
// algorithm whose signing use is not MUST NOT. 8 and 13 are MUST, 15
// RECOMMENDED, 14 and 16 MAY; 5 (RSASHA1), 7 (RSASHA1-NSEC3-SHA1) and 10
// (RSASHA512) are NOT RECOMMENDED for new signing but MUST still be
// validated, so zones signed with them keep their delegation here: the
// registrar publishes what the zone's operator signs with, it does not
// choose it. 1 (RSAMD5), 3 (DSA), 6 (DSA-NSEC3-SHA1) and 12 (ECC-GOST)
// are MUST NOT and refused, as is any unassigned or private number.
var DSAlgorithms = map[int]string{
	5: "RSASHA1", 7: "RSASHA1-NSEC3-SHA1", 8: "RSASHA256", 10: "RSASHA512",
	13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384", 15: "ED25519", 16: "ED448",
}

// DSDigestTypes are the DS digest types (IANA "Digest Algorithms") a new
// DS record may use, with their digest lengths in bytes, per RFC 8624
// §3.3's "DNSSEC Delegation" column: 2 (SHA-256) MUST, 4 (SHA-384) MAY.
// 1 (SHA-1) is MUST NOT for delegation (resolvers still validate it, so
// records already at a registry are removed, never refused) and 3
// (GOST R 34.11-94) MUST NOT.
var DSDigestTypes = map[int]int{2: 32, 4: 48}

// ParseHostName normalises a host name to its lower-case ASCII form or
// says, in a sentence, why it is not one. registrar depends on the
// standard library only, so callers pass domainname's rules for host
// names (HostName in httpapi: domainname.ParseHost).
type ParseHostName func(s string) (string, error)

// ValidateNameservers checks a list of name servers: MinNameservers to
// MaxNameservers host names (parse), no two the same once normalised. It
// returns them in ASCII lower case, in their order.
func ValidateNameservers(base string, ns []string, parse ParseHostName) ([]string, []FieldError) {
	var errs []FieldError
	if len(ns) < MinNameservers || len(ns) > MaxNameservers {
		errs = append(errs, FieldError{Pointer: base, Message: fmt.Sprintf("must list %d to %d name servers; it lists %d", MinNameservers, MaxNameservers, len(ns))})
	}
	out := make([]string, 0, len(ns))
	seen := map[string]int{}
	for i, s := range ns {
		p := base + "/" + strconv.Itoa(i)
		h, err := parse(s)
		if err != nil {
			errs = append(errs, FieldError{Pointer: p, Message: err.Error()})
			continue
		}
		if j, dup := seen[h]; dup {
			errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("name server %s is listed twice (also at %s/%d)", h, base, j)})
			continue
		}
		seen[h] = i
		out = append(out, h)
	}
	return out, errs
}

// ValidateDNSSEC checks the DS records of a DNSSEC change: at most
// MaxDSRecords; each with a key tag of 0 to 65535, an algorithm in
// DSAlgorithms, a digest type in DSDigestTypes and a hex digest of that
// type's length; no two the same. No records turns DNSSEC off. The digest
// comes back in upper case, as registries show it.
func ValidateDNSSEC(base string, d DNSSEC) (DNSSEC, []FieldError) {
	var errs []FieldError
	rb := base + "/ds_records"
	if len(d.DSRecords) > MaxDSRecords {
		errs = append(errs, FieldError{Pointer: rb, Message: fmt.Sprintf("may list at most %d DS records; it lists %d", MaxDSRecords, len(d.DSRecords))})
	}
	out := DNSSEC{DSRecords: []DSRecord{}}
	for i, r := range d.DSRecords {
		p := rb + "/" + strconv.Itoa(i)
		n := len(errs)
		if r.KeyTag < 0 || r.KeyTag > 65535 {
			errs = append(errs, FieldError{Pointer: p + "/key_tag", Message: "must be a key tag from 0 to 65535"})
		}
		if _, ok := DSAlgorithms[r.Algorithm]; !ok {
			errs = append(errs, FieldError{Pointer: p + "/algorithm", Message: fmt.Sprintf(
				"algorithm %d cannot be published: the DNSKEY algorithms allowed for DS records (RFC 8624 section 3.1) are %s", r.Algorithm, dsAlgorithmList())})
		}
		size, ok := DSDigestTypes[r.DigestType]
		switch {
		case !ok && r.DigestType == 1:
			errs = append(errs, FieldError{Pointer: p + "/digest_type", Message: "digest type 1 (SHA-1) must not be used for new DS records (RFC 8624 section 3.3); use 2 (SHA-256) or 4 (SHA-384)"})
		case !ok:
			errs = append(errs, FieldError{Pointer: p + "/digest_type", Message: fmt.Sprintf("digest type %d is not allowed; use 2 (SHA-256) or 4 (SHA-384) (RFC 8624 section 3.3)", r.DigestType)})
		default:
			b, err := hex.DecodeString(r.Digest)
			switch {
			case err != nil:
				errs = append(errs, FieldError{Pointer: p + "/digest", Message: "must be the digest in hexadecimal, without spaces"})
			case len(b) != size:
				errs = append(errs, FieldError{Pointer: p + "/digest", Message: fmt.Sprintf(
					"a digest of type %d is %d bytes (%d hex digits); this one is %d hex digits", r.DigestType, size, 2*size, len(r.Digest))})
			}
		}
		if len(errs) > n {
			continue
		}
		r.Digest = strings.ToUpper(r.Digest)
		if j := slices.Index(out.DSRecords, r); j >= 0 {
			errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("is the same DS record as %s/%d", rb, j)})
			continue
		}
		out.DSRecords = append(out.DSRecords, r)
	}
	return out, errs
}

func dsAlgorithmList() string {
	var s []string
	for _, a := range slices.Sorted(maps.Keys(DSAlgorithms)) {
		s = append(s, fmt.Sprintf("%d (%s)", a, DSAlgorithms[a]))
	}
	return strings.Join(s, ", ")
}

// ValidateHost checks a glue host of domain (both ASCII): its name must be
// a host name strictly under domain (glue exists only in bailiwick;
// ns1.example.com for example.com), with 1 to MaxHostAddresses distinct
// addresses. Each address is IPv4 in ipv4 or IPv6 in ipv6 (net/netip),
// globally reachable: loopback, unspecified, link-local, multicast,
// private (RFC 1918, RFC 4193) and IPv4-mapped IPv6 addresses are refused,
// since a resolver anywhere must reach the server. The documentation
// ranges (RFC 5737, RFC 3849) are accepted: they are unicast, and the
// sandbox and examples use them. Addresses come back in canonical form
// (RFC 5952 for IPv6). base is the pointer of the host object, and
// namePointer that of its name (the URL path's host, for the hosts
// endpoints).
func ValidateHost(base, domain string, h Host, namePointer string, parse ParseHostName) (Host, []FieldError) {
	var errs []FieldError
	out := Host{}
	hn, err := parse(h.Name)
	switch {
	case err != nil:
		errs = append(errs, FieldError{Pointer: namePointer, Message: err.Error()})
	case !InBailiwick(hn, domain):
		errs = append(errs, FieldError{Pointer: namePointer, Message: fmt.Sprintf(
			"glue host %s is not under %s: only a name server inside the domain (like ns1.%s) has glue", hn, domain, domain)})
	default:
		out.Name = hn
	}
	if n := len(h.IPv4) + len(h.IPv6); n == 0 || n > MaxHostAddresses {
		errs = append(errs, FieldError{Pointer: base, Message: fmt.Sprintf("a glue host needs 1 to %d addresses in ipv4 and ipv6; it has %d", MaxHostAddresses, n)})
	}
	seen := map[netip.Addr]bool{}
	check := func(member string, list []string, v4 bool) []string {
		var good []string
		for i, s := range list {
			p := base + "/" + member + "/" + strconv.Itoa(i)
			a, err := netip.ParseAddr(s)
			switch {
			case err != nil || a.Zone() != "":
				errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("%q is not an %s address", s, member)})
			case a.Is4() != v4 || a.Is4In6():
				errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("%s is not an %s address", s, member)})
			case !a.IsGlobalUnicast() || a.IsPrivate():
				errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("%s is not a public address (loopback, private, link-local, multicast and unspecified addresses cannot be glue)", s)})
			case seen[a]:
				errs = append(errs, FieldError{Pointer: p, Message: fmt.Sprintf("%s is listed twice", a)})
			default:
				seen[a] = true
				good = append(good, a.String())
			}
		}
		return good
	}
	out.IPv4 = check("ipv4", h.IPv4, true)
	out.IPv6 = check("ipv6", h.IPv6, false)
	return out, errs
}

// InvalidFields is the KindInvalid error of a request's field errors, or
// nil when there are none.
func InvalidFields(op string, errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Op: op, Message: errs[0].Message, Fields: errs}
}

// InBailiwick reports whether host (ASCII) is strictly under domain: a
// name server that needs glue.
func InBailiwick(host, domain string) bool { return strings.HasSuffix(host, "."+domain) }
