package daemon_test

// The extensions catalog and the registration schemas through the
// official Cloudflare Go SDK (Extensions.List, ListAutoPaging and Get on
// both registrar services), and the schema validation of POST
// /registrations.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	cloudflare "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/packages/pagination"
	cfreg "github.com/cloudflare/cloudflare-go/v7/registrar"
	cfsbx "github.com/cloudflare/cloudflare-go/v7/registrar_sandbox"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestSDKExtensions lists the catalog through List (page by page) and
// ListAutoPaging in every order the SDK offers, filters it by name, and
// reads single extensions through Get, checking every field the SDK
// decodes.
func TestSDKExtensions(t *testing.T) {
	t.Parallel()
	cat := registrar.DefaultCatalog()
	want := func(sortBy string, desc bool) []string {
		var exts []registrar.Extension
		for _, n := range cat.Names() {
			e, _ := cat.Lookup(n)
			exts = append(exts, e)
		}
		key := func(e registrar.Extension) int64 {
			switch sortBy {
			case "created_at":
				return e.CreatedAt.UnixMicro()
			case "updated_at":
				return e.UpdatedAt.UnixMicro()
			}
			return 0
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
	tests := []struct {
		name      string
		q         sdkExtList
		want      []string
		pageSizes []int
	}{
		{"default", sdkExtList{perPage: 7}, cat.Names(), []int{7, 7, 7, 7, 7, 6}},
		{"name desc", sdkExtList{sortBy: "name", direction: "desc", perPage: 20}, want("name", true), []int{20, 20, 1}},
		{"created_at", sdkExtList{sortBy: "created_at", perPage: 10}, want("created_at", false), []int{10, 10, 10, 10, 1}},
		{"created_at desc", sdkExtList{sortBy: "created_at", direction: "desc", perPage: 30}, want("created_at", true), []int{30, 11}},
		{"updated_at asc", sdkExtList{sortBy: "updated_at", direction: "asc", perPage: 40}, want("updated_at", false), []int{40, 1}},
		{"default page size", sdkExtList{}, cat.Names(), []int{20, 20, 1}},
		{"name filter", sdkExtList{name: "us"}, []string{"us"}, []int{1}},
		{"name filter with a dot", sdkExtList{name: ".page"}, []string{"page"}, []int{1}},
	}
	if len(cat.Names()) != 41 {
		t.Fatalf("the default catalog has %d API extensions; the page sizes below assume 41", len(cat.Names()))
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		c := sdkClient(s)
		for _, api := range sdkExtAPIs {
			t.Run(api.env, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				for _, tt := range tests {
					q := tt.q
					q.account = s.account
					pages, err := api.pages(ctx, c, q)
					if err != nil {
						t.Fatalf("%s: List(%+v) and GetNextPage = %v after %d pages", tt.name, q, err, len(pages))
					}
					var names, sizes []string
					for i, p := range pages {
						what := tt.name + ": List page " + strconv.Itoa(i+1)
						sdkCheckFields(t, what, p.obj)
						sdkCheckFields(t, what+".result_info", p.info)
						last := i == len(pages)-1
						perPage := q.perPage
						if perPage == 0 {
							perPage = registrar.DefaultPerPage
						}
						if p.count != int64(len(p.items)) || p.perPage != perPage || (p.cursor == "") != last {
							t.Errorf("%s result_info = {count %d, per_page %d, cursor %q}, want {%d, %d, cursor empty only on the last page}",
								what, p.count, p.perPage, p.cursor, len(p.items), perPage)
						}
						for _, it := range p.items {
							sdkCheckExtension(t, what, it, cat)
							names = append(names, it.Name)
						}
						sizes = append(sizes, strconv.Itoa(len(p.items)))
					}
					if !slices.Equal(names, tt.want) {
						t.Errorf("%s: List pages = %v\nwant %v", tt.name, names, tt.want)
					}
					var wantSizes []string
					for _, n := range tt.pageSizes {
						wantSizes = append(wantSizes, strconv.Itoa(n))
					}
					if !slices.Equal(sizes, wantSizes) {
						t.Errorf("%s: page sizes = %v, want %v", tt.name, sizes, wantSizes)
					}
					auto, err := api.all(ctx, c, q)
					if err != nil {
						t.Fatalf("%s: ListAutoPaging = %v", tt.name, err)
					}
					var autoNames []string
					for _, it := range auto {
						sdkCheckExtension(t, tt.name+": ListAutoPaging", it, cat)
						autoNames = append(autoNames, it.Name)
					}
					if !slices.Equal(autoNames, tt.want) {
						t.Errorf("%s: ListAutoPaging = %v\nwant %v", tt.name, autoNames, tt.want)
					}
				}

				// Get, in the forms a user may type.
				for in, wantName := range map[string]string{"com": "com", ".com": "com", "COM": "com", "com.": "com", "us": "us", ".page": "page"} {
					var res *http.Response
					it, err := api.get(ctx, c, s.account, in, option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("Get(%q) = %v", in, err)
					}
					sdkCheckExtension(t, "Get("+in+")", it, cat)
					if it.Name != wantName {
						t.Errorf("Get(%q).metadata.name = %q, want %q", in, it.Name, wantName)
					}
					if etag := res.Header.Get("ETag"); len(etag) != 66 || etag[0] != '"' {
						t.Errorf("Get(%q) ETag = %q, want a strong tag", in, etag)
					}
				}
				us, err := api.get(ctx, c, s.account, "us")
				if err != nil {
					t.Fatal(err)
				}
				var usSchema struct {
					Schema     string   `json:"$schema"`
					Required   []string `json:"required"`
					Properties struct {
						Years struct {
							Minimum, Maximum int
						} `json:"years"`
						ContactExtensions struct {
							Required   []string `json:"required"`
							Properties map[string]struct {
								Enum []string `json:"enum"`
							} `json:"properties"`
						} `json:"contact_extensions"`
					} `json:"properties"`
				}
				sdkRemarshal(t, us.Schema, &usSchema)
				ce := usSchema.Properties.ContactExtensions
				if usSchema.Schema != "https://json-schema.org/draft/2020-12/schema" || !slices.Contains(usSchema.Required, "contact_extensions") ||
					!slices.Equal(ce.Required, []string{"nexus_category", "application_purpose"}) ||
					!slices.Equal(ce.Properties["nexus_category"].Enum, []string{"C11", "C12", "C21", "C31", "C32"}) ||
					!slices.Equal(ce.Properties["application_purpose"].Enum, []string{"P1", "P2", "P3", "P4", "P5"}) ||
					usSchema.Properties.Years.Minimum != 1 || usSchema.Properties.Years.Maximum != 10 {
					t.Errorf("Get(us).registration_schema = %+v, want 2020-12 with required nexus_category (C11..C32) and application_purpose (P1..P5), years 1 to 10", usSchema)
				}
			})
		}
	})
}

