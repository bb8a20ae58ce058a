package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/openregistrar/registrar/client"
	"github.com/openregistrar/registrar/internal/domainname"
)

// check, search and extensions: what can be registered, and how.

func (e *cmdEnv) check(args []string) error {
	f := newFlags(e, "check NAME...", "Ask the registry, now, whether domains (1 to 20) can be registered, and their yearly price.",
		"registrar check example.com example.dev")
	api := apiFlags(f)
	names, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return f.usageError("check needs at least one domain name")
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	valid, leftOut := checkNames(names)
	info := e.stdout
	if api.json() {
		info = e.stderr
	}
	if len(valid) == 0 {
		return fmt.Errorf("no domain name to check:\n%s", strings.TrimSuffix(leftOut.String(), "\n"))
	}
	res, err := c.Check(e.ctx, valid...)
	if err != nil {
		return err
	}
	for _, n := range valid {
		if !slices.ContainsFunc(res, func(d client.DomainAvailability) bool { return strings.EqualFold(d.Name, n) }) {
			fmt.Fprintf(leftOut, "  %s: left out by the server\n", n)
		}
	}
	if api.json() {
		if err := writeJSON(e.stdout, nonNil(res)); err != nil {
			return err
		}
	} else {
		// The API says domain_unavailable for a name this account holds
		// too; say which are already ours.
		mine := map[string]string{}
		for _, d := range res {
			if d.Reason == client.ReasonDomainUnavailable {
				if r, err := c.Registration(e.ctx, d.Name); err == nil {
					mine[d.Name] = "already yours"
					if r.Status != client.DomainActive {
						mine[d.Name] = "already yours: " + string(r.Status)
					}
				}
			}
		}
		if err := availabilityTable(e.stdout, res, mine); err != nil {
			return err
		}
	}
	if leftOut.Len() > 0 {
		fmt.Fprintf(info, "Left out:\n%s", leftOut.String())
	}
	return nil
}

// checkNames parses names as the server will, and returns the valid ones,
// in ASCII, without repeats, and a line for each one left out saying why.
func checkNames(names []string) ([]string, *strings.Builder) {
	var valid []string
	var leftOut strings.Builder
	first := map[string]string{} // ASCII: the name given
	for _, n := range names {
		name, err := domainname.Parse(n)
		switch {
		case err != nil:
			fmt.Fprintf(&leftOut, "  %s: %v\n", n, err)
		case first[name.ASCII] != "":
			fmt.Fprintf(&leftOut, "  %s: a repeat of %s\n", n, first[name.ASCII])
		default:
			first[name.ASCII] = n
			valid = append(valid, name.ASCII)
		}
	}
	return valid, &leftOut
}

func (e *cmdEnv) search(args []string) error {
	f := newFlags(e, "search QUERY", "Suggest domains for a keyword, a phrase or a domain name, from cached availability.",
		"registrar search coffee shop --extensions com,dev --limit 5")
	api := apiFlags(f)
	exts := f.string("extensions", "", "comma-separated extensions to search, e.g. com,dev (default: all)")
	limit := f.int("limit", 0, "most suggestions, 1 to 50 (default: the server's, 20)")
	words, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		return f.usageError("search needs a query")
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	opts := client.SearchOptions{Limit: *limit}
	for x := range strings.SplitSeq(*exts, ",") {
		if x = strings.TrimSpace(x); x != "" {
			opts.Extensions = append(opts.Extensions, x)
		}
	}
	res, err := c.Search(e.ctx, strings.Join(words, " "), opts)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, nonNil(res))
	}
	if err := availabilityTable(e.stdout, res, nil); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "(from cached availability: confirm with \"registrar check NAME\" before registering)")
	return nil
}

// availabilityTable prints availabilities; mine notes the names the
// account holds (by name), after their reason.
func availabilityTable(w io.Writer, res []client.DomainAvailability, mine map[string]string) error {
	tw := table(w)
	fmt.Fprintln(tw, "NAME\tREGISTRABLE\tTIER\tPRICE\tRENEWAL\tREASON")
	for _, d := range res {
		price, renewal := "-", "-"
		if p := d.Pricing; p != nil {
			price, renewal = p.RegistrationCost+" "+p.Currency, p.RenewalCost+" "+p.Currency
		}
		reason := dash(string(d.Reason))
		if note := mine[d.Name]; note != "" {
			reason += " (" + note + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, yesNo(d.Registrable), dash(string(d.Tier)), price, renewal, reason)
	}
	return tw.Flush()
}

