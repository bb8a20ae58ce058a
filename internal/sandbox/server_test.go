package sandbox

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

func TestServerGreeting(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	c := ts.dial(t)
	want := &epp.Greeting{
		SvID:     DefaultSvID,
		SvDate:   ts.clock.Now().Truncate(time.Microsecond),
		Versions: []string{"1.0"},
		Langs:    []string{"en"},
		ObjURIs:  []string{epp.NSDomain, epp.NSContact, epp.NSHost},
		ExtURIs:  []string{epp.NSFee, epp.NSNeuLevel, epp.NSRGP, epp.NSSecDNS},
	}
	opt := cmpopts.EquateApproxTime(time.Millisecond)
	if diff := cmp.Diff(want, c.greeting, opt); diff != "" {
		t.Errorf("greeting on connect mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, c.hello(), opt); diff != "" {
		t.Errorf("greeting for hello mismatch (-want +got):\n%s", diff)
	}
}

func TestServerStateMachine(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	c := ts.dial(t)
	check := &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"example.com"}}}

	// Before login: hello and login only.
	wantCode(t, "check before login", c.do(check), epp.CodeUseError)
	wantCode(t, "logout before login", c.do(&epp.Command{Logout: true}), epp.CodeUseError)
	wantCode(t, "poll before login", c.do(&epp.Command{Poll: &epp.Poll{Op: epp.PollReq}}), epp.CodeUseError)
	c.hello()
	wantCode(t, "login", c.do(loginCmd("ours", "ours-secret")), epp.CodeOK)
	c.hello()
	wantCode(t, "second login", c.do(loginCmd("ours", "ours-secret")), epp.CodeUseError)
	wantCode(t, "check after login", c.do(&epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"example.com"}}}), epp.CodeOK)
	wantCode(t, "logout", c.do(&epp.Command{Logout: true}), epp.CodeEndingSession)
	c.expectClosed()

	// Nothing reached the engine but the check after login.
	wantLog := []LogEntry{entry("ours", "check", "example.com", ok1000, "TR-004")}
	if diff := cmp.Diff(wantLog, mustLog(t, ts.e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}

func TestServerLogin(t *testing.T) {
	t.Parallel()
	withURIs := func(objs, exts []string) *epp.Command {
		c := loginCmd("ours", "ours-secret")
		c.Login.ObjURIs, c.Login.ExtURIs = objs, exts
		return c
	}
	tests := []struct {
		desc string
		cmd  *epp.Command
		want int
	}{
		{"ok", loginCmd("ours", "ours-secret"), epp.CodeOK},
		{"no extensions", withURIs([]string{epp.NSDomain}, nil), epp.CodeOK},
		{"wrong password", loginCmd("ours", "theirs-secret"), epp.CodeAuthenticationError},
		{"unknown client", loginCmd("nobody", "ours-secret"), epp.CodeAuthenticationError},
		{"unknown object", withURIs([]string{epp.NSDomain, "urn:example:widget-1.0"}, nil), epp.CodeUnimplementedObjectService},
		{"unknown extension", withURIs([]string{epp.NSDomain}, []string{"urn:ietf:params:xml:ns:launch-1.0"}), epp.CodeUnimplementedExtension},
		{"other lang", func() *epp.Command { c := loginCmd("ours", "ours-secret"); c.Login.Lang = "fr"; return c }(), epp.CodeUnimplementedOption},
		{"new password", func() *epp.Command {
			c := loginCmd("ours", "ours-secret")
			c.Login.NewPassword = "new-secret"
			return c
		}(),
			epp.CodeUnimplementedOption},
	}
	ts := startServer(t, serverOpts{cfg: ServerConfig{MaxSessionsPerClient: 100}})
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			c := ts.dial(t)
			r := c.do(tt.cmd)
			wantCode(t, "login", r, tt.want)
			if tt.want == epp.CodeOK {
				return
			}
			// A refused login leaves the session open, waiting for a login.
			wantCode(t, "login after a refused one", c.do(loginCmd("ours", "ours-secret")), epp.CodeOK)
		})
	}

	t.Run("version", func(t *testing.T) {
		t.Parallel()
		c := ts.dial(t)
		b, err := loginCmd("ours", "ours-secret").Marshal()
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte("<version>1.0</version>"), []byte("<version>2.0</version>"), 1)
		if err := epp.WriteFrame(c.conn, b); err != nil {
			t.Fatal(err)
		}
		r := c.read()
		wantCode(t, "login with version 2.0", r, epp.CodeUnimplementedVersion)
		if r.ClTRID != "login-ours" {
			t.Errorf("clTRID = %q, want login-ours", r.ClTRID)
		}
	})
}

func TestServerFailedLogins(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 3} {
		ts := startServer(t, serverOpts{cfg: ServerConfig{FailedLoginLimit: limit}})
		c := ts.dial(t)
		for i := 1; i < limit; i++ {
			wantCode(t, "failed login", c.do(loginCmd("ours", "wrong-pw")), epp.CodeAuthenticationError)
		}
		wantCode(t, "last failed login", c.do(loginCmd("ours", "wrong-pw")), epp.CodeAuthErrorClosing)
		c.expectClosed()
	}
	ts := startServer(t, serverOpts{}) // default: 3
	c := ts.dial(t)
	wantCode(t, "failed login 1", c.do(loginCmd("ours", "wrong-pw")), epp.CodeAuthenticationError)
	wantCode(t, "failed login 2", c.do(loginCmd("nobody", "ours-secret")), epp.CodeAuthenticationError)
	wantCode(t, "failed login 3", c.do(loginCmd("ours", "wrong-pw")), epp.CodeAuthErrorClosing)
	c.expectClosed()
}