// TestSDKExtensionErrors: Get of an extension that is unknown, or not
// registrable through the API, is a 404 *cloudflare.Error sent once.
func TestSDKExtensionErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	for _, api := range sdkExtAPIs {
		for _, tt := range []struct{ ext, says string }{
			{"io", "dashboard"},
			{"co.uk", "dashboard"},
			{"tk", "does not accept new registrations"},
			{"jp", "not supported by this registrar"},
			{"notanextension", "not a known ICANN extension"},
		} {
			t.Run(api.env+"/"+tt.ext, func(t *testing.T) {
				t.Parallel()
				counter := &sdkCountingTransport{}
				c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
				_, err := api.get(t.Context(), c, s.account, tt.ext)
				var ae *cloudflare.Error
				if !errors.As(err, &ae) {
					t.Fatalf("Get(%q) = %v (%T), want a *cloudflare.Error", tt.ext, err, err)
				}
				if n := counter.n.Load(); n != 1 {
					t.Errorf("Get(%q) sent %d requests, want 1", tt.ext, n)
				}
				sdkCheckFields(t, "Get("+tt.ext+") error", ae)
				if ae.StatusCode != http.StatusNotFound || len(ae.Errors) != 1 || ae.Errors[0].Code != 10000 ||
					!strings.Contains(ae.Errors[0].Message, tt.says) || ae.Response.Header.Get("x-should-retry") != "false" {
					t.Errorf("Get(%q) = %d %s, want 404 code 10000 saying %q, x-should-retry false", tt.ext, ae.StatusCode, ae.JSON.RawJSON(), tt.says)
				}
			})
		}
	}
}

