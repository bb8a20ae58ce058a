package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/store/storetest"
)

func TestPrice(t *testing.T) {
	t.Parallel()
	prices := func(ext string) (string, string, bool) {
		switch ext {
		case "com":
			return "USD", "10.00", true
		case "co.uk":
			return "GBP", "7", true
		case "eu":
			return "EUR", "0.125", true
		case "bad":
			return "USD", "ten", true
		case "badcur":
			return "usd", "1.00", true
		}
		return "", "", false
	}
	e, _ := open(t, Config{Prices: prices})
	def, _ := open(t, Config{})
	tests := []struct {
		e       *Engine
		name    string
		command string
		years   int
		want    Price
		wantOK  bool
	}{
		{e, "example.com", "create", 1, Price{ClassStandard, "USD", "10.00"}, true},
		{e, "Example.COM", "renew", 3, Price{ClassStandard, "USD", "30.00"}, true},
		{e, "premium-gold.com", "create", 1, Price{ClassPremium, "USD", "500.00"}, true},
		{e, "premium-gold.com", "renew", 10, Price{ClassPremium, "USD", "5000.00"}, true},
		{e, "example.co.uk", "create", 2, Price{ClassStandard, "GBP", "14"}, true},
		{e, "premium-x.eu", "create", 1, Price{ClassPremium, "EUR", "6.250"}, true},
		{e, "gold.premium-x.eu", "create", 1, Price{}, false}, // the extension is premium-x.eu
		{def, "gold.premium-x.example", "create", 1, Price{ClassStandard, "USD", "10.00"}, true},
		{e, "example.net", "create", 1, Price{}, false},
		{e, "example.bad", "create", 1, Price{}, false},
		{e, "example.badcur", "create", 1, Price{}, false},
		{e, "example.com", "restore", 1, Price{}, false},
		{def, "example.com", "transfer", 1, Price{ClassStandard, "USD", "10.00"}, true},
		{def, "xfer-premium-x.com", "transfer", 2, Price{ClassPremium, "USD", "1000.00"}, true},
		{e, "example.com", "create", 0, Price{}, false},
		{e, "example.com", "create", 11, Price{}, false},
		{e, "com", "create", 1, Price{}, false},
		{def, "anything.example", "create", 2, Price{ClassStandard, "USD", "20.00"}, true},
		{def, "premium-x.example", "create", 1, Price{ClassPremium, "USD", "500.00"}, true},
	}
	for _, tt := range tests {
		got, ok := tt.e.Price(tt.name, tt.command, tt.years)
		if ok != tt.wantOK || got != tt.want {
			t.Errorf("Price(%q, %q, %d) = %+v, %v; want %+v, %v", tt.name, tt.command, tt.years, got, ok, tt.want, tt.wantOK)
		}
	}
}

func engineContact(id string) Contact {
	return Contact{
		ID: id,
		PostalInfo: []PostalInfo{{Type: "int", Name: "Ada Lovelace", Street: []string{"12 St James's Square"},
			City: "London", PC: "SW1Y 4JH", CC: "GB"}},
		Voice:    "+44.2079460000",
		Email:    "ada@example.com",
		AuthInfo: "contact-secret",
	}
}

