package rdap_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

var (
	created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now     = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
)

// bundle is a real store with registrations in it and the handler over
// it.
type bundle struct {
	t    *testing.T
	db   *store.DB
	acct string
	h    http.Handler
}

func newBundle(t *testing.T, edit func(*rdap.Config)) *bundle {
	t.Helper()
	db := storetest.Open(t, storetest.SQLite)
	acct, _, err := db.CreateAccount(context.Background(), "rdap", nil, created)
	if err != nil {
		t.Fatal(err)
	}
	cfg := rdap.Config{RegistrarName: "Example Registrar", IANAID: "9999", AbuseEmail: "abuse@registrar.example",
		PublicURL: "https://registrar.example/", Now: func() time.Time { return now }}
	if edit != nil {
		edit(&cfg)
	}
	return &bundle{t: t, db: db, acct: acct.ID, h: rdap.Handler(withDNS{db}, cfg)}
}

// withDNS adds nameservers and DS records to what the store returns for
// dns.net, until the store keeps them (issue 14's other parts).
type withDNS struct{ *store.DB }

func (s withDNS) PublicRegistration(ctx context.Context, domain string) (*registrar.Registration, time.Time, error) {
	g, changed, err := s.DB.PublicRegistration(ctx, domain)
	if err == nil && domain == "dns.net" {
		g.Nameservers = []string{"ns1.dns.net", "ns2.xn--bcher-kva.example"}
		g.DNSSEC = &registrar.DNSSEC{DSRecords: []registrar.DSRecord{{KeyTag: 12345, Algorithm: 13, DigestType: 2,
			Digest: "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1E8E7D6F6B3C3E1F1D5E1A2B"}}}
	}
	return g, changed, err
}

func (b *bundle) add(env registrar.Env, domain string, status registrar.RegistrationStatus, locked bool) {
	b.t.Helper()
	exp := created.AddDate(1, 0, 0)
	g := &registrar.Registration{AccountID: b.acct, Env: env, WorkflowID: "wf-" + domain, DomainName: domain,
		Status: registrar.RegistrationActive, CreatedAt: created, ExpiresAt: &exp, Locked: locked, PrivacyMode: registrar.PrivacyRedaction}
	err := b.db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.ClaimDomain(context.Background(), g, 1); err != nil {
			return err
		}
		g.Status = status
		return tx.SaveRegistrationStatus(context.Background(), g, created.AddDate(1, 0, 5))
	})
	if err != nil {
		b.t.Fatal(err)
	}
}

func (b *bundle) get(path string) *httptest.ResponseRecorder {
	b.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = "192.0.2.1:4321"
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	checkResponse(b.t, w.Code, w.Header(), w.Body.Bytes())
	return w
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// checkResponse checks what every answer must be: RDAP JSON, open to any
// origin, valid against testdata/rfc9083.schema.json, and an error body
// with the status as its errorCode when it is not a 200.
func checkResponse(t testing.TB, code int, h http.Header, body []byte) {
	t.Helper()
	schemaOnce.Do(func() {
		raw, err := os.ReadFile("testdata/rfc9083.schema.json")
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if schemaErr = c.AddResource("rfc9083.schema.json", doc); schemaErr == nil {
			schema, schemaErr = c.Compile("rfc9083.schema.json")
		}
	})
	if schemaErr != nil {
		t.Fatalf("schema: %v", schemaErr)
	}
	if got := h.Get("Content-Type"); got != rdap.ContentType {
		t.Errorf("Content-Type = %q, want %q", got, rdap.ContentType)
	}
	if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("body invalid against the RFC 9083 schema: %v\n%s", err, body)
	}
	if code != http.StatusOK {
		var e rdap.Error
		if err := json.Unmarshal(body, &e); err != nil || e.ErrorCode != code || e.Title == "" || len(e.Description) == 0 {
			t.Errorf("error body = %s (%v), want errorCode %d with title and description", body, err, code)
		}
	}
}