// TestExtensionsConditionalGet: the list and an extension carry an ETag;
// If-None-Match with it answers 304 with no body, with a stale tag 200.
func TestExtensionsConditionalGet(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	get := func(url, inm string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	for _, env := range []string{"registrar", "registrar-sandbox"} {
		for _, path := range []string{"/extensions", "/extensions?per_page=5&sort_by=created_at&direction=desc", "/extensions/com", "/extensions/us"} {
			url := s.base(env) + path
			res, body := get(url, "")
			etag := res.Header.Get("ETag")
			if res.StatusCode != http.StatusOK || len(etag) != 66 || !json.Valid(body) {
				t.Fatalf("GET %s = %d ETag %q, want 200 with a strong ETag", url, res.StatusCode, etag)
			}
			again, body2 := get(url, "")
			if again.Header.Get("ETag") != etag || string(body2) != string(body) {
				t.Errorf("GET %s again: ETag %q, want %q and the same body", url, again.Header.Get("ETag"), etag)
			}
			for _, inm := range []string{etag, "W/" + etag, `"stale", ` + etag} {
				res, body := get(url, inm)
				if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
					t.Errorf("GET %s If-None-Match %s = %d (%d bytes), want 304 with no body", url, inm, res.StatusCode, len(body))
				}
			}
			if res, body := get(url, `"stale"`); res.StatusCode != http.StatusOK || string(body) != string(body2) {
				t.Errorf("GET %s with a stale tag = %d, want 200 with the body", url, res.StatusCode)
			}
		}
	}
	if r := s.do("GET", s.base("registrar")+"/extensions/nope", s.token, nil); r.Status != http.StatusNotFound || r.Header.Get("ETag") != "" {
		t.Errorf("GET extensions/nope = %d ETag %q, want 404 without an ETag", r.Status, r.Header.Get("ETag"))
	}
}

