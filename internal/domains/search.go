package domains

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// Search limits.
const (
	// MaxSearchLimit is the most suggestions one search returns.
	MaxSearchLimit = 50
	// MaxQueryChars is the longest query, in characters (Unicode code
	// points), after surrounding spaces are trimmed.
	MaxQueryChars = 100
	// maxWords is how many words of a phrase make a name; the rest are
	// ignored.
	maxWords = 8
)

// popular lists the extensions people ask for most, most popular first.
// Searches rank extensions in this order, then the others alphabetically.
var popular = []string{
	"com", "net", "org", "app", "dev", "io", "co", "ai", "xyz", "info",
	"shop", "online", "site", "store", "tech", "cloud", "blog", "pro", "live", "page",
}

// variantWeight is how many places down the extension ranking one step
// down the label ranking is worth: with 3, mycoffeeshop.com ranks with
// coffeeshop.app, the fourth extension.
const variantWeight = 3

// Search implements [registrar.Domains]. query is a keyword ("coffee"), a
// phrase ("coffee shop") or a domain name ("example.com", "bücher.de");
// extensions, when not empty, restricts the extensions searched (each
// value may list several, comma-separated; values that are not
// extensions the registrar offers through the API in env are silently
// ignored, as the API reference says, and when none is left the search
// covers every extension, as without the parameter); limit is 1 to
// [MaxSearchLimit].
//
// Suggestions are made of labels and extensions. The labels, best first:
// the name's own label (for a domain name) or the phrase's words joined
// ("coffeeshop"), then that with "my" and "get" in front, the words joined
// with hyphens ("coffee-shop", for a phrase of several words), and with
// "the" in front. The extensions, best first: the one typed with a domain
// name, then the [popular] ones in order, then the rest alphabetically. A
// suggestion's score is its extension's rank plus [variantWeight] times
// its label's rank, lowest first; ties go to the better label. So the
// exact label comes first on the popular extensions, and the variants
// mix in on the most popular ones.
//
// Availability comes from the cache; the names it lacks are asked, one
// Check per registry for all of them, and cached for the cache TTL. So
// results are not authoritative: a name can have been registered since.
func (s *Service) Search(ctx context.Context, env registrar.Env, query string, extensions []string, limit int) ([]registrar.DomainAvailability, error) {
	const op = "domains.Search"
	if limit < 1 || limit > MaxSearchLimit {
		return nil, registrar.Invalid(op, "?limit", "limit must be a whole number from 1 to %d", MaxSearchLimit)
	}
	exts := s.filter(env, extensions)
	labels, typed, err := s.parseQuery(query)
	if err != nil {
		return nil, err
	}
	names := rank(labels, exts, typed, limit)
	out := make([]registrar.DomainAvailability, len(names))
	var asks []ask
	for i, c := range names {
		if a, ok := s.cache.Get(cacheKey{env, c.name}, time.Now()); ok {
			out[i] = a
			continue
		}
		reg, terms, _ := s.route(env, c.ext) // searchable, so routed
		out[i] = registrar.DomainAvailability{Name: c.name}
		asks = append(asks, ask{reg: reg, name: c.name, terms: terms, at: i})
	}
	if err := s.ask(ctx, env, asks, out); err != nil {
		return nil, err
	}
	return out, nil
}

// filter returns the extensions a search in env covers, most popular
// first: those of the searchable ones that extensions names, or all of
// them when it names none. Values that are not searchable extensions
// (not offered through the API in env, or not extensions at all) are
// ignored.
func (s *Service) filter(env registrar.Env, extensions []string) []string {
	all := s.searchable[env]
	want := map[string]bool{}
	for _, v := range extensions {
		for part := range strings.SplitSeq(v, ",") {
			if ext, err := domainname.ParseExtension(strings.TrimSpace(part)); err == nil {
				want[ext] = true
			}
		}
	}
	var exts []string
	for _, e := range all {
		if want[e] {
			exts = append(exts, e)
		}
	}
	if len(exts) == 0 {
		return all
	}
	return exts
}