func TestServerSessionLimit(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{cfg: ServerConfig{MaxSessionsPerClient: 2}})
	first := ts.login(t, "ours")
	second := ts.login(t, "ours")
	third := ts.dial(t)
	wantCode(t, "third login", third.do(loginCmd("ours", "ours-secret")), epp.CodeSessionLimitExceeded)
	third.expectClosed()
	// The limit is per client ID.
	ts.login(t, "theirs")
	// A session that ends frees its slot.
	wantCode(t, "logout", first.do(&epp.Command{Logout: true}), epp.CodeEndingSession)
	ts.login(t, "ours")
	fourth := ts.dial(t)
	wantCode(t, "login at the limit", fourth.do(loginCmd("ours", "ours-secret")), epp.CodeSessionLimitExceeded)
	// A session that the client drops frees its slot too, once the server
	// has seen it go.
	second.conn.Close()
	deadline := time.Now().Add(ioTimeout)
	for {
		c := ts.dial(t)
		code := c.do(loginCmd("ours", "ours-secret")).Code()
		if code == epp.CodeOK {
			break
		}
		if code != epp.CodeSessionLimitExceeded || time.Now().After(deadline) {
			t.Fatalf("login after a client dropped its session = %d", code)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServerServicesOfLogin(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	c := ts.dial(t)
	login := loginCmd("ours", "ours-secret")
	login.Login.ObjURIs, login.Login.ExtURIs = []string{epp.NSDomain}, nil
	wantCode(t, "login", c.do(login), epp.CodeOK)
	wantCode(t, "contact info without the contact service", c.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-1"}}),
		epp.CodeUnimplementedObjectService)
	wantCode(t, "host create without the host service", c.do(&epp.Command{HostCreate: &epp.HostCreate{Name: "ns1.example.net"}}),
		epp.CodeUnimplementedObjectService)
	fee := &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"example.com"},
		Fee: &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeCreate}}}}}
	wantCode(t, "fee check without the fee extension", c.do(fee), epp.CodeUnimplementedExtension)
	wantCode(t, "check", c.do(&epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"example.com"}}}), epp.CodeOK)
}

// adaContact is the contact the command tests create.
func adaContact(id string) *epp.ContactCreate {
	return &epp.ContactCreate{
		ID: id,
		PostalInfo: []epp.PostalInfo{{Type: epp.PostalInt, Name: "Ada Lovelace", Org: "Analytical Engines Ltd",
			Street: []string{"12 St James's Square"}, City: "London", PC: "SW1Y 4JH", CC: "GB"}},
		Voice:    "+44.2079460000",
		Email:    "ada@example.com",
		AuthInfo: "contact-secret",
	}
}

func domainCreate(name, registrant string) *epp.DomainCreate {
	return &epp.DomainCreate{Name: name, Registrant: registrant, AuthInfo: "auth-" + name}
}

func TestServerContacts(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us, them := ts.login(t, "ours"), ts.login(t, "theirs")
		t0 := ts.clock.Now().Truncate(time.Microsecond)

		r := us.do(&epp.Command{ContactCreate: adaContact("c-ada")})
		wantCode(t, "contact create", r, epp.CodeOK)
		if diff := cmp.Diff(&epp.ContactCreData{ID: "c-ada", CrDate: t0}, r.ContactCreate); diff != "" {
			t.Errorf("contact create creData mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "same contact create again", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeObjectExists)
		wantCode(t, "contact create of another's ID", them.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeObjectExists)
		noAuth := adaContact("c-noauth")
		noAuth.AuthInfo = ""
		wantCode(t, "contact create without authInfo", us.do(&epp.Command{ContactCreate: noAuth}), epp.CodeMissingParam)

		want := &epp.ContactInfData{ID: "c-ada", ROID: "C1-SANDBOX", Statuses: []string{"ok"}, PostalInfo: adaContact("").PostalInfo,
			Voice: "+44.2079460000", Email: "ada@example.com", ClID: "ours", CrID: "ours", CrDate: t0, AuthInfo: "contact-secret"}
		r = us.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-ada"}})
		wantCode(t, "contact info", r, epp.CodeOK)
		if diff := cmp.Diff(want, r.ContactInfo); diff != "" {
			t.Errorf("contact info mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "contact info by another", them.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-ada"}}), epp.CodeAuthorizationError)
		wantCode(t, "contact info by another with a wrong authInfo",
			them.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-ada", AuthInfo: "wrong"}}), epp.CodeInvalidAuthInfo)
		r = them.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-ada", AuthInfo: "contact-secret"}})
		wantCode(t, "contact info by another with the authInfo", r, epp.CodeOK)
		wantOther := *want
		wantOther.AuthInfo = ""
		if diff := cmp.Diff(&wantOther, r.ContactInfo); diff != "" {
			t.Errorf("contact info by another with the authInfo mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "contact info of a missing contact", us.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-nobody"}}), epp.CodeObjectDoesNotExist)

		// A contact used by a domain is linked.
		wantCode(t, "domain create", us.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)
		r = us.do(&epp.Command{ContactInfo: &epp.ContactInfo{ID: "c-ada"}})
		if r.ContactInfo == nil || !cmp.Equal(r.ContactInfo.Statuses, []string{"linked", "ok"}) {
			t.Errorf("contact info after a domain create = %+v, want statuses linked, ok", r.ContactInfo)
		}

		wantLog := []LogEntry{
			entry("ours", "contact:create", "c-ada", ok1000, "TR-001"),
			entry("ours", "contact:create", "c-ada", err2302, "TR-002"),
			entry("theirs", "contact:create", "c-ada", err2302, "TR-001"),
			entry("ours", "contact:create", "c-noauth", "2003 Required parameter missing: authInfo is required", "TR-003"),
			entry("ours", "contact:info", "c-ada", ok1000, "TR-004"),
			entry("theirs", "contact:info", "c-ada", err2201, "TR-002"),
			entry("theirs", "contact:info", "c-ada", "2202 Invalid authorization information", "TR-003"),
			entry("theirs", "contact:info", "c-ada", ok1000, "TR-004"),
			entry("ours", "contact:info", "c-nobody", "2303 Object does not exist: contact c-nobody", "TR-005"),
			entry("ours", "create", "example.com", ok1000, "TR-006"),
			entry("ours", "contact:info", "c-ada", ok1000, "TR-007"),
		}
		if diff := cmp.Diff(wantLog, mustLog(t, ts.e), ignoreLogVolatile); diff != "" {
			t.Errorf("Log() mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestServerHosts(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us, them := ts.login(t, "ours"), ts.login(t, "theirs")
		t0 := ts.clock.Now().Truncate(time.Microsecond)
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		wantCode(t, "domain create", us.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)

		glue := []epp.HostAddr{{Addr: "192.0.2.1"}, {IP: epp.IPv6, Addr: "2001:db8::1"}}
		tests := []struct {
			desc  string
			c     *client
			name  string
			addrs []epp.HostAddr
			want  int
		}{
			{"external", us, "ns1.example.net", nil, epp.CodeOK},
			{"external again", them, "NS1.example.net", nil, epp.CodeObjectExists},
			{"external with addresses", us, "ns2.example.net", glue, epp.CodeParamPolicyError},
			{"internal with glue", us, "ns1.example.com", glue, epp.CodeOK},
			{"internal without glue", us, "ns2.example.com", nil, epp.CodeOK},
			{"under another's domain", them, "ns3.example.com", glue, epp.CodeAuthorizationError},
			{"bad name", us, "ns-.example.com", nil, epp.CodeParamSyntaxError},
		}
		for _, tt := range tests {
			r := tt.c.do(&epp.Command{HostCreate: &epp.HostCreate{Name: tt.name, Addrs: tt.addrs}})
			wantCode(t, "host create "+tt.desc, r, tt.want)
			if tt.want == epp.CodeOK {
				if diff := cmp.Diff(&epp.HostCreData{Name: strings.ToLower(tt.name), CrDate: t0}, r.HostCreate); diff != "" {
					t.Errorf("host create %s creData mismatch (-want +got):\n%s", tt.desc, diff)
				}
			}
		}

		// Name servers must exist.
		d := domainCreate("example.org", "c-ada")
		d.NS = []string{"ns1.example.net", "ns9.example.net"}
		r := us.do(&epp.Command{DomainCreate: d})
		wantCode(t, "domain create with a missing name server", r, epp.CodeObjectDoesNotExist)
		if len(r.Results) != 1 || len(r.Results[0].Values) != 1 || r.Results[0].Values[0].Reason != "host ns9.example.net" {
			t.Errorf("domain create with a missing name server: results %+v, want the reason \"host ns9.example.net\"", r.Results)
		}
		d.NS = []string{"ns1.example.net", "ns1.example.com"}
		wantCode(t, "domain create with name servers", us.do(&epp.Command{DomainCreate: d}), epp.CodeOK)

		info := us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.org"}})
		if info.DomainInfo == nil || !cmp.Equal(info.DomainInfo.NS, []string{"ns1.example.com", "ns1.example.net"}) {
			t.Errorf("domain info of example.org = %+v, want name servers ns1.example.com, ns1.example.net", info.DomainInfo)
		}
		for _, tt := range []struct {
			hosts     string
			wantNS    []string
			wantHosts []string
		}{
			{"", nil, []string{"ns1.example.com", "ns2.example.com"}},
			{"all", nil, []string{"ns1.example.com", "ns2.example.com"}},
			{"sub", nil, []string{"ns1.example.com", "ns2.example.com"}},
			{"del", nil, nil},
			{"none", nil, nil},
		} {
			r := us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com", Hosts: tt.hosts}})
			if r.DomainInfo == nil {
				t.Fatalf("domain info = %+v", r.Results)
			}
			if !cmp.Equal(r.DomainInfo.NS, tt.wantNS) || !cmp.Equal(r.DomainInfo.Hosts, tt.wantHosts) {
				t.Errorf("domain info hosts=%q: ns %q, hosts %q; want %q, %q", tt.hosts, r.DomainInfo.NS, r.DomainInfo.Hosts, tt.wantNS, tt.wantHosts)
			}
		}
	})
}