// TestSDKRegistrationSchema: POST /registrations checks the body against
// its extension's registration schema: one error per violation, each with
// its pointer, through the SDK (both services) and plain HTTP; a body
// within the schema registers.
func TestSDKRegistrationSchema(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		domain   string
		ce, acks map[string]any // nil: omitted
		pointers []string
	}{
		{"us without contact_extensions", "schema-a.us", nil, nil, []string{"/contact_extensions"}},
		{"us with none of its contact extensions", "schema-b.us", map[string]any{}, nil,
			[]string{"/contact_extensions/application_purpose", "/contact_extensions/nexus_category"}},
		{"us with wrong and unknown values", "schema-c.us", map[string]any{"nexus_category": "C99", "application_purpose": 5, "colour": "red"}, nil,
			[]string{"/contact_extensions/application_purpose", "/contact_extensions/colour", "/contact_extensions/nexus_category"}},
		{"page without its acknowledgement", "schema-d.page", nil, map[string]any{}, []string{"/acknowledgements/hsts_preload"}},
		{"page acknowledgement false", "schema-e.page", nil, map[string]any{"hsts_preload": false}, []string{"/acknowledgements/hsts_preload"}},
		{"com with a contact extension", "schema-f.com", map[string]any{"nexus_category": "C11"}, nil, []string{"/contact_extensions/nexus_category"}},
	}
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, sdkLongSyncWait)
		for _, api := range sdkExtAPIs {
			for _, tt := range tests {
				if !sdkRegistersIn(api.env, tt.domain) {
					continue // the sandbox registers com and net only (TestSDKSandboxRules)
				}
				t.Run(api.env+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					domain := sdkName(api.env, tt.domain)
					counter := &sdkCountingTransport{}
					c := sdkClient(s, option.WithHTTPClient(&http.Client{Transport: counter}))
					_, err := api.create(t.Context(), c, s.account, domain, tt.ce, tt.acks)
					var ae *cloudflare.Error
					if !errors.As(err, &ae) {
						t.Fatalf("New(%q) = %v (%T), want a *cloudflare.Error", domain, err, err)
					}
					if n := counter.n.Load(); n != 1 {
						t.Errorf("New(%q) sent %d requests, want 1", domain, n)
					}
					sdkCheckFields(t, "New("+domain+") error", ae)
					var ptrs []string
					for i, e := range ae.Errors {
						if e.Code != 10000 || e.Message == "" || !strings.Contains(e.Message, strings.TrimPrefix(e.Source.Pointer, "/")) {
							t.Errorf("New(%q) errors[%d] = {code %d, message %q}, want code 10000 and a message naming %s", domain, i, e.Code, e.Message, e.Source.Pointer)
						}
						ptrs = append(ptrs, e.Source.Pointer)
					}
					if ae.StatusCode != http.StatusBadRequest || !slices.Equal(ptrs, tt.pointers) || ae.Response.Header.Get("x-should-retry") != "false" {
						t.Errorf("New(%q) = %d with pointers %q, want 400 with %q and x-should-retry false", domain, ae.StatusCode, ptrs, tt.pointers)
					}

					// The same body over plain HTTP.
					body := map[string]any{"domain_name": domain}
					if api.env == "registrar-sandbox" {
						body["contacts"] = map[string]any{"registrant": daemon.SampleContact()}
					}
					if tt.ce != nil {
						body["contact_extensions"] = tt.ce
					}
					if tt.acks != nil {
						body["acknowledgements"] = tt.acks
					}
					r := s.do("POST", s.base(api.env)+"/registrations", s.token, body)
					var plain []string
					for _, e := range r.Env.Errors {
						if e.Source != nil {
							plain = append(plain, e.Source.Pointer)
						}
					}
					if r.Status != http.StatusBadRequest || !slices.Equal(plain, tt.pointers) {
						t.Errorf("POST %s = %d %s, want 400 with pointers %q", s.base(api.env)+"/registrations", r.Status, r.Body, tt.pointers)
					}
					if n := s.creates(domain); n != 0 {
						t.Errorf("the registry received %d creates for %s", n, domain)
					}
				})
			}
			t.Run(api.env+"/within the schema", func(t *testing.T) {
				t.Parallel()
				c := sdkClient(s)
				for _, ok := range []struct {
					domain   string
					ce, acks map[string]any
				}{
					{"schema-ok.us", map[string]any{"nexus_category": "C12", "application_purpose": "P3"}, nil},
					{"schema-ok.page", nil, map[string]any{"hsts_preload": true}},
					{"schema-ok.app", nil, nil},
					{"schema-ok.com", nil, nil},
				} {
					if !sdkRegistersIn(api.env, ok.domain) {
						continue
					}
					domain := sdkName(api.env, ok.domain)
					var res *http.Response
					st, err := api.create(t.Context(), c, s.account, domain, ok.ce, ok.acks, option.WithResponseInto(&res))
					if err != nil {
						t.Fatalf("New(%q) = %v, want it registered", domain, err)
					}
					if res.StatusCode != http.StatusCreated || st != "succeeded" {
						t.Errorf("New(%q) = %d %s, want 201 succeeded", domain, res.StatusCode, st)
					}
				}
			})
		}
	})
}

// sdkExt is an extension as either SDK service decoded it.
type sdkExt struct {
	Name, TLD string
	Schema    any
	// Transfer is transfer_schema as sent: the Go SDK (v7.9.0) has no
	// field for it and keeps it among the extra fields.
	Transfer  string
	obj, meta any // the SDK's objects, for sdkCheckFields
}

type sdkExtPage struct {
	items          []*sdkExt
	count, perPage int64
	cursor         string
	obj, info      any
}

type sdkExtList struct {
	account, sortBy, direction, name string
	perPage                          int64
}

// sdkExtAPI is the Extensions service of one of the SDK's registrar
// services, and New with contact extensions and acknowledgements.
type sdkExtAPI struct {
	env    string
	pages  func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]sdkExtPage, error)
	all    func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]*sdkExt, error)
	get    func(ctx context.Context, c *cloudflare.Client, account, ext string, opts ...option.RequestOption) (*sdkExt, error)
	create func(ctx context.Context, c *cloudflare.Client, account, domain string, ce, acks map[string]any, opts ...option.RequestOption) (state string, err error)
}

