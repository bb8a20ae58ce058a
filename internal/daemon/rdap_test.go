package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	openrdap "github.com/openrdap/rdap"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/rdap"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestRDAP registers a name through the live API and reads it back from
// the same server's RDAP service, unauthenticated; a sandbox name stays
// private. The registrar entity carries the operator's --rdap-* settings.
func TestRDAP(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
		c.RDAP.RegistrarName, c.RDAP.IANAID, c.RDAP.AbuseEmail = "Example Registrar, Inc.", "9999", "abuse@registrar.test"
	})
	if r := s.register("registrar", "rdap-live.com"); r.Status != http.StatusCreated || r.status(t).State != registrar.StateSucceeded {
		t.Fatalf("live POST = %d %s, want 201 succeeded", r.Status, r.Body)
	}
	s.register("registrar-sandbox", "rdap-sandbox.com")
	if st := s.waitState("registrar-sandbox", "rdap-sandbox.com", 20*time.Second, completed); st.State != registrar.StateSucceeded {
		t.Fatalf("sandbox registration = %s, want succeeded", st.State)
	}

	base := "http://" + s.d.Addr() + "/rdap/"
	code, body := rdapGet(t, base+"domain/rdap-live.com")
	if code != http.StatusOK {
		t.Fatalf("GET domain/rdap-live.com = %d %s, want 200", code, body)
	}
	var d rdap.Domain
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.LDHName != "rdap-live.com" || len(d.Status) == 0 || len(d.Redacted) == 0 {
		t.Errorf("domain = %s, want rdap-live.com with status and redactions", body)
	}
	if !strings.HasPrefix(d.Links[0].Href, "http://"+s.d.Addr()+"/rdap/domain/") {
		t.Errorf("self link = %s, want under this server's address", d.Links[0].Href)
	}
	var reg *rdap.Entity
	for i := range d.Entities {
		if slices.Contains(d.Entities[i].Roles, "registrar") {
			reg = &d.Entities[i]
		}
	}
	if reg == nil || reg.Handle != "9999" || len(reg.PublicIDs) != 1 || reg.PublicIDs[0] != (rdap.PublicID{Type: "IANA Registrar ID", Identifier: "9999"}) ||
		!strings.Contains(fmt.Sprint(reg.VCardArray), "Example Registrar, Inc.") ||
		len(reg.Entities) != 1 || !slices.Contains(reg.Entities[0].Roles, "abuse") || !strings.Contains(fmt.Sprint(reg.Entities[0].VCardArray), "abuse@registrar.test") {
		t.Errorf("registrar entity = %+v, want handle and IANA Registrar ID 9999, name Example Registrar, Inc., abuse entity abuse@registrar.test", reg)
	}
	checkWithOpenRDAP(t, base, "rdap-live.com")
	// The notes check can fail: a wrong JSON type deep inside is noted.
	bad, err := openrdap.NewDecoder([]byte(`{"objectClassName":"domain","ldhName":"x.com","events":[{"eventAction":"registration","eventDate":7}]}`)).Decode()
	if err != nil || len(decodeNotes(reflect.ValueOf(bad), "domain")) == 0 {
		t.Errorf("openrdap decoded an event date of the wrong type without a note (%v)", err)
	}
	for _, personal := range []string{daemon.SampleContact().Email, daemon.SampleContact().PostalInfo.Name, daemon.SampleContact().Phone} {
		if strings.Contains(string(body), personal) {
			t.Errorf("the answer shows the registrant's %q: %s", personal, body)
		}
	}

	for path, want := range map[string]int{
		"domain/rdap-sandbox.com": http.StatusNotFound,
		"domain/never-here.com":   http.StatusNotFound,
		"domain/bad_name.com":     http.StatusBadRequest,
		"help":                    http.StatusOK,
	} {
		if code, body := rdapGet(t, base+path); code != want {
			t.Errorf("GET %s = %d %s, want %d", path, code, body, want)
		}
	}
}

// rdapGet GETs an RDAP URL and checks the headers and the body's shape
// against the RFC 9083 schema kept with the rdap package.
func rdapGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct, cors := res.Header.Get("Content-Type"), res.Header.Get("Access-Control-Allow-Origin"); ct != rdap.ContentType || cors != "*" {
		t.Errorf("GET %s: Content-Type %q, Access-Control-Allow-Origin %q; want %q, *", url, ct, cors, rdap.ContentType)
	}
	raw, err := os.ReadFile("../rdap/testdata/rfc9083.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("rfc9083.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("rfc9083.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("GET %s: invalid against the RFC 9083 schema: %v\n%s", url, err, body)
	}
	return res.StatusCode, body
}

// checkWithOpenRDAP reads a domain with an independent RDAP client,
// github.com/openrdap/rdap, and checks that it decodes without a note (a
// member of the wrong JSON type) and carries what the profile requires.
func checkWithOpenRDAP(t *testing.T, base, name string) {
	t.Helper()
	server, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c := &openrdap.Client{HTTP: http.DefaultClient}
	res, err := c.Do(&openrdap.Request{Type: openrdap.DomainRequest, Query: name, Server: server})
	if err != nil {
		t.Fatalf("openrdap: domain %s: %v", name, err)
	}
	d, ok := res.Object.(*openrdap.Domain)
	if !ok {
		t.Fatalf("openrdap: domain %s decoded as %T", name, res.Object)
	}
	if notes := decodeNotes(reflect.ValueOf(d), "domain"); len(notes) > 0 {
		t.Errorf("openrdap: domain %s decoded with notes: %v", name, notes)
	}
	events := map[string]bool{}
	for _, e := range d.Events {
		if _, err := time.Parse(time.RFC3339, e.Date); err != nil {
			t.Errorf("openrdap: event %s date %q: %v", e.Action, e.Date, err)
		}
		events[e.Action] = true
	}
	roles := map[string]bool{}
	for _, e := range d.Entities {
		for _, r := range e.Roles {
			roles[r] = true
		}
	}
	if d.LDHName != name || len(d.Status) == 0 || len(d.Nameservers) < 2 || d.SecureDNS == nil || d.SecureDNS.DelegationSigned == nil ||
		!events["registration"] || !events["expiration"] || !roles["registrar"] || !roles["registrant"] ||
		!slices.Contains(d.Conformance, "icann_rdap_response_profile_1") {
		t.Errorf("openrdap: domain %s = %s, want its name, status, name servers, secureDNS, registration and expiration events, registrar and registrant entities, the ICANN profile",
			name, res.HTTP[len(res.HTTP)-1].Body)
	}
}

// decodeNotes collects the notes openrdap's decoder left on v and on
// every object inside it.
func decodeNotes(v reflect.Value, at string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return decodeNotes(v.Elem(), at)
	case reflect.Slice:
		var notes []string
		for i := range v.Len() {
			notes = append(notes, decodeNotes(v.Index(i), fmt.Sprintf("%s[%d]", at, i))...)
		}
		return notes
	case reflect.Struct:
		var notes []string
		if f := v.FieldByName("DecodeData"); f.IsValid() && !f.IsNil() {
			data := f.Interface().(*openrdap.DecodeData)
			for _, field := range data.Fields() {
				for _, n := range data.Notes(field) {
					notes = append(notes, at+"."+field+": "+n)
				}
			}
		}
		for i := range v.NumField() {
			if v.Type().Field(i).Name != "DecodeData" && v.Type().Field(i).IsExported() {
				notes = append(notes, decodeNotes(v.Field(i), at+"."+v.Type().Field(i).Name)...)
			}
		}
		return notes
	}
	return nil
}