func TestServerDomainCreate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us, them := ts.login(t, "ours"), ts.login(t, "theirs")
		t0 := ts.clock.Now().Truncate(time.Microsecond)
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-tech")}), epp.CodeOK)
		wantCode(t, "contact create", them.do(&epp.Command{ContactCreate: adaContact("c-bob")}), epp.CodeOK)

		with := func(name string, f func(*epp.DomainCreate)) *epp.DomainCreate {
			d := domainCreate(name, "c-ada")
			f(d)
			return d
		}
		tests := []struct {
			desc       string
			create     *epp.DomainCreate
			want       int
			wantReason string
			wantExpiry time.Time
		}{
			{"default period", domainCreate("one.com", "c-ada"), epp.CodeOK, "", t0.AddDate(1, 0, 0)},
			{"two years", with("two.com", func(d *epp.DomainCreate) { d.Period = &epp.Period{Value: 2, Unit: epp.PeriodYears} }),
				epp.CodeOK, "", t0.AddDate(2, 0, 0)},
			{"36 months", with("three.com", func(d *epp.DomainCreate) { d.Period = &epp.Period{Value: 36, Unit: epp.PeriodMonths} }),
				epp.CodeOK, "", t0.AddDate(3, 0, 0)},
			{"18 months", with("half.com", func(d *epp.DomainCreate) { d.Period = &epp.Period{Value: 18, Unit: epp.PeriodMonths} }),
				epp.CodeParamRangeError, "the period must be a whole number of years", time.Time{}},
			{"eleven years", with("eleven.com", func(d *epp.DomainCreate) { d.Period = &epp.Period{Value: 11, Unit: epp.PeriodYears} }),
				epp.CodeParamRangeError, "period must be 1 to 10 years", time.Time{}},
			{"contacts", with("contacts.com", func(d *epp.DomainCreate) {
				d.Contacts = []epp.DomainContact{{Type: epp.ContactTech, ID: "c-tech"}, {Type: epp.ContactAdmin, ID: "c-ada"}}
			}), epp.CodeOK, "", t0.AddDate(1, 0, 0)},
			{"missing registrant", domainCreate("x1.com", "c-nobody"), epp.CodeObjectDoesNotExist, "contact c-nobody", time.Time{}},
			{"another's registrant", domainCreate("x2.com", "c-bob"), epp.CodeAuthorizationError,
				"contact c-bob is sponsored by another registrar", time.Time{}},
			{"another's admin", with("x3.com", func(d *epp.DomainCreate) { d.Contacts = []epp.DomainContact{{Type: epp.ContactAdmin, ID: "c-bob"}} }),
				epp.CodeAuthorizationError, "contact c-bob is sponsored by another registrar", time.Time{}},
			{"no registrant", domainCreate("x4.com", ""), epp.CodeMissingParam, "registrant is required", time.Time{}},
			{"no authInfo", with("x5.com", func(d *epp.DomainCreate) { d.AuthInfo = "" }), epp.CodeMissingParam, "authInfo is required", time.Time{}},
			{"exists", domainCreate("one.com", "c-ada"), epp.CodeObjectExists, "", time.Time{}},
			{"taken", domainCreate("taken-x.com", "c-ada"), epp.CodeObjectExists, "", time.Time{}},
			{"reject", domainCreate("reject-x.com", "c-ada"), epp.CodeParamPolicyError, "name reserved by registry policy", time.Time{}},
			{"bad name", domainCreate("bad_name.com", "c-ada"), epp.CodeParamSyntaxError, `invalid domain name "bad_name.com"`, time.Time{}},
		}
		for _, tt := range tests {
			r := us.do(&epp.Command{DomainCreate: tt.create})
			wantCode(t, "domain create "+tt.desc, r, tt.want)
			var reason string
			if len(r.Results) > 0 && len(r.Results[0].Values) > 0 {
				reason = r.Results[0].Values[0].Reason
			}
			if reason != tt.wantReason {
				t.Errorf("domain create %s: reason %q, want %q", tt.desc, reason, tt.wantReason)
			}
			if tt.want != epp.CodeOK {
				if r.DomainCreate != nil {
					t.Errorf("domain create %s: creData %+v on failure", tt.desc, r.DomainCreate)
				}
				continue
			}
			want := &epp.DomainCreData{Name: tt.create.Name, CrDate: t0, ExDate: tt.wantExpiry}
			if diff := cmp.Diff(want, r.DomainCreate); diff != "" {
				t.Errorf("domain create %s creData mismatch (-want +got):\n%s", tt.desc, diff)
			}
			if !strings.HasPrefix(r.SvTRID, "SANDBOX-") {
				t.Errorf("domain create %s: svTRID %q, want the engine's", tt.desc, r.SvTRID)
			}
		}

		// Domain info: everything to the sponsor, all but the authInfo to others.
		want := &epp.DomainInfData{Name: "contacts.com", Statuses: []string{"ok"}, Registrant: "c-ada",
			Contacts: []epp.DomainContact{{Type: "admin", ID: "c-ada"}, {Type: "tech", ID: "c-tech"}},
			ClID:     "ours", CrID: "ours", CrDate: t0, ExDate: t0.AddDate(1, 0, 0), AuthInfo: "auth-contacts.com"}
		r := us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "contacts.com"}})
		if diff := cmp.Diff(want, r.DomainInfo, cmpopts.IgnoreFields(epp.DomainInfData{}, "ROID")); diff != "" {
			t.Errorf("domain info as sponsor mismatch (-want +got):\n%s", diff)
		}
		if r.DomainInfo != nil && !strings.HasSuffix(r.DomainInfo.ROID, "-SANDBOX") {
			t.Errorf("domain info ROID = %q", r.DomainInfo.ROID)
		}
		want.AuthInfo = ""
		r = them.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "contacts.com"}})
		if diff := cmp.Diff(want, r.DomainInfo, cmpopts.IgnoreFields(epp.DomainInfData{}, "ROID")); diff != "" {
			t.Errorf("domain info as another mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "domain info with a wrong authInfo", them.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "contacts.com", AuthInfo: "wrong"}}),
			epp.CodeInvalidAuthInfo)
		wantCode(t, "domain info of a missing name", us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "missing.com"}}), epp.CodeObjectDoesNotExist)
		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "taken-x.com"}})
		if r.DomainInfo == nil || r.DomainInfo.ClID != OtherRegistrar || r.DomainInfo.AuthInfo != "" || r.DomainInfo.Registrant != "" {
			t.Errorf("domain info of taken-x.com = %+v, want sponsored by %s, no authInfo or registrant", r.DomainInfo, OtherRegistrar)
		}

		// Check sees what was created.
		r = us.do(&epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"one.com", "free.com", "taken-y.com", "premium-y.com"}}})
		wantCheck := &epp.DomainChkData{CDs: []epp.DomainCD{
			{Name: "one.com", Reason: "In use"}, {Name: "free.com", Avail: true}, {Name: "taken-y.com", Reason: "In use"}, {Name: "premium-y.com", Avail: true}}}
		if diff := cmp.Diff(wantCheck, r.DomainCheck); diff != "" {
			t.Errorf("check mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "check of a bad name", us.do(&epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"ok.com", "bad_name.com"}}}),
			epp.CodeParamSyntaxError)
	})
}