var sdkExtAPIs = []sdkExtAPI{
	{
		env: "registrar",
		pages: func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]sdkExtPage, error) {
			page, err := c.Registrar.Extensions.List(ctx, sdkLiveExtParams(q))
			return sdkExtWalk(page, err, func(e cfreg.ExtensionListResponse) *sdkExt {
				return &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: e, meta: e.Metadata}
			})
		},
		all: func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]*sdkExt, error) {
			it := c.Registrar.Extensions.ListAutoPaging(ctx, sdkLiveExtParams(q))
			var out []*sdkExt
			for it.Next() && len(out) < 1000 {
				e := it.Current()
				out = append(out, &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: e, meta: e.Metadata})
			}
			return out, it.Err()
		},
		get: func(ctx context.Context, c *cloudflare.Client, account, ext string, opts ...option.RequestOption) (*sdkExt, error) {
			e, err := c.Registrar.Extensions.Get(ctx, ext, cfreg.ExtensionGetParams{AccountID: cloudflare.F(account)}, opts...)
			if err != nil {
				return nil, err
			}
			return &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: *e, meta: e.Metadata}, nil
		},
		create: func(ctx context.Context, c *cloudflare.Client, account, domain string, ce, acks map[string]any, opts ...option.RequestOption) (string, error) {
			p := cfreg.RegistrationNewParams{AccountID: cloudflare.F(account), DomainName: cloudflare.F(domain)}
			if ce != nil {
				p.ContactExtensions = cloudflare.F(ce)
			}
			if acks != nil {
				p.Acknowledgements = cloudflare.F(acks)
			}
			w, err := c.Registrar.Registrations.New(ctx, p, opts...)
			if err != nil {
				return "", err
			}
			return string(w.State), nil
		},
	},
	{
		env: "registrar-sandbox",
		pages: func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]sdkExtPage, error) {
			page, err := c.RegistrarSandbox.Extensions.List(ctx, sdkSandboxExtParams(q))
			return sdkExtWalk(page, err, func(e cfsbx.ExtensionListResponse) *sdkExt {
				return &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: e, meta: e.Metadata}
			})
		},
		all: func(ctx context.Context, c *cloudflare.Client, q sdkExtList) ([]*sdkExt, error) {
			it := c.RegistrarSandbox.Extensions.ListAutoPaging(ctx, sdkSandboxExtParams(q))
			var out []*sdkExt
			for it.Next() && len(out) < 1000 {
				e := it.Current()
				out = append(out, &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: e, meta: e.Metadata})
			}
			return out, it.Err()
		},
		get: func(ctx context.Context, c *cloudflare.Client, account, ext string, opts ...option.RequestOption) (*sdkExt, error) {
			e, err := c.RegistrarSandbox.Extensions.Get(ctx, ext, cfsbx.ExtensionGetParams{AccountID: cloudflare.F(account)}, opts...)
			if err != nil {
				return nil, err
			}
			return &sdkExt{Name: e.Metadata.Name, TLD: e.Metadata.TLD, Schema: e.RegistrationSchema, Transfer: e.JSON.ExtraFields["transfer_schema"].Raw(), obj: *e, meta: e.Metadata}, nil
		},
		create: func(ctx context.Context, c *cloudflare.Client, account, domain string, ce, acks map[string]any, opts ...option.RequestOption) (string, error) {
			p := cfsbx.RegistrationNewParams{AccountID: cloudflare.F(account), DomainName: cloudflare.F(domain),
				Contacts: cloudflare.F(sdkSandboxContacts(daemon.SampleContact()))} // the sandbox has no express mode
			if ce != nil {
				p.ContactExtensions = cloudflare.F(ce)
			}
			if acks != nil {
				p.Acknowledgements = cloudflare.F(acks)
			}
			w, err := c.RegistrarSandbox.Registrations.New(ctx, p, opts...)
			if err != nil {
				return "", err
			}
			return string(w.State), nil
		},
	},
}

