package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/openapi"
	"github.com/openregistrar/registrar/internal/openapi/openapitest"
	"github.com/openregistrar/registrar/internal/registrar"
)

// TestOpenAPIDocument: GET /client/v4/openapi.json answers the embedded
// document without a token, and it is a valid OpenAPI 3.1 document.
func TestOpenAPIDocument(t *testing.T) {
	a := newTestAPI(t, registrar.DefaultCatalog())
	for _, method := range []string{"GET", "HEAD"} {
		req := httptest.NewRequest(method, "/client/v4/openapi.json", nil)
		rec := httptest.NewRecorder()
		a.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d, want 200: %s", method, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", method, ct)
		}
		if method == "HEAD" {
			if rec.Body.Len() != 0 {
				t.Errorf("HEAD: %d bytes of body", rec.Body.Len())
			}
			continue
		}
		if !bytes.Equal(rec.Body.Bytes(), openapi.Document()) {
			t.Fatalf("GET served %d bytes, not the embedded document's %d", rec.Body.Len(), len(openapi.Document()))
		}
		if _, err := openapitest.NewFrom(rec.Body.Bytes()); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			OpenAPI string `json:"openapi"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.1.0" {
			t.Errorf("openapi %q (%v), want 3.1.0", doc.OpenAPI, err)
		}
	}
}

// daemonRoutes are operations of the document that the daemon serves on
// its own mux, next to this package's handler: readiness needs the
// registries' pools and metrics may live on another listener. The daemon's
// tests validate them against the document.
var daemonRoutes = map[string]bool{"/readyz": true, "/metrics": true}

// TestOpenAPIRoutes: every route the server registers has an operation in
// the document, and every operation of the document is a route of the
// server (the mux routes a request for it to that route's pattern).
func TestOpenAPIRoutes(t *testing.T) {
	a := newTestAPI(t, registrar.DefaultCatalog())
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	if len(a.srv.patterns) < 40 {
		t.Fatalf("the server recorded %d routes; want every route of both environments", len(a.srv.patterns))
	}
	for _, p := range a.srv.patterns {
		if !slices.Contains(ops, p) {
			t.Errorf("route %s has no operation in internal/openapi/openapi.json", p)
		}
	}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		if daemonRoutes[path] {
			continue
		}
		// A concrete URL for the operation's path: the mux must route it
		// to a pattern that is the operation itself.
		url := strings.NewReplacer("{account_id}", "acct", "{domain}", "example.com", "{host}", "ns1.example.com",
			"{ext}", "com", "{id}", "wh1", "{delivery}", "7", "{code}", "abc").Replace(path)
		_, pattern := a.srv.mux.Handler(httptest.NewRequest(method, url, nil))
		if pattern != op {
			t.Errorf("the document's %s is routed to %q, not to itself: the server has no such route", op, pattern)
		}
	}
}