func TestServerRenewUpdate(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us, them := ts.login(t, "ours"), ts.login(t, "theirs")
		t0 := ts.clock.Now().Truncate(time.Microsecond)
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		wantCode(t, "domain create", us.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)
		exp := t0.AddDate(1, 0, 0)

		renew := func(cur time.Time, years int) *epp.Command {
			return &epp.Command{DomainRenew: &epp.DomainRenew{Name: "example.com", CurExpDate: cur, Period: &epp.Period{Value: years, Unit: epp.PeriodYears}}}
		}
		r := us.do(renew(exp, 2))
		wantCode(t, "renew", r, epp.CodeOK)
		if diff := cmp.Diff(&epp.DomainRenData{Name: "example.com", ExDate: exp.AddDate(2, 0, 0)}, r.DomainRenew); diff != "" {
			t.Errorf("renew renData mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "renew replayed", us.do(renew(exp, 2)), epp.CodeParamPolicyError)
		wantCode(t, "renew by another", them.do(renew(exp.AddDate(2, 0, 0), 1)), epp.CodeAuthorizationError)
		wantCode(t, "renew past ten years", us.do(renew(exp.AddDate(2, 0, 0), 8)), epp.CodeParamPolicyError)

		update := func(add, rem []string) *epp.Command {
			u := &epp.DomainUpdate{Name: "example.com"}
			if add != nil {
				u.Add = &epp.DomainAddRem{Statuses: add}
			}
			if rem != nil {
				u.Rem = &epp.DomainAddRem{Statuses: rem}
			}
			return &epp.Command{DomainUpdate: u}
		}
		ts.clock.Advance(time.Hour)
		wantCode(t, "update", us.do(update([]string{"clientHold", "clientUpdateProhibited"}, nil)), epp.CodeOK)
		wantCode(t, "update while clientUpdateProhibited", us.do(update([]string{"clientDeleteProhibited"}, nil)), epp.CodeStatusProhibitsOperation)
		wantCode(t, "update removing clientUpdateProhibited", us.do(update(nil, []string{"clientUpdateProhibited"})), epp.CodeOK)
		wantCode(t, "update with a server status", us.do(update([]string{"serverHold"}, nil)), epp.CodeParamPolicyError)
		wantCode(t, "update by another", them.do(update([]string{"clientHold"}, nil)), epp.CodeAuthorizationError)
		registrant := "c-ada"
		// Since issue 14 (dns_test.go has the rest).
		wantCode(t, "update changing the registrant",
			us.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com", Chg: &epp.DomainChg{Registrant: &registrant}}}),
			epp.CodeOK)
		wantCode(t, "update adding an unknown name server",
			us.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com", Add: &epp.DomainAddRem{NS: []string{"ns1.example.net"}}}}),
			epp.CodeObjectDoesNotExist)
		wantCode(t, "update adding a contact",
			us.do(&epp.Command{DomainUpdate: &epp.DomainUpdate{Name: "example.com", Add: &epp.DomainAddRem{Contacts: []epp.DomainContact{{Type: "tech", ID: "c-ada"}}}}}),
			epp.CodeUnimplementedOption)

		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com"}})
		if r.DomainInfo == nil {
			t.Fatalf("info = %+v", r.Results)
		}
		if got := r.DomainInfo; !cmp.Equal(got.Statuses, []string{"clientHold"}) || !got.ExDate.Equal(exp.AddDate(2, 0, 0)) ||
			got.UpID != "ours" || !got.UpDate.Equal(t0.Add(time.Hour)) {
			t.Errorf("info after renew and updates = %+v, want status clientHold, exDate %v, upID us, upDate %v",
				got, exp.AddDate(2, 0, 0), t0.Add(time.Hour))
		}

		// Commands the epp package does not model.
		b := []byte(`<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><delete>` +
			`<contact:delete xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id></contact:delete>` +
			`</delete><clTRID>DEL-1</clTRID></command></epp>`)
		if err := epp.WriteFrame(us.conn, b); err != nil {
			t.Fatal(err)
		}
		r = us.read()
		wantCode(t, "delete", r, epp.CodeUnimplementedCommand)
		if r.ClTRID != "DEL-1" {
			t.Errorf("delete: clTRID %q, want DEL-1", r.ClTRID)
		}
	})
}

