package httpapi

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// listAll walks GET extensions with query q (without cursor) to the end,
// and returns the names and the page sizes.
func (a *testAPI) listAll(env string, q url.Values) (names []string, sizes []int) {
	a.t.Helper()
	cursor := ""
	for range 100 {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if cursor != "" {
			qq.Set("cursor", cursor)
		}
		r := a.do("GET", env, "extensions?"+qq.Encode(), "")
		if r.Status != http.StatusOK || r.Env.ResultInfo == nil {
			a.t.Fatalf("GET extensions?%s = %d %s", qq.Encode(), r.Status, r.Body)
		}
		var items []extensionItem
		if err := json.Unmarshal(r.Env.Result, &items); err != nil {
			a.t.Fatal(err)
		}
		if r.Env.ResultInfo.Count != len(items) {
			a.t.Errorf("result_info.count = %d for %d items", r.Env.ResultInfo.Count, len(items))
		}
		for _, it := range items {
			names = append(names, it.Metadata.Name)
		}
		sizes = append(sizes, len(items))
		if cursor = r.Env.ResultInfo.Cursor; cursor == "" {
			return names, sizes
		}
	}
	a.t.Fatal("the cursors never end")
	return nil, nil
}

func TestExtensionList(t *testing.T) {
	t.Parallel()
	cat := testCatalog()
	api := newTestAPI(t, cat)
	byKey := func(key func(registrar.Extension) int64, desc bool) []string {
		var exts []registrar.Extension
		for _, n := range cat.Names() {
			e, _ := cat.Lookup(n)
			exts = append(exts, e)
		}
		slices.SortFunc(exts, func(a, b registrar.Extension) int {
			c := cmp.Or(cmp.Compare(key(a), key(b)), strings.Compare(a.Name, b.Name))
			if desc {
				return -c
			}
			return c
		})
		var names []string
		for _, e := range exts {
			names = append(names, e.Name)
		}
		return names
	}
	none := func(registrar.Extension) int64 { return 0 }
	created := func(e registrar.Extension) int64 { return e.CreatedAt.UnixMicro() }
	updated := func(e registrar.Extension) int64 { return e.UpdatedAt.UnixMicro() }
	tests := []struct {
		name  string
		q     url.Values
		want  []string
		sizes []int
	}{
		{"default", url.Values{}, cat.Names(), []int{20, 20, 2}},
		{"name desc by 7", url.Values{"sort_by": {"name"}, "direction": {"desc"}, "per_page": {"7"}}, byKey(none, true), []int{7, 7, 7, 7, 7, 7}},
		{"created_at", url.Values{"sort_by": {"created_at"}, "per_page": {"15"}}, byKey(created, false), []int{15, 15, 12}},
		{"created_at desc", url.Values{"sort_by": {"created_at"}, "direction": {"desc"}, "per_page": {"50"}}, byKey(created, true), []int{42}},
		{"updated_at asc", url.Values{"sort_by": {"updated_at"}, "direction": {"asc"}, "per_page": {"1"}}, byKey(updated, false), slices.Repeat([]int{1}, 42)},
		{"filter", url.Values{"name": {"com"}}, []string{"com"}, []int{1}},
		{"filter with a dot and capitals", url.Values{"name": {".COM"}}, []string{"com"}, []int{1}},
		{"filter IDN", url.Values{"name": {"みんな"}}, []string{"xn--q9jyb4c"}, []int{1}},
		{"filter on a dashboard extension", url.Values{"name": {"io"}}, nil, []int{0}},
		{"filter on no extension", url.Values{"name": {"not an extension"}}, nil, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, env := range []string{"registrar", "registrar-sandbox"} {
				names, sizes := api.listAll(env, tt.q)
				if !slices.Equal(names, tt.want) {
					t.Errorf("%s: names = %v\nwant %v", env, names, tt.want)
				}
				if !slices.Equal(sizes, tt.sizes) {
					t.Errorf("%s: page sizes = %v, want %v", env, sizes, tt.sizes)
				}
			}
		})
	}
	if slices.Equal(byKey(created, false), byKey(none, false)) {
		t.Error("the test catalog's creation order is its name order: the created_at cases test nothing")
	}

	// Items carry the metadata and the catalog's schema, as is.
	r := api.do("GET", "registrar", "extensions?per_page=50", "")
	var items []extensionItem
	if err := json.Unmarshal(r.Env.Result, &items); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		want, _ := cat.RegistrationSchema(it.Metadata.Name)
		e, _ := cat.Lookup(it.Metadata.Name)
		if it.Metadata.TLD != e.TLD() || string(it.RegistrationSchema) != string(want) {
			t.Errorf("item %s = tld %q schema %.80s, want tld %q and the catalog's schema", it.Metadata.Name, it.Metadata.TLD, it.RegistrationSchema, e.TLD())
		}
	}
	if r.Env.ResultInfo.PerPage != 50 {
		t.Errorf("result_info.per_page = %d, want 50", r.Env.ResultInfo.PerPage)
	}
}

