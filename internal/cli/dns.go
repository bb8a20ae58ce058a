package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/openregistrar/registrar/client"
)

// ns, dnssec and host: what makes a domain resolve (the server's
// extensions to Cloudflare's API; docs/API.md, issue 14).

// listFlag is a flag that may be given more than once (--ds, --ip).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func (e *cmdEnv) nsSet(args []string) error {
	f := newFlags(e, "ns set NAME HOST...", "Replace a registration's name servers (2 to 13) at its registry (an update workflow).",
		"registrar ns set example.com ns1.example.net ns2.example.net --wait")
	return e.dnsUpdate(f, args, "ns set", func(pos []string) (client.UpdateRequest, error) {
		if len(pos) < 3 {
			return client.UpdateRequest{}, f.usageError("ns set takes a domain name and its name servers")
		}
		return client.UpdateRequest{Nameservers: pos[1:]}, nil
	})
}

func (e *cmdEnv) dnssecSet(args []string) error {
	f := newFlags(e, "dnssec set NAME --ds 'KEYTAG ALGORITHM DIGESTTYPE DIGEST'...",
		"Replace a registration's DS records at its registry (an update workflow): DNSSEC on, with these keys.",
		"registrar dnssec set example.com --ds '2371 13 2 1F987CC6583E92DF0890718C42...' --wait")
	var ds listFlag
	f.Var(&ds, "ds", "a DS record as its zone file shows it: key tag, algorithm, digest type and hex digest (repeat for more)")
	return e.dnsUpdate(f, args, "dnssec set", func(pos []string) (client.UpdateRequest, error) {
		if len(pos) != 1 || len(ds) == 0 {
			return client.UpdateRequest{}, f.usageError("dnssec set takes a domain name and one --ds or more")
		}
		d := client.DNSSEC{DSRecords: []client.DSRecord{}}
		for _, s := range ds {
			r, err := parseDS(s)
			if err != nil {
				return client.UpdateRequest{}, f.usageError("--ds %q: %v", s, err)
			}
			d.DSRecords = append(d.DSRecords, r)
		}
		return client.UpdateRequest{DNSSEC: &d}, nil
	})
}

func (e *cmdEnv) dnssecOff(args []string) error {
	f := newFlags(e, "dnssec off NAME", "Remove every DS record of a registration at its registry: DNSSEC off (an update workflow).",
		"registrar dnssec off example.com --wait")
	return e.dnsUpdate(f, args, "dnssec off", func(pos []string) (client.UpdateRequest, error) {
		if len(pos) != 1 {
			return client.UpdateRequest{}, f.usageError("dnssec off takes one domain name")
		}
		return client.UpdateRequest{DNSSEC: &client.DNSSEC{DSRecords: []client.DSRecord{}}}, nil
	})
}

// parseDS reads a DS record's rdata: "KEYTAG ALGORITHM DIGESTTYPE
// DIGEST", the digest possibly split by spaces, as zone files print it.
// The server checks the values.
func parseDS(s string) (client.DSRecord, error) {
	fields := strings.Fields(s)
	if len(fields) < 4 {
		return client.DSRecord{}, fmt.Errorf("want KEYTAG ALGORITHM DIGESTTYPE DIGEST")
	}
	var n [3]int
	for i := range n {
		v, err := strconv.Atoi(fields[i])
		if err != nil {
			return client.DSRecord{}, fmt.Errorf("%q is not a number", fields[i])
		}
		n[i] = v
	}
	return client.DSRecord{KeyTag: n[0], Algorithm: n[1], DigestType: n[2], Digest: strings.Join(fields[3:], "")}, nil
}

// dnsUpdate runs an update command whose body req makes from the
// positional arguments.
func (e *cmdEnv) dnsUpdate(f *flags, args []string, name string, req func(pos []string) (client.UpdateRequest, error)) error {
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	r, err := req(pos)
	if err != nil {
		return err
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.UpdateRegistration(e.ctx, pos[0], r, client.UpdateOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "update", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --update --wait")
}

func (e *cmdEnv) hostSet(args []string) error {
	f := newFlags(e, "host set NAME HOST --ip ADDR...", "Create a glue host of a registration, or replace its addresses (an update workflow).",
		"registrar host set example.com ns1.example.com --ip 192.0.2.1 --ip 2001:db8::1 --wait")
	var ips listFlag
	f.Var(&ips, "ip", "an IPv4 or IPv6 address of the host (repeat for more)")
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || len(ips) == 0 {
		return f.usageError("host set takes a domain name, a host name and one --ip or more")
	}
	var addrs client.HostAddresses
	for _, ip := range ips {
		if strings.Contains(ip, ":") {
			addrs.IPv6 = append(addrs.IPv6, ip)
		} else {
			addrs.IPv4 = append(addrs.IPv4, ip)
		}
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	// POST creates the host, or gives an existing one these addresses:
	// the workflow settles either against the registry's host info.
	st, err := c.CreateHost(e.ctx, pos[0], pos[1], addrs, client.UpdateOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "update", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --update --wait")
}

func (e *cmdEnv) hostGet(args []string) error {
	f := newFlags(e, "host get NAME HOST", "Show a glue host as the registry holds it.", "registrar host get example.com ns1.example.com")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return f.usageError("host get takes a domain name and a host name")
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	h, err := c.GetHost(e.ctx, pos[0], pos[1])
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, h)
	}
	linked := "no"
	if h.Linked {
		linked = "yes (a domain uses it as a name server)"
	}
	return rows{e.stdout}.print("host", h.Name, "ipv4", strings.Join(h.IPv4, ", "), "ipv6", strings.Join(h.IPv6, ", "), "in use", linked)
}

func (e *cmdEnv) hostDelete(args []string) error {
	f := newFlags(e, "host delete NAME HOST", "Delete a glue host (an update workflow); it fails host_in_use while a domain uses it.",
		"registrar host delete example.com ns1.example.com --wait")
	api := apiFlags(f)
	async := f.bool("async", false, "ask the server to answer at once (Prefer: respond-async)")
	w := waitFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return f.usageError("host delete takes a domain name and a host name")
	}
	c, rec, err := api.client()
	if err != nil {
		return err
	}
	st, err := c.DeleteHost(e.ctx, pos[0], pos[1], client.UpdateOptions{Async: *async})
	if err != nil {
		return err
	}
	if !api.json() {
		headline(e.stdout, rec.lastStatus(), "update", st)
	}
	return e.follow(c, rec, api, w, st, true, "registrar status "+pos[0]+" --update --wait")
}