func feeCheckCmd(currency string, names ...string) *epp.Command {
	return &epp.Command{DomainCheck: &epp.DomainCheck{Names: names, Fee: &epp.FeeCheck{Currency: currency,
		Commands: []epp.FeeCommand{{Name: epp.FeeCreate}, {Name: epp.FeeRenew, Period: &epp.Period{Value: 2, Unit: epp.PeriodYears}}}}}}
}

func TestServerFeeCheck(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		prices := func(ext string) (string, string, bool) {
			switch ext {
			case "com":
				return "USD", "10.00", true
			case "eu":
				return "EUR", "7.5", true
			}
			return "", "", false
		}
		ts := startServer(t, serverOpts{backend: backend, engine: Config{Prices: prices}})
		us := ts.login(t, "ours")
		y1, y2 := &epp.Period{Value: 1, Unit: "y"}, &epp.Period{Value: 2, Unit: "y"}
		tests := []struct {
			desc string
			cmd  *epp.Command
			want *epp.FeeChkData
		}{
			{"standard and premium", feeCheckCmd("", "free.com", "premium-gold.com", "taken-x.com"), &epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{
				{ObjID: "free.com", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
					{Name: "create", Standard: true, Period: y1, Fees: []epp.Fee{{Amount: "10.00"}}},
					{Name: "renew", Standard: true, Period: y2, Fees: []epp.Fee{{Amount: "20.00"}}}}},
				{ObjID: "premium-gold.com", Avail: true, Class: "premium", Commands: []epp.FeeCommandData{
					{Name: "create", Period: y1, Fees: []epp.Fee{{Amount: "500.00"}}},
					{Name: "renew", Period: y2, Fees: []epp.Fee{{Amount: "1000.00"}}}}},
				{ObjID: "taken-x.com", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
					{Name: "create", Standard: true, Period: y1, Fees: []epp.Fee{{Amount: "10.00"}}},
					{Name: "renew", Standard: true, Period: y2, Fees: []epp.Fee{{Amount: "20.00"}}}}},
			}}},
			{"currency asked", feeCheckCmd("USD", "free.com"), &epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{
				{ObjID: "free.com", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
					{Name: "create", Standard: true, Period: y1, Fees: []epp.Fee{{Amount: "10.00"}}},
					{Name: "renew", Standard: true, Period: y2, Fees: []epp.Fee{{Amount: "20.00"}}}}}}}},
			{"other currency asked", feeCheckCmd("EUR", "free.com", "premium-x.eu"), &epp.FeeChkData{Currency: "EUR", CDs: []epp.FeeCD{
				{ObjID: "free.com", Reason: "priced in USD"},
				{ObjID: "premium-x.eu", Avail: true, Class: "premium", Commands: []epp.FeeCommandData{
					{Name: "create", Period: y1, Fees: []epp.Fee{{Amount: "375.0"}}},
					{Name: "renew", Period: y2, Fees: []epp.Fee{{Amount: "750.0"}}}}}}}},
			{"mixed currencies", feeCheckCmd("", "x.eu", "x.com", "x.invalid"), &epp.FeeChkData{Currency: "EUR", CDs: []epp.FeeCD{
				{ObjID: "x.eu", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
					{Name: "create", Standard: true, Period: y1, Fees: []epp.Fee{{Amount: "7.5"}}},
					{Name: "renew", Standard: true, Period: y2, Fees: []epp.Fee{{Amount: "15.0"}}}}},
				{ObjID: "x.com", Reason: "priced in USD"},
				{ObjID: "x.invalid", Reason: "no price for this name"}}}},
			{"restore", &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"free.com"},
				Fee: &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeRestore}}}}},
				&epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{{ObjID: "free.com", Reason: "command restore not priced"}}}},
			{"transfer", &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"free.com", "xfer-premium-x.com"},
				Fee: &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeTransfer}}}}},
				&epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{
					{ObjID: "free.com", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
						{Name: "transfer", Standard: true, Period: y1, Fees: []epp.Fee{{Amount: "10.00"}}}}},
					{ObjID: "xfer-premium-x.com", Avail: true, Class: "premium", Commands: []epp.FeeCommandData{
						{Name: "transfer", Period: y1, Fees: []epp.Fee{{Amount: "500.00"}}}}}}}},
			{"months", &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"free.com"},
				Fee: &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeCreate, Period: &epp.Period{Value: 24, Unit: "m"}}}}}},
				&epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{{ObjID: "free.com", Avail: true, Class: "standard", Commands: []epp.FeeCommandData{
					{Name: "create", Standard: true, Period: &epp.Period{Value: 24, Unit: "m"}, Fees: []epp.Fee{{Amount: "20.00"}}}}}}}},
			{"long period", &epp.Command{DomainCheck: &epp.DomainCheck{Names: []string{"free.com"},
				Fee: &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeCreate, Period: &epp.Period{Value: 11, Unit: "y"}}}}}},
				&epp.FeeChkData{Currency: "USD", CDs: []epp.FeeCD{{ObjID: "free.com", Reason: "period not offered"}}}},
		}
		for _, tt := range tests {
			r := us.do(tt.cmd)
			wantCode(t, "fee check "+tt.desc, r, epp.CodeOK)
			if diff := cmp.Diff(tt.want, r.FeeCheck); diff != "" {
				t.Errorf("fee check %s mismatch (-want +got):\n%s", tt.desc, diff)
			}
			if r.DomainCheck == nil || len(r.DomainCheck.CDs) != len(tt.cmd.DomainCheck.Names) {
				t.Errorf("fee check %s: domain chkData %+v", tt.desc, r.DomainCheck)
			}
		}
	})
}