func (e *cmdEnv) extensions(args []string) error {
	f := newFlags(e, "extensions [EXT]", "List the extensions registrable through the API, or show what a registration on one needs.",
		"registrar extensions us")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return f.usageError("extensions takes at most one extension, not %d", len(pos))
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	if len(pos) == 1 {
		ext, err := c.Extension(e.ctx, strings.TrimPrefix(pos[0], "."))
		if err != nil {
			return err
		}
		if api.json() {
			return writeJSON(e.stdout, ext)
		}
		return extensionDetail(e.stdout, ext)
	}
	exts := []client.Extension{}
	for ext, err := range c.Extensions(e.ctx, client.ListOptions{PerPage: 50}) {
		if err != nil {
			return err
		}
		exts = append(exts, ext)
	}
	if api.json() {
		return writeJSON(e.stdout, exts)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "EXTENSION\tTLD\tYEARS\tREQUIRES")
	for _, ext := range exts {
		s := parseSchema(ext.RegistrationSchema)
		var req []string
		for _, fl := range s.fields() {
			if fl.required {
				req = append(req, fl.name)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ext.Metadata.Name, ext.Metadata.TLD, s.years(), dash(strings.Join(req, ", ")))
	}
	return tw.Flush()
}

func extensionDetail(w io.Writer, ext *client.Extension) error {
	s := parseSchema(ext.RegistrationSchema)
	if err := (rows{w}).print("extension", ext.Metadata.Name, "tld", ext.Metadata.TLD, "years", s.years()); err != nil {
		return err
	}
	fields := s.fields()
	if len(fields) == 0 {
		fmt.Fprintln(w, "\nA registration needs only the domain name (and a registrant, by default the account's).")
		return nil
	}
	fmt.Fprintln(w)
	tw := table(w)
	fmt.Fprintln(tw, "FIELD\tREQUIRED\tVALUES\tFLAG")
	for _, fl := range fields {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", fl.name, yesNo(fl.required), dash(strings.Join(fl.values, " ")), fl.flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, fl := range fields {
		if fl.description != "" {
			fmt.Fprintf(w, "\n%s: %s", fl.name, fl.description)
		}
	}
	fmt.Fprintln(w)
	return nil
}

// schema is the part of an extension's registration schema (JSON Schema)
// the tables show.
type schema struct {
	Description string            `json:"description"`
	Enum        []any             `json:"enum"`
	Const       any               `json:"const"`
	Minimum     *float64          `json:"minimum"`
	Maximum     *float64          `json:"maximum"`
	Properties  map[string]schema `json:"properties"`
	Required    []string          `json:"required"`
}

func parseSchema(raw json.RawMessage) schema {
	var s schema
	json.Unmarshal(raw, &s) // a schema of another shape shows less
	return s
}

func (s schema) years() string {
	y := s.Properties["years"]
	if y.Minimum == nil || y.Maximum == nil {
		return "-"
	}
	return fmt.Sprintf("%g to %g", *y.Minimum, *y.Maximum)
}

// schemaField is a registry-specific field of a registration: a contact
// extension or an acknowledgement.
type schemaField struct {
	name, flag, description string
	required                bool
	values                  []string
}

// fields are the contact extensions and acknowledgements of a
// registration, the required ones first.
func (s schema) fields() []schemaField {
	var out []schemaField
	for _, group := range []string{"contact_extensions", "acknowledgements"} {
		g := s.Properties[group]
		for _, name := range sortedKeys(g.Properties) {
			p := g.Properties[name]
			fl := schemaField{name: group + "." + name, description: p.Description, required: slices.Contains(g.Required, name)}
			for _, v := range p.Enum {
				fl.values = append(fl.values, fmt.Sprint(v))
			}
			if p.Const != nil {
				fl.values = []string{fmt.Sprint(p.Const)}
			}
			fl.flag = "--contact-extension " + name + "=VALUE"
			if group == "acknowledgements" {
				fl.flag = "--ack " + name
			}
			out = append(out, fl)
		}
	}
	slices.SortStableFunc(out, func(a, b schemaField) int {
		switch {
		case a.required == b.required:
			return 0
		case a.required:
			return -1
		}
		return 1
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// nonNil makes a nil slice an empty one, for JSON's [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
