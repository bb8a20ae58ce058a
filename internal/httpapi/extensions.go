package httpapi

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/openregistrar/registrar/internal/domainname"
	"github.com/openregistrar/registrar/internal/registrar"
)

// extensionRoutes registers GET extensions and extensions/{ext} under base.
func (s *Server) extensionRoutes(env registrar.Env, base string) {
	read := registrar.ScopeRead
	s.handle(base+"/extensions", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.handleExtensionList),
	})
	s.handle(base+"/extensions/{ext}", map[string]http.HandlerFunc{
		"GET": s.api(env, read, s.handleExtensionGet),
	})
}

// extensionItem is one extension of GET extensions: the SDK's
// ExtensionListResponse and ExtensionGetResponse. transfer_schema is
// required by the TypeScript SDK (7.3.0) and unknown to the Go SDK
// (v7.9.0), which keeps it among its extra fields.
type extensionItem struct {
	Metadata           extensionMetadata `json:"metadata"`
	RegistrationSchema json.RawMessage   `json:"registration_schema"`
	TransferSchema     json.RawMessage   `json:"transfer_schema"`
}

// extensionMetadata names an extension: name is the whole extension
// ("co.uk"), tld its top-level domain ("uk"); both ASCII.
type extensionMetadata struct {
	Name string `json:"name"`
	TLD  string `json:"tld"`
}

func (s *Server) extensionItem(e registrar.Extension) extensionItem {
	reg, _ := s.catalog().RegistrationSchema(e.Name)
	transfer, _ := s.catalog().TransferSchema(e.Name)
	return extensionItem{Metadata: extensionMetadata{Name: e.Name, TLD: e.TLD()}, RegistrationSchema: reg, TransferSchema: transfer}
}

// Sort orders of GET extensions: the SDK's ExtensionListParamsSortBy.
// created_at and updated_at are the catalog entry's times; ties go by name.
const (
	extSortName      = "name"
	extSortCreatedAt = "created_at"
	extSortUpdatedAt = "updated_at"
)

// extensionCursor is the position after the last item of a page, bound
// to the query that made it. It travels base64url-encoded, opaque to
// clients.
type extensionCursor struct {
	Version int    `json:"v"`
	SortBy  string `json:"s"`
	Desc    bool   `json:"d,omitempty"`
	Filter  string `json:"f,omitempty"` // the name filter
	Key     int64  `json:"k,omitempty"` // the sort time, unix microseconds; 0 by name
	Name    string `json:"n"`           // the last item's name
}

const extensionCursorVersion = 1

func (c extensionCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeExtensionCursor(s string) (extensionCursor, bool) {
	var c extensionCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 512 {
		return c, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return c, false
	}
	return c, c.Version == extensionCursorVersion && c.Name != ""
}

// handleExtensionList answers GET extensions: the extensions registrable
// through the API (what POST /registrations accepts), a page at a time,
// with an ETag.
func (s *Server) handleExtensionList(w http.ResponseWriter, r *request) error {
	const op = "httpapi.extensions"
	q := r.URL.Query()
	sortBy := q.Get("sort_by")
	switch sortBy {
	case "":
		sortBy = extSortName
	case extSortName, extSortCreatedAt, extSortUpdatedAt:
	default:
		return registrar.Invalid(op, "?sort_by", "sort_by must be one of name, created_at, updated_at")
	}
	desc := false
	switch q.Get("direction") {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return registrar.Invalid(op, "?direction", `direction must be "asc" or "desc"`)
	}
	perPage := registrar.DefaultPerPage
	if pp := q.Get("per_page"); pp != "" {
		n, err := strconv.Atoi(pp)
		if err != nil || n < 1 || n > registrar.MaxPerPage {
			return registrar.Invalid(op, "?per_page", "per_page must be a whole number from 1 to %d", registrar.MaxPerPage)
		}
		perPage = n
	}
	// name filters by exact name, in any form ParseExtension accepts;
	// one that is no extension at all matches nothing.
	filter := q.Get("name")
	if filter != "" {
		if n, err := domainname.ParseExtension(filter); err == nil {
			filter = n
		}
	}
	key := func(e registrar.Extension) int64 {
		switch sortBy {
		case extSortCreatedAt:
			return e.CreatedAt.UnixMicro()
		case extSortUpdatedAt:
			return e.UpdatedAt.UnixMicro()
		}
		return 0
	}
	order := func(ka int64, na string, kb int64, nb string) int {
		c := cmp.Or(cmp.Compare(ka, kb), cmp.Compare(na, nb))
		if desc {
			return -c
		}
		return c
	}

	cat := s.catalog()
	var exts []registrar.Extension
	for _, name := range cat.Names() {
		if filter == "" || name == filter {
			e, _ := cat.Lookup(name)
			exts = append(exts, e)
		}
	}
	slices.SortFunc(exts, func(a, b registrar.Extension) int { return order(key(a), a.Name, key(b), b.Name) })
	if cs := q.Get("cursor"); cs != "" {
		c, ok := decodeExtensionCursor(cs)
		if !ok || c.SortBy != sortBy || c.Desc != desc || c.Filter != filter {
			return registrar.Invalid(op, "?cursor", "cursor is not valid for this sort order and filter; start again without it")
		}
		i := slices.IndexFunc(exts, func(e registrar.Extension) bool { return order(key(e), e.Name, c.Key, c.Name) > 0 })
		if i < 0 {
			i = len(exts)
		}
		exts = exts[i:]
	}
	next := ""
	if len(exts) > perPage {
		exts = exts[:perPage]
		last := exts[perPage-1]
		next = extensionCursor{Version: extensionCursorVersion, SortBy: sortBy, Desc: desc, Filter: filter, Key: key(last), Name: last.Name}.encode()
	}
	items := make([]extensionItem, 0, len(exts))
	for _, e := range exts {
		items = append(items, s.extensionItem(e))
	}
	writeConditional(w, r, envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: items,
		ResultInfo: &resultInfo{Count: len(items), Cursor: next, PerPage: perPage}})
	return nil
}