func TestServerFeeTransforms(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend, engine: Config{Prices: func(ext string) (string, string, bool) {
			return "USD", "10.00", ext != "invalid"
		}}})
		us := ts.login(t, "ours")
		t0 := ts.clock.Now().Truncate(time.Microsecond)
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		withFee := func(name, currency string, fees ...string) *epp.Command {
			d := domainCreate(name, "c-ada")
			if fees != nil {
				d.Fee = &epp.FeeTransform{Currency: currency}
				for _, f := range fees {
					d.Fee.Fees = append(d.Fee.Fees, epp.Fee{Amount: f})
				}
			}
			return &epp.Command{DomainCreate: d}
		}
		y1 := &epp.Period{Value: 1, Unit: "y"}
		tests := []struct {
			desc       string
			cmd        *epp.Command
			want       int
			wantReason string
			wantFee    *epp.FeeTransformData
		}{
			{"premium without fee", withFee("premium-gold.com", ""), epp.CodeMissingParam,
				"premium name requires the fee extension (500.00 USD)", nil},
			{"premium fee too low", withFee("premium-gold.com", "USD", "499.99"), epp.CodeParamRangeError,
				"fee 499.99 is below the premium price 500.00 USD", nil},
			{"premium wrong currency", withFee("premium-gold.com", "EUR", "500.00"), epp.CodeParamRangeError,
				"currency EUR not accepted, the fee is in USD", nil},
			{"premium fees summed", withFee("premium-gold.com", "USD", "250", "250.00"), epp.CodeOK, "",
				&epp.FeeTransformData{Currency: "USD", Period: y1, Fees: []epp.Fee{{Amount: "500.00"}}}},
			{"premium fee above, no currency", withFee("premium-silver.com", "", "600"), epp.CodeOK, "",
				&epp.FeeTransformData{Currency: "USD", Period: y1, Fees: []epp.Fee{{Amount: "500.00"}}}},
			{"standard with fee", withFee("standard.com", "USD", "10.00"), epp.CodeOK, "",
				&epp.FeeTransformData{Currency: "USD", Period: y1, Fees: []epp.Fee{{Amount: "10.00"}}}},
			{"standard fee too low", withFee("cheap.com", "", "9.99"), epp.CodeParamRangeError,
				"fee 9.99 is below the standard price 10.00 USD", nil},
			{"standard without fee", withFee("plain.com", ""), epp.CodeOK, "", nil},
			{"no price", withFee("x.invalid", ""), epp.CodeParamPolicyError, "no price for x.invalid", nil},
		}
		for _, tt := range tests {
			r := us.do(tt.cmd)
			wantCode(t, tt.desc, r, tt.want)
			var reason string
			if len(r.Results) > 0 && len(r.Results[0].Values) > 0 {
				reason = r.Results[0].Values[0].Reason
			}
			if reason != tt.wantReason {
				t.Errorf("%s: reason %q, want %q", tt.desc, reason, tt.wantReason)
			}
			if diff := cmp.Diff(tt.wantFee, r.FeeCreate); diff != "" {
				t.Errorf("%s: fee:creData mismatch (-want +got):\n%s", tt.desc, diff)
			}
		}

		// Renew follows the same rules.
		renew := func(fee *epp.FeeTransform) *epp.Command {
			return &epp.Command{DomainRenew: &epp.DomainRenew{Name: "premium-gold.com", CurExpDate: t0.AddDate(1, 0, 0), Fee: fee}}
		}
		wantCode(t, "premium renew without fee", us.do(renew(nil)), epp.CodeMissingParam)
		wantCode(t, "premium renew fee too low", us.do(renew(&epp.FeeTransform{Fees: []epp.Fee{{Amount: "10.00"}}})), epp.CodeParamRangeError)
		r := us.do(renew(&epp.FeeTransform{Currency: "USD", Fees: []epp.Fee{{Amount: "500.00"}}}))
		wantCode(t, "premium renew", r, epp.CodeOK)
		if diff := cmp.Diff(&epp.FeeTransformData{Currency: "USD", Period: y1, Fees: []epp.Fee{{Amount: "500.00"}}}, r.FeeRenew); diff != "" {
			t.Errorf("premium renew fee:renData mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestServerPoll(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend, engine: Config{Delay: time.Minute}})
		us, them := ts.login(t, "ours"), ts.login(t, "theirs")
		t0 := ts.clock.Now().Truncate(time.Microsecond)
		poll := func() *epp.Command { return &epp.Command{Poll: &epp.Poll{Op: epp.PollReq}} }
		ack := func(id string) *epp.Command { return &epp.Command{Poll: &epp.Poll{Op: epp.PollAck, MsgID: id}} }

		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		create := &epp.Command{ClTRID: "CREATE-PENDING-1", DomainCreate: domainCreate("pending-example.com", "c-ada")}
		cr := us.do(create)
		wantCode(t, "pending create", cr, epp.CodePending)
		if diff := cmp.Diff(&epp.DomainCreData{Name: "pending-example.com", CrDate: t0, ExDate: t0.AddDate(1, 0, 0)}, cr.DomainCreate); diff != "" {
			t.Errorf("pending create creData mismatch (-want +got):\n%s", diff)
		}
		r := us.do(poll())
		wantCode(t, "poll before due", r, epp.CodeNoMessages)
		if r.MsgQ != nil || r.DomainPan != nil {
			t.Errorf("poll before due: msgQ %+v, panData %+v; want neither", r.MsgQ, r.DomainPan)
		}
		r = us.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "pending-example.com"}})
		if r.DomainInfo == nil || !cmp.Equal(r.DomainInfo.Statuses, []string{"pendingCreate"}) {
			t.Errorf("info while pending = %+v, want status pendingCreate", r.DomainInfo)
		}
		// A second pending create.
		ts.clock.Advance(time.Second)
		wantCode(t, "second pending create", us.do(&epp.Command{ClTRID: "cl-pending-second.com", DomainCreate: domainCreate("pending-second.com", "c-ada")}), epp.CodePending)

		ts.clock.Advance(time.Minute)
		r = us.do(poll())
		wantCode(t, "poll after due", r, epp.CodeAckToDequeue)
		due := t0.Add(time.Minute)
		if diff := cmp.Diff(&epp.MsgQ{Count: 2, ID: "1", QDate: due, Msg: "Pending create of pending-example.com approved"}, r.MsgQ); diff != "" {
			t.Errorf("poll msgQ mismatch (-want +got):\n%s", diff)
		}
		wantPan := &epp.DomainPanData{Name: "pending-example.com", PaResult: true, PaClTRID: "CREATE-PENDING-1", PaSvTRID: cr.SvTRID, PaDate: due}
		if diff := cmp.Diff(wantPan, r.DomainPan); diff != "" {
			t.Errorf("poll panData mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "poll as another client", them.do(poll()), epp.CodeNoMessages)
		wantCode(t, "ack as another client", them.do(ack("1")), epp.CodeObjectDoesNotExist)
		r = us.do(poll())
		if r.MsgQ == nil || r.MsgQ.ID != "1" {
			t.Errorf("poll again before ack: msgQ %+v, want message 1 again", r.MsgQ)
		}
		r = us.do(ack("1"))
		wantCode(t, "ack", r, epp.CodeOK)
		if diff := cmp.Diff(&epp.MsgQ{Count: 1, ID: "1"}, r.MsgQ); diff != "" {
			t.Errorf("ack msgQ mismatch (-want +got):\n%s", diff)
		}
		wantCode(t, "ack again", us.do(ack("1")), epp.CodeObjectDoesNotExist)
		wantCode(t, "ack of a bogus ID", us.do(ack("bogus")), epp.CodeObjectDoesNotExist)
		r = us.do(poll())
		wantCode(t, "poll of the second message", r, epp.CodeAckToDequeue)
		if r.MsgQ == nil || r.MsgQ.Count != 1 || r.DomainPan == nil || r.DomainPan.Name != "pending-second.com" ||
			r.DomainPan.PaClTRID != "cl-pending-second.com" {
			t.Errorf("poll of the second message: msgQ %+v, panData %+v", r.MsgQ, r.DomainPan)
		}
		r = us.do(ack(r.MsgQ.ID))
		if r.MsgQ == nil || r.MsgQ.Count != 0 {
			t.Errorf("last ack: msgQ %+v, want count 0", r.MsgQ)
		}
		wantCode(t, "poll of an empty queue", us.do(poll()), epp.CodeNoMessages)
	})
}