func TestContactCreateInvalid(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		tests := []struct {
			desc       string
			modify     func(*Contact)
			wantResult string
		}{
			{"short ID", func(c *Contact) { c.ID = "ab" }, `2005 Parameter value syntax error: invalid contact ID "ab"`},
			{"ID with space", func(c *Contact) { c.ID = "a b c" }, `2005 Parameter value syntax error: invalid contact ID "a b c"`},
			{"no postal info", func(c *Contact) { c.PostalInfo = nil }, "2003 Required parameter missing: postalInfo is required"},
			{"two int", func(c *Contact) { c.PostalInfo = append(c.PostalInfo, c.PostalInfo[0]) },
				"2005 Parameter value syntax error: at most one postalInfo of each type"},
			{"no email", func(c *Contact) { c.Email = "" }, "2003 Required parameter missing: email is required"},
			{"no authInfo", func(c *Contact) { c.AuthInfo = "" }, "2003 Required parameter missing: authInfo is required"},
			{"bad voice", func(c *Contact) { c.Voice = "+44 20 7946 0000" },
				`2005 Parameter value syntax error: voice "+44 20 7946 0000" is not E.164 (+CC.NUMBER)`},
			{"bad fax", func(c *Contact) { c.Fax = "12345" }, `2005 Parameter value syntax error: fax "12345" is not E.164 (+CC.NUMBER)`},
			{"no name", func(c *Contact) { c.PostalInfo[0].Name = " " }, "2003 Required parameter missing: postalInfo name is required"},
			{"no city", func(c *Contact) { c.PostalInfo[0].City = "" }, "2003 Required parameter missing: postalInfo city is required"},
			{"bad country", func(c *Contact) { c.PostalInfo[0].CC = "gb" },
				`2005 Parameter value syntax error: country code "gb", want two capital letters`},
			{"non-ASCII int", func(c *Contact) { c.PostalInfo[0].City = "Zürich" },
				"2005 Parameter value syntax error: int postalInfo must be 7-bit US-ASCII"},
			{"non-ASCII loc", func(c *Contact) { c.PostalInfo[0].Type, c.PostalInfo[0].City = "loc", "Zürich" }, ok1000},
			{"int and loc", func(c *Contact) {
				loc := c.PostalInfo[0]
				loc.Type, loc.Name = "loc", "Ada Lovelace, Countess"
				c.PostalInfo = append(c.PostalInfo, loc)
			}, ok1000},
		}
		for _, tt := range tests {
			t.Run(tt.desc, func(t *testing.T) {
				t.Parallel()
				e := openOn(t, backend, Config{Clock: newFakeClock()})
				c := engineContact("c-ada")
				c.PostalInfo = append([]PostalInfo(nil), c.PostalInfo...)
				tt.modify(&c)
				_, resp, err := e.ContactCreate(context.Background(), "us", "TR-1", c)
				if resp.Result() != tt.wantResult {
					t.Errorf("ContactCreate(%+v) = %q, %v; want %q", c, resp.Result(), err, tt.wantResult)
				}
				if (err == nil) != (tt.wantResult == ok1000) {
					t.Errorf("ContactCreate(%+v) error = %v", c, err)
				}
				if err != nil {
					return
				}
				info, _, err := e.ContactInfo(context.Background(), "us", "", c.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c, info.Contact); diff != "" {
					t.Errorf("ContactInfo after ContactCreate mismatch (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestHostCreateAddresses(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		e := openOn(t, backend, Config{Clock: newFakeClock()})
		ctx := context.Background()
		if _, _, err := e.ContactCreate(ctx, "us", "", engineContact("c-ada")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.CreateDomain(ctx, "us", "", DomainCreate{Name: "example.com", Years: 1, Registrant: "c-ada", AuthInfo: "auth-example"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name       string
			addrs      []HostAddr
			wantResult string
		}{
			{"ns1.example.com", []HostAddr{{Addr: "192.0.2.1"}, {IP: "v4", Addr: "192.0.2.1"}, {IP: "v6", Addr: "2001:DB8::1"}}, ok1000},
			{"ns2.example.com", []HostAddr{{IP: "v6", Addr: "192.0.2.1"}}, `2005 Parameter value syntax error: invalid v6 address "192.0.2.1"`},
			{"ns3.example.com", []HostAddr{{Addr: "2001:db8::1"}}, `2005 Parameter value syntax error: invalid v4 address "2001:db8::1"`},
			{"ns4.example.com", []HostAddr{{IP: "v6", Addr: "::ffff:192.0.2.1"}}, `2005 Parameter value syntax error: invalid v6 address "::ffff:192.0.2.1"`},
			{"ns5.example.com", []HostAddr{{IP: "v5", Addr: "192.0.2.1"}}, `2005 Parameter value syntax error: address type "v5", want v4 or v6`},
			{"ns.deep.sub.example.com", []HostAddr{{Addr: "192.0.2.9"}}, ok1000},
			{"localhost", nil, `2005 Parameter value syntax error: invalid host name "localhost"`},
		}
		for _, tt := range tests {
			_, resp, _ := e.HostCreate(ctx, "us", "", tt.name, tt.addrs)
			if resp.Result() != tt.wantResult {
				t.Errorf("HostCreate(%q, %+v) = %q, want %q", tt.name, tt.addrs, resp.Result(), tt.wantResult)
			}
		}
		d, _, err := e.DomainInfo(ctx, "us", "", "example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"ns.deep.sub.example.com", "ns1.example.com"}; !cmp.Equal(d.Hosts, want) {
			t.Errorf("DomainInfo(example.com).Hosts = %q, want %q", d.Hosts, want)
		}
		var addrs string
		scanState(t, e, `SELECT addrs FROM hosts WHERE name = 'ns1.example.com'`, &addrs)
		if want := `[{"ip":"v4","addr":"192.0.2.1"},{"ip":"v6","addr":"2001:db8::1"}]`; addrs != want {
			t.Errorf("stored addresses %s, want %s (deduplicated, canonical)", addrs, want)
		}
	})
}

// TestCreateDomainScenarios checks the engine's side of the slow- and
// pending- scenarios: the wait, the pending create's poll message with its
// svTRID and queue length, and a slow create cut short that happened all
// the same.
func TestCreateDomainScenarios(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		clock := newFakeClock()
		e := openOn(t, backend, Config{Clock: clock})
		ctx := context.Background()
		if _, _, err := e.ContactCreate(ctx, "us", "", engineContact("c-ada")); err != nil {
			t.Fatal(err)
		}
		req := func(name string) DomainCreate {
			return DomainCreate{Name: name, Years: 1, Registrant: "c-ada", AuthInfo: "auth-" + name}
		}
		start := time.Now()
		res, resp, err := e.CreateDomain(ctx, "us", "TR-SLOW", req("slow-x.com"))
		if err != nil || resp.Code != CodeOK || res.Pending {
			t.Errorf("CreateDomain(slow-x.com) = %+v, %+v, %v", res, resp, err)
		}
		if elapsed := time.Since(start); elapsed < testDelay {
			t.Errorf("CreateDomain(slow-x.com) answered after %v, want at least %v", elapsed, testDelay)
		}
		res, resp, err = e.CreateDomain(ctx, "us", "TR-PENDING", req("pending-x.com"))
		if err != nil || resp.Code != CodePending || !res.Pending {
			t.Errorf("CreateDomain(pending-x.com) = %+v, %+v, %v", res, resp, err)
		}
		clock.Advance(testDelay)
		m, _, err := e.PollQueue(ctx, "us", "")
		if err != nil || m == nil || m.TransactionID != "TR-PENDING" || m.ServerTRID != resp.ServerTRID || m.Count != 1 {
			t.Errorf("PollQueue() = %+v, %v; want the approval of TR-PENDING (%s)", m, err, resp.ServerTRID)
		}
		// A cancelled slow create: the domain exists all the same.
		cctx, cancel := context.WithCancel(ctx)
		go func() { time.Sleep(testDelay / 5); cancel() }()
		_, resp, err = e.CreateDomain(cctx, "us", "", req("slow-y.com"))
		var ee *Error
		if !errors.As(err, &ee) || ee.Code != CodeCommandFailed || !errors.Is(err, context.Canceled) || resp.Code != CodeOK {
			t.Errorf("CreateDomain(slow-y.com) cancelled = %+v, %v; want 2400 (context canceled) after 1000", resp, err)
		}
		if d, _, err := e.DomainInfo(ctx, "us", "", "slow-y.com", ""); err != nil || d.Registrant != "c-ada" || !d.Sponsored || d.AuthInfo != "auth-slow-y.com" {
			t.Errorf("DomainInfo(slow-y.com) = %+v, %v", d, err)
		}
	})
}

// TestMigrateFromV1 opens a file written by the first schema version.
func TestMigrateFromV1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "v1.db")
	dsn, err := fileDSN(path, "_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		fmt.Sprintf(`PRAGMA application_id = %d`, applicationID),
		migrations[0],
		`PRAGMA user_version = 1`,
		`INSERT INTO domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at, create_cltrid, create_svtrid)
		 VALUES ('old.com', 'us', 'old-auth', '{"email":"a@example.com"}', '{}', 1, 2, 1, '', '')`,
		`INSERT INTO log (seq, time, client_id, domain, command, result, cltrid, svtrid)
		 VALUES (7, 1, 'us', 'old.com', 'create', '1000 Command completed successfully', 'ABC-1', 'SANDBOX-7')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	e := openAt(t, path, Config{Clock: newFakeClock()})
	ctx := context.Background()
	d, _, err := e.DomainInfo(ctx, "us", "", "old.com", "")
	if err != nil {
		t.Fatalf("DomainInfo(old.com) after the upgrade = %v", err)
	}
	if d.Registrant != "" || d.AuthInfo != "old-auth" || d.ROID != "D1-SANDBOX" {
		t.Errorf("DomainInfo(old.com) = %+v", d)
	}
	if _, _, err := e.ContactCreate(ctx, "us", "", engineContact("c-new")); err != nil {
		t.Errorf("ContactCreate after the upgrade = %v", err)
	}
	// The svTRID counter goes on after the log's last entry (7): the info
	// took 8, the contact create 9.
	var svTRID string
	if err := e.db.QueryRow(`SELECT svtrid FROM log ORDER BY seq DESC LIMIT 1`).Scan(&svTRID); err != nil || svTRID != "SANDBOX-9" {
		t.Errorf("svTRID of the first command after the upgrade = %q, %v; want SANDBOX-9", svTRID, err)
	}
	var version int
	if err := e.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("user_version = %d, %v; want %d", version, err, len(migrations))
	}
}