func sdkLiveExtParams(q sdkExtList) cfreg.ExtensionListParams {
	p := cfreg.ExtensionListParams{AccountID: cloudflare.F(q.account)}
	if q.sortBy != "" {
		p.SortBy = cloudflare.F(cfreg.ExtensionListParamsSortBy(q.sortBy))
	}
	if q.direction != "" {
		p.Direction = cloudflare.F(cfreg.ExtensionListParamsDirection(q.direction))
	}
	if q.name != "" {
		p.Name = cloudflare.F(q.name)
	}
	if q.perPage != 0 {
		p.PerPage = cloudflare.F(q.perPage)
	}
	return p
}

func sdkSandboxExtParams(q sdkExtList) cfsbx.ExtensionListParams {
	p := cfsbx.ExtensionListParams{AccountID: cloudflare.F(q.account)}
	if q.sortBy != "" {
		p.SortBy = cloudflare.F(cfsbx.ExtensionListParamsSortBy(q.sortBy))
	}
	if q.direction != "" {
		p.Direction = cloudflare.F(cfsbx.ExtensionListParamsDirection(q.direction))
	}
	if q.name != "" {
		p.Name = cloudflare.F(q.name)
	}
	if q.perPage != 0 {
		p.PerPage = cloudflare.F(q.perPage)
	}
	return p
}

// sdkExtWalk follows a list's pages with GetNextPage.
func sdkExtWalk[T any](page *pagination.CursorPagination[T], err error, conv func(T) *sdkExt) ([]sdkExtPage, error) {
	var pages []sdkExtPage
	for ; page != nil && err == nil; page, err = page.GetNextPage() {
		if len(pages) == sdkMaxPages {
			return pages, errors.New("more than 20 pages")
		}
		p := sdkExtPage{count: page.ResultInfo.Count, perPage: page.ResultInfo.PerPage, cursor: page.ResultInfo.Cursor, obj: page, info: page.ResultInfo}
		for _, it := range page.Result {
			p.items = append(p.items, conv(it))
		}
		pages = append(pages, p)
	}
	return pages, err
}