func TestServerOutage(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend, engine: Config{Delay: time.Minute}})
		us := ts.login(t, "ours")
		wantCode(t, "contact create", us.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
		before := len(mustLog(t, ts.e))
		cmds := map[string]*epp.Command{
			"check":  {DomainCheck: &epp.DomainCheck{Names: []string{"fine.com", "outage-example.com"}}},
			"create": {DomainCreate: domainCreate("outage-example.com", "c-ada")},
			"info":   {DomainInfo: &epp.DomainInfo{Name: "outage-example.com"}},
		}
		for desc, cmd := range cmds {
			r := us.do(cmd)
			wantCode(t, desc+" during the outage", r, epp.CodeCommandFailed)
			if !strings.HasPrefix(r.SvTRID, "SRV-") {
				t.Errorf("%s during the outage: svTRID %q, want one of the server's", desc, r.SvTRID)
			}
		}
		if l := mustLog(t, ts.e); len(l) != before {
			t.Errorf("Log() has %d entries after the outage, want %d: %+v", len(l), before, l[before:])
		}
		ts.clock.Advance(time.Minute)
		wantCode(t, "create after the outage", us.do(&epp.Command{DomainCreate: domainCreate("outage-example.com", "c-ada")}), epp.CodeOK)
	})
}

func TestServerPipelining(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	us := ts.login(t, "ours")
	cmds := []*epp.Command{
		{ClTRID: "P-1", ContactCreate: adaContact("c-ada")},
		{ClTRID: "P-2", DomainCreate: domainCreate("slow-example.com", "c-ada")},
		{Hello: true},
		{ClTRID: "P-3", DomainInfo: &epp.DomainInfo{Name: "slow-example.com"}},
		{ClTRID: "P-4", DomainCheck: &epp.DomainCheck{Names: []string{"slow-example.com"}}},
		{ClTRID: "P-5", DomainInfo: &epp.DomainInfo{Name: "missing.com"}},
		{ClTRID: "P-6", Poll: &epp.Poll{Op: epp.PollReq}},
	}
	var all []byte
	for _, c := range cmds {
		b, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		frame := make([]byte, 4, 4+len(b))
		binary.BigEndian.PutUint32(frame, uint32(4+len(b)))
		all = append(all, append(frame, b...)...)
	}
	start := time.Now()
	us.sendRaw(all) // every frame in one write
	wantCodes := []int{epp.CodeOK, epp.CodeOK, 0, epp.CodeOK, epp.CodeOK, epp.CodeObjectDoesNotExist, epp.CodeNoMessages}
	for i, c := range cmds {
		g, r, err := us.readErr()
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		if c.Hello {
			if g == nil {
				t.Errorf("answer %d = %+v, want a greeting", i, r)
			}
			continue
		}
		if r == nil || r.ClTRID != c.ClTRID || r.Code() != wantCodes[i] {
			t.Errorf("answer %d = %+v, want code %d for %s", i, r, wantCodes[i], c.ClTRID)
		}
	}
	// The slow- create held the session for the scenario delay.
	if elapsed := time.Since(start); elapsed < testDelay {
		t.Errorf("answers took %v, want at least the slow- delay %v", elapsed, testDelay)
	}
}

func TestServerMalformedFrames(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	c := ts.dial(t)
	frames := []struct {
		desc       string
		xml        string
		wantClTRID string
	}{
		{"not XML", "this is not XML", ""},
		{"not EPP", `<?xml version="1.0"?><foo/>`, ""},
		{"no names", `<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check>` +
			`<domain:check xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"/></check><clTRID>BAD-1</clTRID></command></epp>`, "BAD-1"},
		{"unknown command", `<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><frobnicate/>` +
			`<clTRID>BAD-2</clTRID></command></epp>`, "BAD-2"},
		{"unknown object", `<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info>` +
			`<w:info xmlns:w="urn:example:widget-1.0"><w:id>x</w:id></w:info></info><clTRID>BAD-3</clTRID></command></epp>`, "BAD-3"},
	}
	for _, f := range frames {
		_, perr := epp.ParseCommand([]byte(f.xml))
		var fe *epp.FormatError
		if !errors.As(perr, &fe) {
			t.Fatalf("%s: ParseCommand = %v, want a *FormatError", f.desc, perr)
		}
		if err := epp.WriteFrame(c.conn, []byte(f.xml)); err != nil {
			t.Fatal(err)
		}
		r := c.read()
		wantCode(t, f.desc, r, fe.Code)
		if r.ClTRID != f.wantClTRID {
			t.Errorf("%s: clTRID %q, want %q", f.desc, r.ClTRID, f.wantClTRID)
		}
	}
	// The session goes on.
	c.hello()
	wantCode(t, "login after malformed frames", c.do(loginCmd("ours", "ours-secret")), epp.CodeOK)
}