func TestExtensionListBadQuery(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, nil)
	first := api.do("GET", "registrar", "extensions?per_page=2", "")
	cursor := url.QueryEscape(first.Env.ResultInfo.Cursor)
	tests := []struct{ query, says string }{
		{"per_page=0", "per_page"},
		{"per_page=51", "per_page"},
		{"per_page=ten", "per_page"},
		{"sort_by=price", "sort_by must be one of name, created_at, updated_at"},
		{"direction=up", "direction"},
		{"cursor=garbage", "cursor"},
		{"cursor=" + cursor + "&direction=desc", "cursor"},
		{"cursor=" + cursor + "&sort_by=created_at", "cursor"},
		{"cursor=" + cursor + "&name=com", "cursor"},
		{"cursor=eyJ2IjoyLCJzIjoibmFtZSIsIm4iOiJjb20ifQ", "cursor"}, // version 2
	}
	for _, tt := range tests {
		r := api.do("GET", "registrar", "extensions?"+tt.query, "")
		if r.Status != http.StatusBadRequest || len(r.Env.Errors) != 1 || r.Env.Errors[0].Code != CodeValidation ||
			!strings.Contains(r.Env.Errors[0].Message, tt.says) || r.Header.Get("x-should-retry") != "false" {
			t.Errorf("GET extensions?%s = %d %s, want 400 code 10000 naming %s", tt.query, r.Status, r.Body, tt.says)
		}
	}
	// The cursor works with its own query, and per_page may change.
	if r := api.do("GET", "registrar", "extensions?per_page=5&cursor="+cursor, ""); r.Status != http.StatusOK {
		t.Errorf("GET the next page = %d %s", r.Status, r.Body)
	}
}

func TestExtensionGet(t *testing.T) {
	t.Parallel()
	cat := testCatalog()
	api := newTestAPI(t, cat)
	tests := []struct {
		in       string // path segment, unescaped
		status   int
		name     string // metadata.name on 200, a substring of the message otherwise
		tld      string
		wantCode int
	}{
		{"com", 200, "com", "com", 0},
		{".com", 200, "com", "com", 0},
		{"COM.", 200, "com", "com", 0},
		{"us", 200, "us", "us", 0},
		{"みんな", 200, "xn--q9jyb4c", "xn--q9jyb4c", 0},
		{".XN--Q9JYB4C", 200, "xn--q9jyb4c", "xn--q9jyb4c", 0},
		{"co.uk", 404, "not supported for registration through the API", "", CodeNotFound},
		{"io", 404, "dashboard", "", CodeNotFound},
		{"tk", 404, "does not accept new registrations", "", CodeNotFound},
		{"jp", 404, "not supported by this registrar", "", CodeNotFound},
		{"nope", 404, "not a known ICANN extension", "", CodeNotFound},
		{"example.com", 404, `its extension is "com"`, "", CodeNotFound},
		{"a b", 400, "extension in the path", "", CodeValidation},
	}
	for _, tt := range tests {
		r := api.do("GET", "registrar-sandbox", "extensions/"+url.PathEscape(tt.in), "")
		if r.Status != tt.status {
			t.Errorf("GET extensions/%s = %d %s, want %d", tt.in, r.Status, r.Body, tt.status)
			continue
		}
		if tt.status != 200 {
			if len(r.Env.Errors) != 1 || r.Env.Errors[0].Code != tt.wantCode || !strings.Contains(r.Env.Errors[0].Message, tt.name) || r.Env.Success {
				t.Errorf("GET extensions/%s = %s, want code %d saying %q", tt.in, r.Body, tt.wantCode, tt.name)
			}
			continue
		}
		var it extensionItem
		if err := json.Unmarshal(r.Env.Result, &it); err != nil {
			t.Fatal(err)
		}
		want, _ := cat.RegistrationSchema(tt.name)
		if it.Metadata.Name != tt.name || it.Metadata.TLD != tt.tld || string(it.RegistrationSchema) != string(want) {
			t.Errorf("GET extensions/%s = %+v, want %s (tld %s) and its schema", tt.in, it.Metadata, tt.name, tt.tld)
		}
	}
}