func decodeDomain(t *testing.T, w *httptest.ResponseRecorder) rdap.Domain {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", w.Code, w.Body)
	}
	var d rdap.Domain
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDomainActive(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	b.add(registrar.EnvLive, "example.com", registrar.RegistrationActive, false)

	d := decodeDomain(t, b.get("/rdap/domain/EXAMPLE.com."))

	if d.LDHName != "example.com" || d.UnicodeName != "" || d.ObjectClassName != "domain" {
		t.Errorf("ldhName, unicodeName, objectClassName = %q, %q, %q; want example.com, none, domain", d.LDHName, d.UnicodeName, d.ObjectClassName)
	}
	if diff := cmp.Diff([]string{"active"}, d.Status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	wantEvents := []rdap.Event{
		{Action: "registration", Date: "2026-01-02T03:04:05Z"},
		{Action: "expiration", Date: "2027-01-02T03:04:05Z"},
		{Action: "last changed", Date: "2027-01-07T03:04:05Z"},
		{Action: "last update of RDAP database", Date: "2026-12-03T12:00:00Z"},
	}
	if diff := cmp.Diff(wantEvents, d.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if d.SecureDNS.DelegationSigned || d.Nameservers != nil {
		t.Errorf("secureDNS, nameservers = %+v, %+v; want unsigned, none", d.SecureDNS, d.Nameservers)
	}
	if want := "https://registrar.example/rdap/domain/example.com"; d.Links[0].Href != want || d.Links[0].Rel != "self" {
		t.Errorf("links = %+v, want self %s", d.Links, want)
	}

	roles := map[string]rdap.Entity{}
	for _, e := range d.Entities {
		roles[e.Roles[0]] = e
	}
	reg := roles["registrar"]
	if diff := cmp.Diff([]rdap.PublicID{{Type: "IANA Registrar ID", Identifier: "9999"}}, reg.PublicIDs); diff != "" || reg.Handle != "9999" {
		t.Errorf("registrar handle %q, publicIds (-want +got):\n%s", reg.Handle, diff)
	}
	if len(reg.Entities) != 1 || reg.Entities[0].Roles[0] != "abuse" || !strings.Contains(mustJSON(reg.Entities[0]), "abuse@registrar.example") {
		t.Errorf("registrar entities = %s, want the abuse contact", mustJSON(reg.Entities))
	}
	for _, role := range []string{"registrant", "technical"} {
		e, ok := roles[role]
		if !ok {
			t.Errorf("no %s entity", role)
			continue
		}
		if e.Handle != "" || strings.Contains(mustJSON(e), "@") {
			t.Errorf("%s entity = %s, want no handle nor email", role, mustJSON(e))
		}
	}
	var redacted []string
	for _, r := range d.Redacted {
		redacted = append(redacted, r.Name.Type+"/"+r.Method)
	}
	for _, want := range []string{"Registrant Name/emptyValue", "Registrant Email/removal", "Registrant Phone/removal",
		"Registry Registrant ID/removal", "Tech Name/emptyValue", "Tech Email/removal"} {
		if !slices.Contains(redacted, want) {
			t.Errorf("redacted = %v, want %s among them", redacted, want)
		}
	}
	if !slices.Contains(d.Conformance, "redacted") {
		t.Errorf("rdapConformance = %v, want redacted", d.Conformance)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDomainIDNAndDNS(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	b.add(registrar.EnvLive, "xn--bcher-kva.com", registrar.RegistrationActive, false)
	b.add(registrar.EnvLive, "dns.net", registrar.RegistrationActive, false)

	for _, path := range []string{"/rdap/domain/xn--bcher-kva.com", "/rdap/domain/b%C3%BCcher.com", "/rdap/domain/BÜCHER.com"} {
		d := decodeDomain(t, b.get(path))
		if d.LDHName != "xn--bcher-kva.com" || d.UnicodeName != "bücher.com" {
			t.Errorf("GET %s: ldhName, unicodeName = %q, %q; want xn--bcher-kva.com, bücher.com", path, d.LDHName, d.UnicodeName)
		}
	}

	d := decodeDomain(t, b.get("/rdap/domain/dns.net"))
	want := []rdap.Nameserver{{ObjectClassName: "nameserver", LDHName: "ns1.dns.net"},
		{ObjectClassName: "nameserver", LDHName: "ns2.xn--bcher-kva.example", UnicodeName: "ns2.bücher.example"}}
	if diff := cmp.Diff(want, d.Nameservers); diff != "" {
		t.Errorf("nameservers (-want +got):\n%s", diff)
	}
	if !d.SecureDNS.DelegationSigned || len(d.SecureDNS.DSData) != 1 || d.SecureDNS.DSData[0].KeyTag != 12345 {
		t.Errorf("secureDNS = %+v, want signed with key tag 12345", d.SecureDNS)
	}
}

func TestDomainStatus(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	for _, tc := range []struct {
		domain string
		status registrar.RegistrationStatus
		locked bool
		want   []string
	}{
		{"active.com", registrar.RegistrationActive, false, []string{"active"}},
		{"locked.com", registrar.RegistrationActive, true, []string{"client transfer prohibited"}},
		{"expired.com", registrar.RegistrationExpired, false, []string{"auto renew period"}},
		{"redemption.com", registrar.RegistrationRedemptionPeriod, false, []string{"redemption period", "pending delete"}},
		{"deleting.com", registrar.RegistrationPendingDelete, false, []string{"pending delete"}},
	} {
		b.add(registrar.EnvLive, tc.domain, tc.status, tc.locked)
		d := decodeDomain(t, b.get("/rdap/domain/"+tc.domain))
		if diff := cmp.Diff(tc.want, d.Status); diff != "" {
			t.Errorf("%s (%s, locked %v): status (-want +got):\n%s", tc.domain, tc.status, tc.locked, diff)
		}
	}
}

func TestNotFoundAndBadRequest(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	b.add(registrar.EnvSandbox, "sandboxonly.com", registrar.RegistrationActive, false)
	b.add(registrar.EnvLive, "pending.com", registrar.RegistrationPending, false)
	b.add(registrar.EnvLive, "suspended.com", registrar.RegistrationSuspended, false)

	for _, tc := range []struct {
		path string
		code int
	}{
		{"/rdap/domain/unsponsored.com", http.StatusNotFound},
		{"/rdap/domain/sandboxonly.com", http.StatusNotFound},
		{"/rdap/domain/pending.com", http.StatusNotFound},
		{"/rdap/domain/suspended.com", http.StatusNotFound},
		{"/rdap/domain/not_a_name.com", http.StatusBadRequest},
		{"/rdap/domain/com", http.StatusBadRequest},
		{"/rdap/domain/-bad.com", http.StatusBadRequest},
		{"/rdap/domain/a%20b.com", http.StatusBadRequest},
		{"/rdap/nameserver/ns1.example.com", http.StatusNotImplemented},
		{"/rdap/whatever", http.StatusNotFound},
	} {
		if w := b.get(tc.path); w.Code != tc.code {
			t.Errorf("GET %s = %d, want %d; body %s", tc.path, w.Code, tc.code, w.Body)
		}
	}
	if w := b.get("/rdap/domain/unsponsored.com"); !strings.Contains(w.Body.String(), "not sponsored by Example Registrar") {
		t.Errorf("404 body = %s, want it to say the name is not sponsored by us", w.Body)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	w := b.get("/rdap/help")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /rdap/help = %d, want 200", w.Code)
	}
	var h rdap.Help
	if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil || len(h.Notices) != 3 {
		t.Errorf("help = %s (%v), want the three notices", w.Body, err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := now
	b := newBundle(t, func(c *rdap.Config) {
		c.RateLimit, c.RateBurst = 6, 3 // a token every 10 s
		c.Now = func() time.Time { return clock }
	})
	for i := range 3 {
		if w := b.get("/rdap/help"); w.Code != http.StatusOK {
			t.Fatalf("request %d = %d, want 200 within the burst", i, w.Code)
		}
	}
	w := b.get("/rdap/domain/example.com")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "10" {
		t.Fatalf("over the burst: %d with Retry-After %q, want 429 with 10", w.Code, w.Header().Get("Retry-After"))
	}

	r := httptest.NewRequest("GET", "/rdap/help", nil)
	r.RemoteAddr = "[2001:db8::1]:1"
	other := httptest.NewRecorder()
	b.h.ServeHTTP(other, r)
	if other.Code != http.StatusOK {
		t.Errorf("another address = %d, want 200: buckets are per address", other.Code)
	}

	clock = clock.Add(10 * time.Second)
	if w := b.get("/rdap/help"); w.Code != http.StatusOK {
		t.Errorf("after 10 s = %d, want 200 (one token back)", w.Code)
	}
	if w := b.get("/rdap/help"); w.Code != http.StatusTooManyRequests {
		t.Errorf("then = %d, want 429", w.Code)
	}
}

// TestSchemaRejects shows the schema is not vacuous: a good answer with
// one thing broken fails it.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	b := newBundle(t, nil)
	b.add(registrar.EnvLive, "example.com", registrar.RegistrationActive, false)
	good := b.get("/rdap/domain/example.com").Body.String()

	for name, edit := range map[string]func(map[string]any){
		"EPP status":         func(d map[string]any) { d["status"] = []any{"ok"} },
		"no redacted value":  func(d map[string]any) { d["rdapConformance"] = []any{"rdap_level_0"} },
		"upper-case ldhName": func(d map[string]any) { d["ldhName"] = "Example.com" },
		"no notices":         func(d map[string]any) { d["notices"] = []any{} },
		"bad method": func(d map[string]any) {
			d["redacted"].([]any)[0].(map[string]any)["method"] = "hidden"
		},
	} {
		var d map[string]any
		if err := json.Unmarshal([]byte(good), &d); err != nil {
			t.Fatal(err)
		}
		edit(d)
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(mustJSON(d)))
		if err := schema.Validate(inst); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}