// handleExtensionGet answers GET extensions/{ext}, for an extension in any
// form ParseExtension accepts ("com", ".com", "co.uk", "みんな"). Only
// extensions registrable through the API have one; the others are 404,
// with the reason.
func (s *Server) handleExtensionGet(w http.ResponseWriter, r *request) error {
	const op = "httpapi.extension"
	in := r.PathValue("ext")
	name, err := domainname.ParseExtension(in)
	if err != nil {
		var de *domainname.Error
		if errors.As(err, &de) && de.Rule == domainname.RuleUnknownExtension {
			return registrar.Errorf(registrar.KindNotFound, op, "%s", err.Error())
		}
		return registrar.Errorf(registrar.KindInvalid, op, "extension in the path: %s", err.Error())
	}
	e, ok := s.catalog().Lookup(name)
	switch {
	case !ok:
		return registrar.Errorf(registrar.KindNotFound, op, "the extension .%s is not supported by this registrar", name)
	case e.Support == registrar.SupportDashboard:
		return registrar.Errorf(registrar.KindNotFound, op, "the extension .%s is not supported for registration through the API; it can be registered in the dashboard", name)
	case e.Support != registrar.SupportAPI:
		return registrar.Errorf(registrar.KindNotFound, op, "the registry of .%s does not accept new registrations at this time", name)
	}
	writeConditional(w, r, envelope{Success: true, Errors: []errorItem{}, Messages: []any{}, Result: s.extensionItem(e)})
	return nil
}

// writeConditional writes a 200 JSON response with a strong ETag (the
// SHA-256 of the body), or 304 Not Modified with no body when the request's
// If-None-Match names that tag (RFC 9110 section 13.1.2).
func writeConditional(w http.ResponseWriter, r *request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeJSON(w, http.StatusOK, v) // writes the internal error
		return
	}
	b = append(b, '\n')
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if noneMatch(r.Header.Values("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// noneMatch reports whether If-None-Match header values match etag: "*",
// or a list of entity tags one of which equals etag by the weak comparison
// (a W/ prefix is ignored), as RFC 9110 requires for If-None-Match.
func noneMatch(values []string, etag string) bool {
	for _, v := range values {
		for i := 0; i < len(v); {
			switch c := v[i]; {
			case c == ' ' || c == '\t' || c == ',':
				i++
				continue
			case c == '*':
				return true
			}
			if len(v)-i >= 2 && v[i:i+2] == "W/" {
				i += 2
			}
			if i >= len(v) || v[i] != '"' {
				return false // malformed: match nothing
			}
			end := i + 1
			for end < len(v) && v[end] != '"' {
				end++
			}
			if end == len(v) {
				return false
			}
			if v[i:end+1] == etag {
				return true
			}
			i = end + 1
		}
	}
	return false
}

// catalog is the server's catalog, or the default one.
func (s *Server) catalog() *registrar.Catalog {
	if s.Catalog != nil {
		return s.Catalog
	}
	return registrar.DefaultCatalog()
}