func TestServerFrameLimits(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{cfg: ServerConfig{MaxFrameSize: 4096, ReadTimeout: time.Second}})
	header := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	tests := []struct {
		desc string
		send []byte
	}{
		{"oversized length", header(1 << 30)},
		{"just over the limit", append(header(4097), bytes.Repeat([]byte("x"), 100)...)},
		{"length below the header", header(3)},
		{"empty frame", header(4)},
		{"incomplete frame", append(header(100), []byte("<?xml")...)},
		{"incomplete header", []byte{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			c := ts.login(t, "ours")
			c.sendRaw(tt.send)
			start := time.Now()
			c.expectClosed()
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("closed after %v", elapsed)
			}
		})
	}
	// A frame at the limit is read.
	c := ts.login(t, "ours")
	b, err := (&epp.Command{ClTRID: "MAX-1", Poll: &epp.Poll{Op: epp.PollReq}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, bytes.Repeat([]byte(" "), 4096-4-len(b))...)
	if err := epp.WriteFrame(c.conn, b); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "poll in a frame at the limit", c.read(), epp.CodeNoMessages)
}

func TestServerIdleTimeout(t *testing.T) {
	t.Parallel()
	const idle = 500 * time.Millisecond
	ts := startServer(t, serverOpts{cfg: ServerConfig{IdleTimeout: idle}})
	c := ts.login(t, "ours")
	// Commands keep the session alive.
	for range 3 {
		time.Sleep(idle / 4)
		c.hello()
	}
	start := time.Now()
	c.expectClosed()
	if elapsed := time.Since(start); elapsed < idle/2 {
		t.Errorf("closed %v after the last command, want about %v", elapsed, idle)
	}
	// Its slot is free again, with MaxSessionsPerClient 1 below.
	ts2 := startServer(t, serverOpts{cfg: ServerConfig{IdleTimeout: idle, MaxSessionsPerClient: 1}})
	ts2.login(t, "ours").expectClosed()
	ts2.login(t, "ours")
}

func TestServerClientCertificates(t *testing.T) {
	t.Parallel()
	t.Run("required", func(t *testing.T) {
		t.Parallel()
		logs := newRecordHandler()
		ts := startServer(t, serverOpts{requireCert: true, cfg: ServerConfig{Logger: slog.New(logs)}})
		if c, err := ts.connect(t, ts.clientTLS(t, false)); err == nil {
			t.Errorf("connect without a client certificate = greeting %+v, want an error", c.greeting)
		}
		c := ts.login(t, "ours")
		wantCode(t, "logout", c.do(&epp.Command{Logout: true}), epp.CodeEndingSession)
		certs := logs.find("sandbox EPP: client certificate")
		if len(certs) != 1 || certs[0]["cn"] != "ours" || certs[0]["verified"] != "true" {
			t.Errorf("client certificate log records = %v, want one with cn=ours, verified", certs)
		}
	})
	t.Run("optional", func(t *testing.T) {
		t.Parallel()
		ts := startServer(t, serverOpts{requireCert: false})
		c, err := ts.connect(t, ts.clientTLS(t, false))
		if err != nil {
			t.Fatalf("connect without a client certificate = %v", err)
		}
		wantCode(t, "login", c.do(loginCmd("ours", "ours-secret")), epp.CodeOK)
	})
}

func TestServerLogging(t *testing.T) {
	t.Parallel()
	logs := newRecordHandler()
	ts := startServer(t, serverOpts{cfg: ServerConfig{Logger: slog.New(logs)}})
	c := ts.login(t, "ours")
	wantCode(t, "contact create", c.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
	wantCode(t, "domain create", c.do(&epp.Command{DomainCreate: domainCreate("example.com", "c-ada")}), epp.CodeOK)
	wantCode(t, "domain info", c.do(&epp.Command{DomainInfo: &epp.DomainInfo{Name: "example.com"}}), epp.CodeOK)
	wantCode(t, "logout", c.do(&epp.Command{Logout: true}), epp.CodeEndingSession)
	c.expectClosed()
	ts.srv.Close()

	got := logs.find("sandbox EPP command")
	want := []map[string]string{
		{"client_id": "ours", "command": "login", "cltrid": "login-ours", "code": "1000"},
		{"client_id": "ours", "command": "contact:create", "cltrid": "TR-001", "code": "1000"},
		{"client_id": "ours", "command": "domain:create", "cltrid": "TR-002", "code": "1000"},
		{"client_id": "ours", "command": "domain:info", "cltrid": "TR-003", "code": "1000"},
		{"client_id": "ours", "command": "logout", "cltrid": "TR-004", "code": "1500"},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreMapEntries(func(k, _ string) bool { return k == "svtrid" })); diff != "" {
		t.Errorf("command log records mismatch (-want +got):\n%s", diff)
	}
	for _, m := range got {
		if m["svtrid"] == "" {
			t.Errorf("record %v without svtrid", m)
		}
	}
	text := logs.text()
	for _, secret := range []string{"ours-secret", "contact-secret", "auth-example.com"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log contains the secret %q:\n%s", secret, text)
		}
	}
}

func TestServerClose(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{engine: Config{Delay: time.Hour}})
	idle := ts.login(t, "ours")
	busy := ts.login(t, "ours")
	wantCode(t, "contact create", busy.do(&epp.Command{ContactCreate: adaContact("c-ada")}), epp.CodeOK)
	busy.send(&epp.Command{ClTRID: "SLOW-1", DomainCreate: domainCreate("slow-example.com", "c-ada")})
	// Wait until the slow create has reached the engine.
	deadline := time.Now().Add(ioTimeout)
	for len(mustLog(t, ts.e)) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- ts.srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close() = %v", err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("Close() did not return")
	}
	idle.expectClosed()
	busy.expectClosed()
	if _, err := ts.connect(t, ts.clientTLS(t, true)); err == nil {
		t.Error("connect after Close succeeded")
	}
	if err := ts.srv.Listen("127.0.0.1:0"); err == nil {
		t.Error("Listen after Close = nil error, want one")
	}
	// The slow create happened all the same.
	if info, _, err := ts.e.DomainInfo(context.Background(), "ours", "", "slow-example.com", ""); err != nil || !info.Sponsored {
		t.Errorf("Info(slow-example.com) after Close = %+v, %v", info, err)
	}
}

func TestServerConfigErrors(t *testing.T) {
	t.Parallel()
	e, _ := open(t, Config{})
	s := NewServer(e, ServerConfig{})
	if err := s.Listen("127.0.0.1:0"); err == nil {
		t.Error("Listen without TLS = nil error, want one")
	}
	if s.Addr() != "" {
		t.Errorf("Addr() before Listen = %q", s.Addr())
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() before Listen = %v", err)
	}
	ts := startServer(t, serverOpts{})
	if err := ts.srv.Listen("127.0.0.1:0"); err == nil {
		t.Error("second Listen = nil error, want one")
	}
}