// TestExtensionETag: both endpoints send a strong ETag that depends only
// on the body; If-None-Match with it (or *) gives 304 with no body.
func TestExtensionETag(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t, nil)
	for _, path := range []string{"extensions", "extensions?per_page=3&sort_by=updated_at", "extensions/com", "extensions/.com"} {
		first := api.do("GET", "registrar", path, "")
		etag := first.Header.Get("ETag")
		if first.Status != 200 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) != 66 {
			t.Fatalf("GET %s = %d, ETag %q; want 200 with a strong quoted SHA-256 tag", path, first.Status, etag)
		}
		again := api.do("GET", "registrar-sandbox", path, "")
		if again.Header.Get("ETag") != etag || string(again.Body) != string(first.Body) {
			t.Errorf("GET %s twice: ETags %s and %s; want the same body and tag", path, etag, again.Header.Get("ETag"))
		}
		for _, inm := range []string{etag, "W/" + etag, `"x", ` + etag, `"a,b",` + etag, "*"} {
			r := api.do("GET", "registrar", path, "", "If-None-Match", inm)
			if r.Status != http.StatusNotModified || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
				t.Errorf("GET %s If-None-Match %s = %d %q ETag %q, want 304 with no body and the ETag", path, inm, r.Status, r.Body, r.Header.Get("ETag"))
			}
		}
		for _, inm := range []string{`"other"`, strings.Trim(etag, `"`), `W/"x"`, `"unterminated`} {
			if r := api.do("GET", "registrar", path, "", "If-None-Match", inm); r.Status != http.StatusOK || len(r.Body) == 0 {
				t.Errorf("GET %s If-None-Match %s = %d, want 200 with the body", path, inm, r.Status)
			}
		}
	}
	a := api.do("GET", "registrar", "extensions/com", "").Header.Get("ETag")
	b := api.do("GET", "registrar", "extensions/net", "").Header.Get("ETag")
	c := api.do("GET", "registrar", "extensions?per_page=2", "").Header.Get("ETag")
	if a == b || a == c {
		t.Errorf("different bodies share an ETag: %s %s %s", a, b, c)
	}
}

func TestNoneMatch(t *testing.T) {
	t.Parallel()
	tag := `"abc"`
	for _, tt := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{`"abc"`}, true},
		{[]string{` W/"abc" `}, true},
		{[]string{`"x"`, `"abc"`}, true},
		{[]string{`"x","y" , "abc"`}, true},
		{[]string{`*`}, true},
		{[]string{`abc`}, false},
		{[]string{`"ab`}, false},
		{[]string{`"abcd"`}, false},
		{[]string{`W/`}, false},
	} {
		if got := noneMatch(tt.values, tag); got != tt.want {
			t.Errorf("noneMatch(%q, %s) = %v, want %v", tt.values, tag, got, tt.want)
		}
	}
}