// parseQuery returns the labels (ASCII) a query suggests, best first, and
// the extension typed with a domain name ("" for a keyword or phrase).
func (s *Service) parseQuery(query string) (labels []string, typed string, err error) {
	const op = "domains.Search"
	q := strings.TrimSpace(query)
	switch {
	case q == "":
		return nil, "", registrar.InvalidRule(op, registrar.RuleQueryMissing, "?q", "q is required: a keyword, a phrase or a domain name to search for")
	case utf8.RuneCountInString(q) > MaxQueryChars:
		return nil, "", registrar.InvalidRule(op, registrar.RuleQueryTooLong, "?q", "q is longer than %d characters", MaxQueryChars)
	}
	if ext, ok := s.bareExtension(q); ok {
		return nil, "", registrar.Invalid(op, "?q", "q %q is an extension on its own; search for a keyword or a domain name, like \"example.%s\"", q, ext)
	}
	words, typed := subject(q)
	seen := map[string]bool{}
	for _, v := range variants(words) {
		// The label's A-label form; Parse checks it as the registries will.
		n, err := domainname.Parse(v + ".com")
		if err != nil || seen[n.Label] {
			continue
		}
		seen[n.Label] = true
		labels = append(labels, n.Label)
	}
	if len(labels) == 0 {
		return nil, "", registrar.Invalid(op, "?q", "q %q has nothing a domain name can be made of: use letters, digits or a domain name", q)
	}
	return labels, typed, nil
}

// bareExtension reports whether q is an extension on its own, so not
// something to search for: written with a leading dot (".app"), of several
// labels ("co.uk"), or one in the registrar's catalog ("com"). Other
// single words that happen to be top-level domains ("coffee") are
// keywords.
func (s *Service) bareExtension(q string) (string, bool) {
	ext, err := domainname.ParseExtension(q)
	if err != nil {
		return "", false
	}
	_, known := s.catalog.Lookup(ext)
	return ext, known || strings.HasPrefix(q, ".") || strings.Contains(ext, ".")
}

// subject returns what a query is about: for a domain name, its label (in
// Unicode form) and extension ("www.example.com" is about example.com);
// for anything else, its words: runs of letters, digits and inner hyphens
// ("coffee-shop" is one word, kept as typed).
func subject(q string) (words []string, ext string) {
	if !strings.ContainsFunc(q, unicode.IsSpace) && strings.Contains(q, ".") {
		for name := q; name != ""; {
			n, err := domainname.Parse(name)
			if err == nil {
				label, _, _ := strings.Cut(n.Unicode, ".")
				return []string{label}, n.Extension
			}
			var de *domainname.Error
			if !errors.As(err, &de) || de.Rule != domainname.RuleNotRegistrable {
				break
			}
			_, name, _ = strings.Cut(name, ".")
		}
	}
	for w := range strings.FieldsFuncSeq(strings.ToLower(q), func(r rune) bool {
		return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	}) {
		if w = strings.Trim(w, "-"); w != "" && len(words) < maxWords {
			words = append(words, w)
		}
	}
	return words, ""
}

// variants returns the labels made of words, best first (see Search).
func variants(words []string) []string {
	if len(words) == 0 {
		return nil
	}
	joined := strings.Join(words, "")
	v := []string{joined, "my" + joined, "get" + joined}
	if len(words) > 1 {
		v = append(v, strings.Join(words, "-"))
	}
	return append(v, "the"+joined)
}

// byPopularity sorts extensions: the popular ones in their order, then the
// others alphabetically.
func byPopularity(exts []string) []string {
	rank := func(e string) int {
		if i := slices.Index(popular, e); i >= 0 {
			return i
		}
		return len(popular)
	}
	return slices.SortedStableFunc(slices.Values(exts), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
}

// candidate is one suggestion.
type candidate struct {
	name, ext    string
	score, label int
}

// rank returns the best limit suggestions of labels on exts (see Search),
// typed first among the extensions when it is one of them.
func rank(labels, exts []string, typed string, limit int) []candidate {
	if i := slices.Index(exts, typed); i > 0 {
		exts = slices.Concat([]string{typed}, exts[:i], exts[i+1:])
	}
	cands := make([]candidate, 0, len(labels)*len(exts))
	for li, l := range labels {
		for ei, e := range exts {
			cands = append(cands, candidate{name: l + "." + e, ext: e, score: ei + variantWeight*li, label: li})
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.label, b.label))
	})
	return cands[:min(limit, len(cands))]
}