// sdkCheckExtension checks an extension the SDK decoded: every field
// present and well typed, the metadata (tld the last label of the name),
// and the registration schema the catalog has for it.
func sdkCheckExtension(t *testing.T, what string, e *sdkExt, cat *registrar.Catalog) {
	t.Helper()
	sdkCheckFields(t, what+": "+e.Name, e.obj)
	sdkCheckFields(t, what+": "+e.Name+".metadata", e.meta)
	ext, ok := cat.Lookup(e.Name)
	if !ok || ext.Support != registrar.SupportAPI {
		t.Errorf("%s: %q is not an extension registrable through the API", what, e.Name)
		return
	}
	if e.TLD != ext.TLD() || e.TLD == "" {
		t.Errorf("%s: %s has tld %q, want %q", what, e.Name, e.TLD, ext.TLD())
	}
	var got any
	sdkRemarshal(t, e.Schema, &got)
	raw, _ := cat.RegistrationSchema(e.Name)
	if g, _ := json.Marshal(got); string(g) != string(raw) {
		t.Errorf("%s: %s registration_schema = %.200s…, want the catalog's %.200s…", what, e.Name, g, raw)
	}
	raw, _ = cat.TransferSchema(e.Name)
	var transfer bytes.Buffer
	if err := json.Compact(&transfer, []byte(e.Transfer)); err != nil || transfer.String() != string(raw) {
		t.Errorf("%s: %s transfer_schema = %.200s… (%v), want the catalog's %.200s…", what, e.Name, e.Transfer, err, raw)
	}
	var ts struct {
		Required   []string `json:"required"`
		Properties struct {
			AuthCode struct {
				Pattern string `json:"pattern"`
			} `json:"auth_code"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &ts); err != nil || ts.Properties.AuthCode.Pattern != registrar.Base64Pattern ||
		slices.Contains(ts.Required, "auth_code") != (ext.TLD() != "uk") {
		t.Errorf("%s: %s transfer_schema has auth_code %+v, required %v (%v): want base64, required except under .uk", what, e.Name, ts.Properties.AuthCode, ts.Required, err)
	}
}

// sdkRemarshal decodes v, a value the SDK decoded as interface{}, into
// out.
func sdkRemarshal(t *testing.T, v, out any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// TestSDKExtensionsNotModified is revalidation as a Go SDK user does it
// (docs/API.md): read the ETag with option.WithResponseInto, send it
// back with option.WithHeader("If-None-Match", …), and take the raw
// response with option.WithResponseBodyInto, since a 304 has no body for
// the SDK to decode. The 304 keeps the ETag and has no body.
func TestSDKExtensionsNotModified(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	c := sdkClient(s)
	notModified := func(t *testing.T, what string, etag string, res *http.Response) {
		t.Helper()
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("%s with If-None-Match = %d ETag %q, %d bytes, %v; want 304, ETag %q, no body", what, res.StatusCode, res.Header.Get("ETag"), len(body), err, etag)
		}
	}
	for _, api := range sdkExtAPIs {
		t.Run(api.env+"/Get", func(t *testing.T) {
			t.Parallel()
			var first *http.Response
			if _, err := api.get(t.Context(), c, s.account, "com", option.WithResponseInto(&first)); err != nil {
				t.Fatalf("Get(com) = %v", err)
			}
			etag := first.Header.Get("ETag")
			if len(etag) != 66 {
				t.Fatalf("Get(com) ETag = %q, want a strong tag", etag)
			}
			var res *http.Response
			if _, err := api.get(t.Context(), c, s.account, "com", option.WithHeader("If-None-Match", etag), option.WithResponseBodyInto(&res)); err != nil {
				t.Fatalf("Get(com) with If-None-Match and the raw response = %v", err)
			}
			notModified(t, "Get(com)", etag, res)
			// Without the raw response the SDK fails to decode the empty
			// body: an error, but not an API error.
			_, err := api.get(t.Context(), c, s.account, "com", option.WithHeader("If-None-Match", etag))
			var ae *cloudflare.Error
			if err == nil || errors.As(err, &ae) {
				t.Errorf("Get(com) with If-None-Match = %v, want the SDK's decoding error", err)
			}
		})
	}
	t.Run("registrar/List", func(t *testing.T) {
		t.Parallel()
		params := cfreg.ExtensionListParams{AccountID: cloudflare.F(s.account)}
		var first *http.Response
		if _, err := c.Registrar.Extensions.List(t.Context(), params, option.WithResponseInto(&first)); err != nil {
			t.Fatalf("List = %v", err)
		}
		etag := first.Header.Get("ETag")
		var res *http.Response
		if _, err := c.Registrar.Extensions.List(t.Context(), params, option.WithHeader("If-None-Match", etag), option.WithResponseBodyInto(&res)); err != nil {
			t.Fatalf("List with If-None-Match and the raw response = %v", err)
		}
		notModified(t, "List", etag, res)
	})
}

// sdkRegistersIn reports whether env's API registers domain's extension:
// the sandbox's, com and net only.
func sdkRegistersIn(env, domain string) bool {
	_, ext, _ := strings.Cut(domain, ".")
	return env != "registrar-sandbox" || ext == "com" || ext == "net"
}

// sdkSandboxContacts is the contacts of a sandbox registration with r as
// registrant.
func sdkSandboxContacts(r *registrar.Contact) cfsbx.RegistrationNewParamsContacts {
	a := r.PostalInfo.Address
	return cfsbx.RegistrationNewParamsContacts{Registrant: cloudflare.F(cfsbx.RegistrationNewParamsContactsRegistrant{
		Email: cloudflare.F(r.Email), Phone: cloudflare.F(r.Phone),
		PostalInfo: cloudflare.F(cfsbx.RegistrationNewParamsContactsRegistrantPostalInfo{
			Name: cloudflare.F(r.PostalInfo.Name),
			Address: cloudflare.F(cfsbx.RegistrationNewParamsContactsRegistrantPostalInfoAddress{
				Street: cloudflare.F(a.Street), City: cloudflare.F(a.City), State: cloudflare.F(a.State),
				PostalCode: cloudflare.F(a.PostalCode), CountryCode: cloudflare.F(a.CountryCode),
			}),
		}),
	})}
}
