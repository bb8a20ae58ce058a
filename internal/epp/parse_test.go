package epp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseCommandInterop parses frames written by other software
// (Net::EPP::Simple 0.22, as it sends them) and by hand with other
// prefixes, default namespaces, extra white space and unknown extensions.
func TestParseCommandInterop(t *testing.T) {
	tests := []struct {
		file string
		want *Command
	}{
		{"interop/netepp_hello.xml", &Command{Hello: true}},
		{"interop/netepp_login.xml", &Command{ClTRID: "58f7605f110c08bd3891c432ca36045862a4504f", Login: &Login{
			ClID: "registrar1", Password: "secret-pw1", Version: "1.0", Lang: "en",
			ObjURIs: []string{NSDomain, NSContact, NSHost}, ExtURIs: []string{NSFee},
		}}},
		{"interop/netepp_check_domain.xml", &Command{ClTRID: "334c5c827e4c4b16d09a2a1d1197ce5dc55629e3",
			DomainCheck: &DomainCheck{Names: []string{"example.com"}}}},
		{"interop/netepp_info_domain.xml", &Command{ClTRID: "3417bc61bde6414e304a314fecbf601b52872579",
			DomainInfo: &DomainInfo{Name: "example.com", AuthInfo: "2fooBAR"}}},
		{"interop/netepp_create_domain.xml", &Command{ClTRID: "0ccc3275e80c5025c738878b01fccb9a2453e36a", DomainCreate: &DomainCreate{
			Name: "example.com", Period: &Period{2, "y"}, NS: []string{"ns1.example.net", "ns2.example.net"},
			Registrant: "jd1234", Contacts: []DomainContact{{"admin", "sh8013"}}, AuthInfo: "2fooBAR",
		}}},
		{"interop/netepp_renew_domain.xml", &Command{ClTRID: "d3568fc971a15619358f79c8467618298e618191", DomainRenew: &DomainRenew{
			Name: "example.com", CurExpDate: date(2027, 4, 3, 0, 0, 0), Period: &Period{1, "y"},
		}}},
		{"interop/netepp_update_domain.xml", &Command{ClTRID: "94ee7b7e44e9e8149213fa94fdebe10ad83a034a", DomainUpdate: &DomainUpdate{
			Name: "example.com",
			Add:  &DomainAddRem{NS: []string{"ns3.example.net"}, Statuses: []string{"clientHold"}},
			Rem:  &DomainAddRem{Statuses: []string{"clientUpdateProhibited"}},
			Chg:  &DomainChg{Registrant: ptr("sh8013"), AuthInfo: ptr("newAuth1")},
		}}},
		{"interop/netepp_create_contact.xml", &Command{ClTRID: "617fca9273ad05bd68de5037314e49e24ccb212d", ContactCreate: &ContactCreate{
			ID: "sh8013", PostalInfo: []PostalInfo{{Type: "int", Name: "John Doe", Org: "Example Inc.",
				Street: []string{"123 Example Dr.", "Suite 100"}, City: "Dulles", SP: "VA", PC: "20166-6503", CC: "US"}},
			Voice: "+1.7035555555", Email: "jdoe@example.com", AuthInfo: "2fooBAR",
		}}},
		{"interop/netepp_create_host.xml", &Command{ClTRID: "90a07d662d687ebaa5ea79cf3060259e99a53772", HostCreate: &HostCreate{
			Name: "ns1.example.com", Addrs: []HostAddr{{"v4", "192.0.2.2"}, {"v6", "2001:db8::1"}},
		}}},
		{"interop/netepp_poll_req.xml", &Command{ClTRID: "49650a1c3f00597b8b9db1387bbf27e2d64f1aae", Poll: &Poll{Op: "req"}}},
		{"interop/netepp_poll_ack.xml", &Command{ClTRID: "53561ec36df60d89541b44cb1e5237790a45e055", Poll: &Poll{Op: "ack", MsgID: "12345"}}},
		{"interop/netepp_logout.xml", &Command{ClTRID: "1dd2a289ce27c0c78c57a58c5d9c5dd433baa55f", Logout: true}},
		// Element order is not enforced: Net::EPP::Frame (without Simple)
		// puts authInfo before contact and ns.
		{"lenient/netepp_frame_create_unordered.xml", &Command{ClTRID: "ABC-12345", DomainCreate: &DomainCreate{
			Name: "example.com", Period: &Period{2, "y"}, NS: []string{"ns1.example.net", "ns2.example.net"},
			Registrant: "jd1234", Contacts: []DomainContact{{"admin", "sh8013"}}, AuthInfo: "2fooBAR",
		}}},
		// An empty <clTRID/> (schema-invalid) is read as no clTRID.
		{"lenient/netepp_frame_poll_ack_empty_cltrid.xml", &Command{Poll: &Poll{Op: "ack", MsgID: "12345"}}},
		{"lenient/whitespace_renew.xml", &Command{ClTRID: "WS-0001", DomainRenew: &DomainRenew{
			Name: "example.com", CurExpDate: date(2027, 4, 3, 0, 0, 0), Period: &Period{3, "y"},
		}}},
		{"interop/prefixes_check_fee.xml", &Command{ClTRID: "PFX-0001", DomainCheck: &DomainCheck{
			Names: []string{"example.com", "premium.example"},
			Fee:   &FeeCheck{Currency: "EUR", Commands: []FeeCommand{{Name: "create", Period: &Period{2, "y"}}, {Name: "renew"}}},
		}}},
		{"interop/default_ns_create.xml", &Command{ClTRID: "DEF-0001", DomainCreate: &DomainCreate{
			Name: "example.com", Period: &Period{12, "m"}, NS: []string{"ns1.example.net"}, Registrant: "jd1234",
			Contacts: []DomainContact{{"tech", "sh8013"}}, AuthInfo: "2fooBAR",
			Fee: &FeeTransform{Fees: []Fee{{Amount: "10.00"}}},
		}}},
		{"interop/unknown_ext_create.xml", &Command{ClTRID: "EXT-0001", DomainCreate: &DomainCreate{
			Name: "example.com", AuthInfo: "2fooBAR",
			Fee: &FeeTransform{Currency: "USD", Fees: []Fee{{Amount: "5.00", Description: "Registration Fee"}}},
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := ParseCommand(readTestdata(t, tc.file))
			if err != nil {
				t.Fatalf("Parse(%s) = %v, want no error", tc.file, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%s) = %+v, want %+v (-want +got):\n%s", tc.file, got, tc.want, diff)
			}
			// What we read, we can write.
			if _, err := got.Marshal(); err != nil {
				t.Errorf("Marshal(Parse(%s)) = %v", tc.file, err)
			}
		})
	}
}

func TestParseServerMessageInterop(t *testing.T) {
	tests := []struct {
		file     string
		greeting *Greeting
		resp     *Response
	}{
		{file: "interop/greeting_rfc.xml", greeting: &Greeting{
			SvID: "Example EPP server epp.example.com", SvDate: date(2000, 6, 8, 22, 0, 0),
			Versions: []string{"1.0"}, Langs: []string{"en", "fr"},
			ObjURIs: []string{"urn:ietf:params:xml:ns:obj1", "urn:ietf:params:xml:ns:obj2"},
			ExtURIs: []string{"http://custom/obj1ext-1.0"},
		}},
		{file: "interop/response_prefixes_check.xml", resp: &Response{
			Results: []Result{{Code: 1000, Msg: "Command completed successfully"}},
			DomainCheck: &DomainChkData{CDs: []DomainCD{
				{Name: "example.com", Avail: true}, {Name: "taken.example", Avail: false, Reason: "In use"},
			}},
			FeeCheck: &FeeChkData{Currency: "USD", CDs: []FeeCD{
				{ObjID: "example.com", Avail: true, Commands: []FeeCommandData{
					{Name: "create", Standard: true, Period: &Period{1, "y"}, Fees: []Fee{{"10.00", "Registration Fee"}}},
				}},
				{ObjID: "taken.example", Avail: false, Reason: "Unknown class"},
			}},
			ClTRID: "PFX-0001", SvTRID: "SRV-0001",
		}},
		// Unknown extensions (rgp, secDNS) are skipped; hostAttr names
		// are read; a +02:00 date is converted to UTC.
		{file: "interop/response_unknown_ext_info.xml", resp: &Response{
			Results: []Result{{Code: 1000, Msg: "Command completed successfully"}},
			MsgQ:    &MsgQ{Count: 2, ID: "77"},
			DomainInfo: &DomainInfData{
				Name: "example.com", ROID: "EXAMPLE1-REP", Statuses: []string{"clientHold", "serverTransferProhibited"},
				Registrant: "jd1234", Contacts: []DomainContact{{"admin", "sh8013"}}, NS: []string{"ns1.example.com"},
				ClID: "ClientX", CrID: "ClientY", CrDate: date(1999, 4, 3, 22, 0, 0), ExDate: date(2005, 4, 3, 20, 0, 0),
				AuthInfo: "2fooBAR",
			},
			// rgp:infData is known since issue 13, secDNS:infData since
			// issue 14; the other extensions are not.
			RGPInfo:    &RGPData{Statuses: []string{"redemptionPeriod"}},
			SecDNSInfo: &SecDNSData{DS: []DSData{{KeyTag: 12345, Alg: 3, DigestType: 1, Digest: "49FD46E6C4B45C55D4AC"}}},
			SvTRID:     "54322-XYZ",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			g, r, err := ParseServerMessage(readTestdata(t, tc.file))
			if err != nil {
				t.Fatalf("Parse(%s) = %v, want no error", tc.file, err)
			}
			if diff := cmp.Diff(tc.greeting, g); diff != "" {
				t.Errorf("Parse(%s) greeting = %+v, want %+v (-want +got):\n%s", tc.file, g, tc.greeting, diff)
			}
			if diff := cmp.Diff(tc.resp, r); diff != "" {
				t.Errorf("Parse(%s) response = %+v, want %+v (-want +got):\n%s", tc.file, r, tc.resp, diff)
			}
		})
	}
}

const eppOpen = `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0">`
const domNS = `xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"`

// cmdDoc wraps a command body (and an optional clTRID) in <epp><command>.
func cmdDoc(body string) string {
	return eppOpen + "<command>" + body + "<clTRID>ABC-12345</clTRID></command></epp>"
}

func domainCreate(inner string) string {
	return cmdDoc(`<create><domain:create ` + domNS + `>` + inner + `</domain:create></create>`)
}

func TestParseCommandRobust(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Command
	}{
		{"prefixed epp namespace",
			`<e:epp xmlns:e="urn:ietf:params:xml:ns:epp-1.0"><e:command><e:logout/></e:command></e:epp>`,
			&Command{Logout: true}},
		{"object prefix declared on root",
			`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0" xmlns:d="urn:ietf:params:xml:ns:domain-1.0"><command><check><d:check><d:name>a.example</d:name></d:check></check></command></epp>`,
			&Command{DomainCheck: &DomainCheck{Names: []string{"a.example"}}}},
		{"same prefix rebound",
			`<p:epp xmlns:p="urn:ietf:params:xml:ns:epp-1.0"><p:command><p:info><p:info xmlns:p="urn:ietf:params:xml:ns:contact-1.0"><p:id>sh8013</p:id></p:info></p:info></p:command></p:epp>`,
			&Command{ContactInfo: &ContactInfo{ID: "sh8013"}}},
		{"default namespace switched back",
			`<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><info xmlns="urn:ietf:params:xml:ns:domain-1.0"><name hosts="none">a.example</name></info></info><clTRID xmlns="urn:ietf:params:xml:ns:epp-1.0">XYZ-1</clTRID></command></epp>`,
			&Command{ClTRID: "XYZ-1", DomainInfo: &DomainInfo{Name: "a.example", Hosts: "none"}}},
		{"CDATA, comments, entities and a BOM",
			"\ufeff" + cmdDoc(`<check><domain:check `+domNS+`><domain:name><![CDATA[a.]]><!-- x -->ex&#97;mple</domain:name></domain:check></check>`),
			&Command{ClTRID: "ABC-12345", DomainCheck: &DomainCheck{Names: []string{"a.example"}}}},
		{"unknown extension in a foreign namespace is ignored",
			cmdDoc(`<check><domain:check ` + domNS + `><domain:name>a.example</domain:name></domain:check></check><extension><x:foo xmlns:x="urn:example:unknown"><x:bar/></x:foo></extension>`),
			&Command{ClTRID: "ABC-12345", DomainCheck: &DomainCheck{Names: []string{"a.example"}}}},
		{"fee extension of another command is ignored",
			cmdDoc(`<check><domain:check ` + domNS + `><domain:name>a.example</domain:name></domain:check></check><extension><fee:create xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:fee>1</fee:fee></fee:create></extension>`),
			&Command{ClTRID: "ABC-12345", DomainCheck: &DomainCheck{Names: []string{"a.example"}}}},
		{"normalizedString keeps inner spaces, replaces tabs",
			domainCreate(`<domain:name>a.example</domain:name><domain:authInfo><domain:pw>  two  spaces	tab </domain:pw></domain:authInfo>`),
			&Command{ClTRID: "ABC-12345", DomainCreate: &DomainCreate{Name: "a.example", AuthInfo: "  two  spaces tab "}}},
		{"booleans and dates in other lexical forms",
			cmdDoc(`<renew><domain:renew ` + domNS + `><domain:name>a.example</domain:name><domain:curExpDate>2027-04-03Z</domain:curExpDate><domain:period unit="y">+07</domain:period></domain:renew></renew>`),
			&Command{ClTRID: "ABC-12345", DomainRenew: &DomainRenew{Name: "a.example", CurExpDate: date(2027, 4, 3, 0, 0, 0), Period: &Period{7, "y"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCommand([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse(%s) = %v, want no error", tc.name, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%s) = %+v, want %+v (-want +got):\n%s", tc.name, got, tc.want, diff)
			}
		})
	}
}

func TestParseCommandErrors(t *testing.T) {
	long := strings.Repeat("a", 256)
	tests := []struct {
		name     string
		in       string
		code     int
		field    string // checked when set
		withTRID bool   // the error carries clTRID ABC-12345
	}{
		{"not XML", "hello", CodeSyntaxError, "epp", false},
		{"truncated", eppOpen + "<command><logout/>", CodeSyntaxError, "epp", false},
		{"mismatched tags", eppOpen + "<command><logout/></commands></epp>", CodeSyntaxError, "epp", false},
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY x "y">]><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>`, CodeSyntaxError, "epp", false},
		{"undefined entity", eppOpen + "<command><logout/><clTRID>&x;</clTRID></command></epp>", CodeSyntaxError, "epp", false},
		{"non-UTF-8 encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>`, CodeSyntaxError, "epp", false},
		{"unbound prefix", `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check><domain:check><domain:name>a</domain:name></domain:check></check></command></epp>`, CodeSyntaxError, "epp", false},
		{"two roots", eppOpen + "<hello/></epp><epp/>", CodeSyntaxError, "epp", false},
		{"wrong root namespace", `<epp xmlns="urn:ietf:params:xml:ns:epp-0.4"><hello/></epp>`, CodeSyntaxError, "", false},
		{"no namespace", `<epp><hello/></epp>`, CodeSyntaxError, "", false},
		{"greeting is not a command", string(mustRead("greeting.xml")), CodeSyntaxError, "greeting", false},
		{"unknown command", cmdDoc("<frobnicate/>"), CodeUnknownCommand, "frobnicate", true},
		{"protocol extension", eppOpen + "<extension><x:y xmlns:x='urn:x'/></extension></epp>", CodeUnknownCommand, "", false},
		{"two verbs", cmdDoc("<logout/><logout/>"), CodeSyntaxError, "", true},
		{"no verb", eppOpen + "<command><clTRID>ABC-12345</clTRID></command></epp>", CodeSyntaxError, "command", true},
		{"delete without name", cmdDoc(`<delete><domain:delete ` + domNS + `></domain:delete></delete>`), CodeMissingParam, "domain:name", true},
		{"contact delete", cmdDoc(`<delete><contact:delete xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id></contact:delete></delete>`), CodeUnimplementedCommand, "contact:delete", true},
		{"rgp restore without op", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore/></rgp:update></extension>`), CodeMissingParam, "rgp:restore@op", true},
		{"rgp restore unknown op", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="undo"/></rgp:update></extension>`), CodeParamSyntaxError, "rgp:restore@op", true},
		{"rgp report without report", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="report"/></rgp:update></extension>`), CodeMissingParam, "rgp:report", true},
		{"rgp request with report", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="request"><rgp:report><rgp:preData>a</rgp:preData><rgp:postData>b</rgp:postData><rgp:delTime>2026-01-01T00:00:00Z</rgp:delTime><rgp:resTime>2026-01-02T00:00:00Z</rgp:resTime><rgp:resReason>r</rgp:resReason><rgp:statement>s</rgp:statement></rgp:report></rgp:restore></rgp:update></extension>`), CodeSyntaxError, "rgp:report", true},
		{"rgp report three statements", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="report"><rgp:report><rgp:preData>a</rgp:preData><rgp:postData>b</rgp:postData><rgp:delTime>2026-01-01T00:00:00Z</rgp:delTime><rgp:resTime>2026-01-02T00:00:00Z</rgp:resTime><rgp:resReason>r</rgp:resReason><rgp:statement>1</rgp:statement><rgp:statement>2</rgp:statement><rgp:statement>3</rgp:statement></rgp:report></rgp:restore></rgp:update></extension>`), CodeSyntaxError, "rgp:statement", true},
		{"rgp report missing delTime", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="report"><rgp:report><rgp:preData>a</rgp:preData><rgp:postData>b</rgp:postData><rgp:resTime>2026-01-02T00:00:00Z</rgp:resTime><rgp:resReason>r</rgp:resReason><rgp:statement>s</rgp:statement></rgp:report></rgp:restore></rgp:update></extension>`), CodeMissingParam, "rgp:delTime", true},
		{"transfer without op", cmdDoc(`<transfer><domain:transfer ` + domNS + `><domain:name>a.example</domain:name></domain:transfer></transfer>`), CodeMissingParam, "transfer@op", true},
		{"transfer unknown op", cmdDoc(`<transfer op="steal"><domain:transfer ` + domNS + `><domain:name>a.example</domain:name></domain:transfer></transfer>`), CodeParamSyntaxError, "transfer@op", true},
		{"transfer query with period", cmdDoc(`<transfer op="query"><domain:transfer ` + domNS + `><domain:name>a.example</domain:name><domain:period unit="y">1</domain:period></domain:transfer></transfer>`), CodeSyntaxError, "domain:period", true},
		{"transfer without name", cmdDoc(`<transfer op="request"><domain:transfer ` + domNS + `><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo></domain:transfer></transfer>`), CodeMissingParam, "domain:name", true},
		{"transfer period out of range", cmdDoc(`<transfer op="request"><domain:transfer ` + domNS + `><domain:name>a.example</domain:name><domain:period unit="y">100</domain:period></domain:transfer></transfer>`), CodeParamRangeError, "domain:period", true},
		{"contact transfer", cmdDoc(`<transfer op="query"><contact:transfer xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id></contact:transfer></transfer>`), CodeUnimplementedCommand, "contact:transfer", true},
		{"contact check", cmdDoc(`<check><contact:check xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id></contact:check></check>`), CodeUnimplementedCommand, "contact:check", true},
		{"host transfer", cmdDoc(`<transfer op="query"><host:transfer xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.example</host:name></host:transfer></transfer>`), CodeUnimplementedCommand, "host:transfer", true},
		{"host update empty", cmdDoc(`<update><host:update xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.example</host:name></host:update></update>`), CodeMissingParam, "host:update", true},
		{"host addr not an address", cmdDoc(`<update><host:update xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.example</host:name><host:add><host:addr ip="v6">192.0.2.1</host:addr></host:add></host:update></update>`), CodeParamSyntaxError, "host:addr", true},
		{"secDNS keyData", secDNSDoc(`<secDNS:add><secDNS:keyData><secDNS:flags>257</secDNS:flags><secDNS:protocol>3</secDNS:protocol><secDNS:alg>8</secDNS:alg><secDNS:pubKey>AQPJ</secDNS:pubKey></secDNS:keyData></secDNS:add>`), CodeUnimplementedOption, "secDNS:keyData", true},
		{"secDNS digest not hex", secDNSDoc(`<secDNS:add><secDNS:dsData><secDNS:keyTag>1</secDNS:keyTag><secDNS:alg>8</secDNS:alg><secDNS:digestType>1</secDNS:digestType><secDNS:digest>XYZ0</secDNS:digest></secDNS:dsData></secDNS:add>`), CodeParamSyntaxError, "secDNS:digest", true},
		{"secDNS keyTag range", secDNSDoc(`<secDNS:add><secDNS:dsData><secDNS:keyTag>65536</secDNS:keyTag><secDNS:alg>8</secDNS:alg><secDNS:digestType>1</secDNS:digestType><secDNS:digest>AB</secDNS:digest></secDNS:dsData></secDNS:add>`), CodeParamRangeError, "secDNS:keyTag", true},
		{"secDNS empty update", secDNSDoc(``), CodeMissingParam, "secDNS:update", true},
		{"unknown object", cmdDoc(`<check><x:check xmlns:x="urn:example:obj"><x:id>1</x:id></x:check></check>`), CodeUnimplementedObjectService, "", true},
		{"object element mismatching verb", cmdDoc(`<check><domain:info ` + domNS + `><domain:name>a</domain:name></domain:info></check>`), CodeSyntaxError, "check", true},
		{"unknown element in object", domainCreate(`<domain:name>a.example</domain:name><domain:bogus/><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeSyntaxError, "domain:create", true},
		{"repeated element", domainCreate(`<domain:name>a.example</domain:name><domain:name>b.example</domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeSyntaxError, "domain:name", true},
		{"element in simple value", domainCreate(`<domain:name>a<domain:x/></domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeSyntaxError, "domain:name", true},
		{"missing authInfo", domainCreate(`<domain:name>a.example</domain:name>`), CodeMissingParam, "domain:authInfo", true},
		{"missing name", domainCreate(`<domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeMissingParam, "domain:name", true},
		{"empty name", domainCreate(`<domain:name> </domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeMissingParam, "domain:name", true},
		{"name too long", domainCreate(`<domain:name>` + long + `</domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamSyntaxError, "domain:name", true},
		{"period 0", domainCreate(`<domain:name>a.example</domain:name><domain:period unit="y">0</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamRangeError, "domain:period", true},
		{"period 100", domainCreate(`<domain:name>a.example</domain:name><domain:period unit="y">100</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamRangeError, "domain:period", true},
		{"period huge", domainCreate(`<domain:name>a.example</domain:name><domain:period unit="y">99999999999999999999999</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamRangeError, "domain:period", true},
		{"period not a number", domainCreate(`<domain:name>a.example</domain:name><domain:period unit="y">two</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamSyntaxError, "domain:period", true},
		{"period bad unit", domainCreate(`<domain:name>a.example</domain:name><domain:period unit="d">2</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeParamSyntaxError, "domain:period@unit", true},
		{"period no unit", domainCreate(`<domain:name>a.example</domain:name><domain:period>2</domain:period><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeMissingParam, "domain:period@unit", true},
		{"contact without type", domainCreate(`<domain:name>a.example</domain:name><domain:contact>sh8013</domain:contact><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeMissingParam, "domain:contact@type", true},
		{"hostAttr", domainCreate(`<domain:name>a.example</domain:name><domain:ns><domain:hostAttr><domain:hostName>ns1.a.example</domain:hostName></domain:hostAttr></domain:ns><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo>`), CodeUnimplementedOption, "domain:hostAttr", true},
		{"authInfo roid", domainCreate(`<domain:name>a.example</domain:name><domain:authInfo><domain:pw roid="SH8013-REP">x</domain:pw></domain:authInfo>`), CodeUnimplementedOption, "domain:pw@roid", true},
		{"clTRID too short", eppOpen + "<command><logout/><clTRID>ab</clTRID></command></epp>", CodeParamSyntaxError, "clTRID", false},
		{"clTRID too long", eppOpen + "<command><logout/><clTRID>" + strings.Repeat("x", 65) + "</clTRID></command></epp>", CodeParamSyntaxError, "clTRID", false},
		{"login short pw", cmdDoc(`<login><clID>registrar1</clID><pw>12345</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcs></login>`), CodeParamSyntaxError, "pw", true},
		{"login long pw", cmdDoc(`<login><clID>registrar1</clID><pw>12345678901234567</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcs></login>`), CodeParamSyntaxError, "pw", true},
		{"login short clID", cmdDoc(`<login><clID>ab</clID><pw>123456</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcs></login>`), CodeParamSyntaxError, "clID", true},
		{"login version 2.0", cmdDoc(`<login><clID>registrar1</clID><pw>123456</pw><options><version>2.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcs></login>`), CodeUnimplementedVersion, "version", true},
		{"login no svcs", cmdDoc(`<login><clID>registrar1</clID><pw>123456</pw><options><version>1.0</version><lang>en</lang></options></login>`), CodeMissingParam, "svcs", true},
		{"poll no op", cmdDoc(`<poll/>`), CodeMissingParam, "poll@op", true},
		{"poll bad op", cmdDoc(`<poll op="peek"/>`), CodeParamSyntaxError, "poll@op", true},
		{"poll ack without msgID", cmdDoc(`<poll op="ack"/>`), CodeMissingParam, "poll@msgID", true},
		{"renew bad date", cmdDoc(`<renew><domain:renew ` + domNS + `><domain:name>a.example</domain:name><domain:curExpDate>03/04/2027</domain:curExpDate></domain:renew></renew>`), CodeParamSyntaxError, "domain:curExpDate", true},
		{"renew no date", cmdDoc(`<renew><domain:renew ` + domNS + `><domain:name>a.example</domain:name></domain:renew></renew>`), CodeMissingParam, "domain:curExpDate", true},
		{"update with nothing", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name></domain:update></update>`), CodeMissingParam, "domain:update", true},
		{"update bad status", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:add><domain:status s="frozen"/></domain:add></domain:update></update>`), CodeParamSyntaxError, "domain:status@s", true},
		{"update authInfo null", cmdDoc(`<update><domain:update ` + domNS + `><domain:name>a.example</domain:name><domain:chg><domain:authInfo><domain:null/></domain:authInfo></domain:chg></domain:update></update>`), CodeUnimplementedOption, "domain:authInfo", true},
		{"fee check without command", cmdDoc(`<check><domain:check ` + domNS + `><domain:name>a.example</domain:name></domain:check></check><extension><fee:check xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"/></extension>`), CodeMissingParam, "fee:command", true},
		{"fee negative", cmdDoc(`<create><domain:create ` + domNS + `><domain:name>a.example</domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo></domain:create></create><extension><fee:create xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:fee>-1.00</fee:fee></fee:create></extension>`), CodeParamRangeError, "fee:fee", true},
		{"fee not a decimal", cmdDoc(`<create><domain:create ` + domNS + `><domain:name>a.example</domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo></domain:create></create><extension><fee:create xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:fee>1e3</fee:fee></fee:create></extension>`), CodeParamSyntaxError, "fee:fee", true},
		{"fee bad currency", cmdDoc(`<create><domain:create ` + domNS + `><domain:name>a.example</domain:name><domain:authInfo><domain:pw>x</domain:pw></domain:authInfo></domain:create></create><extension><fee:create xmlns:fee="urn:ietf:params:xml:ns:epp:fee-1.0"><fee:currency>usd</fee:currency><fee:fee>1</fee:fee></fee:create></extension>`), CodeParamSyntaxError, "fee:currency", true},
		{"contact id too short", cmdDoc(`<info><contact:info xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>ab</contact:id></contact:info></info>`), CodeParamSyntaxError, "contact:id", true},
		{"contact bad voice", cmdDoc(contactCreate(`<contact:voice>+1 703 555 5555</contact:voice>`, "int", "John Doe")), CodeParamSyntaxError, "contact:voice", true},
		{"contact int not ASCII", cmdDoc(contactCreate("", "int", "Jöhn")), CodeParamSyntaxError, "contact:postalInfo", true},
		{"contact disclose", cmdDoc(contactCreate(`<contact:email>a@b.example</contact:email><contact:authInfo><contact:pw>x</contact:pw></contact:authInfo><contact:disclose flag="0"><contact:voice/></contact:disclose>`, "loc", "X")), CodeUnimplementedOption, "contact:disclose", true},
		{"host bad address", cmdDoc(`<create><host:create xmlns:host="urn:ietf:params:xml:ns:host-1.0"><host:name>ns1.a.example</host:name><host:addr ip="v6">192.0.2.1</host:addr></host:create></create>`), CodeParamSyntaxError, "host:addr", true},
		{"text in element-only content", cmdDoc(`<check>junk<domain:check ` + domNS + `><domain:name>a</domain:name></domain:check></check>`), CodeSyntaxError, "check", true},
		{"too deep", eppOpen + "<command><check><domain:check " + domNS + "><domain:name>a</domain:name></domain:check></check><extension>" + strings.Repeat("<x:a xmlns:x='urn:x'>", 100) + strings.Repeat("</x:a>", 100) + "</extension></command></epp>", CodeSyntaxError, "epp", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCommand([]byte(tc.in))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%s) = %+v, %v, want a *FormatError with code %d", tc.name, got, err, tc.code)
			}
			if fe.Code != tc.code || (tc.field != "" && fe.Field != tc.field) {
				t.Errorf("Parse(%s) = %v (code %d, field %q), want code %d, field %q", tc.name, err, fe.Code, fe.Field, tc.code, tc.field)
			}
			if wantTRID := map[bool]string{true: "ABC-12345"}[tc.withTRID]; fe.ClTRID != wantTRID {
				t.Errorf("Parse(%s) error ClTRID = %q, want %q", tc.name, fe.ClTRID, wantTRID)
			}
			if !ValidCode(fe.Code) || fe.Code < 2000 {
				t.Errorf("Parse(%s) error code %d is not an EPP error code", tc.name, fe.Code)
			}
			// The server can always answer with the error's result.
			resp := &Response{Results: []Result{fe.Result()}, ClTRID: fe.ClTRID, SvTRID: "SRV-1"}
			if _, err := resp.Marshal(); err != nil {
				t.Errorf("Marshal(error response for %s) = %v", tc.name, err)
			}
		})
	}
}

func mustRead(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

// contactCreate builds a contact create body; tail replaces the default
// email/authInfo when it holds an email element.
func contactCreate(tail, typ, name string) string {
	if !strings.Contains(tail, "contact:email") {
		tail += `<contact:email>jdoe@example.com</contact:email><contact:authInfo><contact:pw>x</contact:pw></contact:authInfo>`
	}
	return `<create><contact:create xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"><contact:id>sh8013</contact:id><contact:postalInfo type="` +
		typ + `"><contact:name>` + name + `</contact:name><contact:addr><contact:city>Dulles</contact:city><contact:cc>US</contact:cc></contact:addr></contact:postalInfo>` +
		tail + `</contact:create></create>`
}

func TestParseResponseErrors(t *testing.T) {
	resp := func(inner string) string {
		return eppOpen + "<response>" + inner + "</response></epp>"
	}
	const res = `<result code="1000"><msg>ok</msg></result>`
	const tr = `<trID><svTRID>SRV-1</svTRID></trID>`
	tests := []struct {
		name string
		in   string
		code int
	}{
		{"no result", resp(tr), CodeMissingParam},
		{"no trID", resp(res), CodeMissingParam},
		{"unknown code", resp(`<result code="1234"><msg>?</msg></result>` + tr), CodeParamSyntaxError},
		{"code not a number", resp(`<result code="OK"><msg>?</msg></result>` + tr), CodeParamSyntaxError},
		{"no svTRID", resp(res + `<trID><clTRID>ABC-1</clTRID></trID>`), CodeMissingParam},
		{"two resData objects", resp(res + `<resData><domain:renData ` + domNS + `><domain:name>a</domain:name></domain:renData><domain:renData ` + domNS + `><domain:name>b</domain:name></domain:renData></resData>` + tr), CodeSyntaxError},
		{"creData without crDate", resp(res + `<resData><domain:creData ` + domNS + `><domain:name>a</domain:name></domain:creData></resData>` + tr), CodeMissingParam},
		{"bad date", resp(res + `<resData><domain:creData ` + domNS + `><domain:name>a</domain:name><domain:crDate>yesterday</domain:crDate></domain:creData></resData>` + tr), CodeParamSyntaxError},
		{"bad avail", resp(res + `<resData><domain:chkData ` + domNS + `><domain:cd><domain:name avail="yes">a</domain:name></domain:cd></domain:chkData></resData>` + tr), CodeParamSyntaxError},
		{"msgQ without id", resp(res + `<msgQ count="1"/>` + tr), CodeMissingParam},
		{"a command", cmdDoc("<logout/>"), CodeSyntaxError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseResponse([]byte(tc.in))
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Code != tc.code {
				t.Errorf("Parse(%s) = %+v, %v, want a *FormatError with code %d", tc.name, got, err, tc.code)
			}
		})
	}
	if _, err := ParseGreeting(mustRead("login_response.xml")); err == nil {
		t.Errorf("ParseGreeting(response) = nil error, want an error")
	}
	if _, err := ParseResponse(mustRead("greeting.xml")); err == nil {
		t.Errorf("ParseResponse(greeting) = nil error, want an error")
	}
}

func TestMarshalErrors(t *testing.T) {
	okLogin := func() *Login {
		return &Login{ClID: "registrar1", Password: "secret1", Version: "1.0", Lang: "en", ObjURIs: []string{NSDomain}}
	}
	tests := []struct {
		name  string
		msg   message
		field string
	}{
		{"empty command", &Command{}, "command"},
		{"two commands", &Command{Logout: true, Hello: true}, "command"},
		{"hello with clTRID", &Command{Hello: true, ClTRID: "ABC-1"}, "clTRID"},
		{"clTRID too short", &Command{Logout: true, ClTRID: "ab"}, "clTRID"},
		{"clTRID with spaces", &Command{Logout: true, ClTRID: " ABC-1"}, "clTRID"},
		{"clTRID with newline", &Command{Logout: true, ClTRID: "ABC\n1"}, "clTRID"},
		{"clID too long", &Command{Login: func() *Login { l := okLogin(); l.ClID = strings.Repeat("x", 17); return l }()}, "clID"},
		{"pw too short", &Command{Login: func() *Login { l := okLogin(); l.Password = "12345"; return l }()}, "pw"},
		{"newPW too long", &Command{Login: func() *Login { l := okLogin(); l.NewPassword = strings.Repeat("x", 17); return l }()}, "newPW"},
		{"no version", &Command{Login: func() *Login { l := okLogin(); l.Version = ""; return l }()}, "version"},
		{"no objURI", &Command{Login: func() *Login { l := okLogin(); l.ObjURIs = nil; return l }()}, "objURI"},
		{"bad lang", &Command{Login: func() *Login { l := okLogin(); l.Lang = "en_US"; return l }()}, "lang"},
		{"poll req with msgID", &Command{Poll: &Poll{Op: "req", MsgID: "1"}}, "poll@msgID"},
		{"check no names", &Command{DomainCheck: &DomainCheck{}}, "domain:name"},
		{"name too long", &Command{DomainCheck: &DomainCheck{Names: []string{strings.Repeat("a", 256)}}}, "domain:name"},
		{"invalid XML character", &Command{DomainCheck: &DomainCheck{Names: []string{"a\x00b"}}}, "domain:name"},
		{"invalid UTF-8", &Command{DomainCheck: &DomainCheck{Names: []string{"a\xffb"}}}, "domain:name"},
		{"fee command name", &Command{DomainCheck: &DomainCheck{Names: []string{"a"}, Fee: &FeeCheck{Commands: []FeeCommand{{Name: "buy"}}}}}, "fee:command@name"},
		{"period unit", &Command{DomainCreate: &DomainCreate{Name: "a", Period: &Period{1, "w"}}}, "domain:period@unit"},
		{"registrant too short", &Command{DomainCreate: &DomainCreate{Name: "a", Registrant: "ab"}}, "domain:registrant"},
		{"contact type", &Command{DomainCreate: &DomainCreate{Name: "a", Contacts: []DomainContact{{"owner", "sh8013"}}}}, "domain:contact@type"},
		{"authInfo with tab", &Command{DomainCreate: &DomainCreate{Name: "a", AuthInfo: "a\tb"}}, "domain:pw"},
		{"fee without fee", &Command{DomainCreate: &DomainCreate{Name: "a", Fee: &FeeTransform{Currency: "USD"}}}, "fee:create"},
		{"renew without date", &Command{DomainRenew: &DomainRenew{Name: "a"}}, "domain:curExpDate"},
		{"too many statuses", &Command{DomainUpdate: &DomainUpdate{Name: "a", Add: &DomainAddRem{Statuses: make([]string, 12)}}}, "domain:status"},
		{"contact id", &Command{ContactCreate: &ContactCreate{ID: "a"}}, "contact:id"},
		{"no postal info", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b"}}, "contact:postalInfo"},
		{"two int postal infos", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", PostalInfo: []PostalInfo{
			{Type: "int", Name: "a", City: "b", CC: "US"}, {Type: "int", Name: "a", City: "b", CC: "US"}}}}, "contact:postalInfo@type"},
		{"four streets", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "US", Street: []string{"1", "2", "3", "4"}}}}}, "contact:street"},
		{"cc length", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "USA"}}}}, "contact:cc"},
		{"fax not E.164", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", Fax: "+1.", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "US"}}}}, "contact:fax"},
		{"unspec value with a space", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", AuthInfo: "x", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "US"}}, Unspec: []KeyValue{{Key: "AppPurpose", Value: "P 1"}}}}, "neulevel:unspec"},
		{"unspec key", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", AuthInfo: "x", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "US"}}, Unspec: []KeyValue{{Key: "1st", Value: "P1"}}}}, "neulevel:unspec"},
		{"unspec key repeated", &Command{ContactCreate: &ContactCreate{ID: "sh8013", Email: "a@b", AuthInfo: "x", PostalInfo: []PostalInfo{
			{Type: "loc", Name: "a", City: "b", CC: "US"}}, Unspec: []KeyValue{{Key: "A", Value: "1"}, {Key: "a", Value: "2"}}}}, "neulevel:unspec"},
		{"host addr zone", &Command{HostCreate: &HostCreate{Name: "ns1.a", Addrs: []HostAddr{{IP: "v6", Addr: "fe80::1%eth0"}}}}, "host:addr"},
		{"host addr v4 as v6", &Command{HostCreate: &HostCreate{Name: "ns1.a", Addrs: []HostAddr{{IP: "v6", Addr: "192.0.2.1"}}}}, "host:addr"},
		{"no results", &Response{SvTRID: "SRV-1"}, "result"},
		{"bad code", &Response{Results: []Result{{Code: 999}}, SvTRID: "SRV-1"}, "result@code"},
		{"msg with newline", &Response{Results: []Result{{Code: 1000, Msg: "a\nb"}}, SvTRID: "SRV-1"}, "msg"},
		{"no svTRID", &Response{Results: []Result{{Code: 1000}}}, "svTRID"},
		{"two resData", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1",
			DomainRenew: &DomainRenData{Name: "a"}, HostCreate: &HostCreData{Name: "b", CrDate: date(2026, 1, 1, 0, 0, 0)}}, "resData"},
		{"creData without crDate", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", DomainCreate: &DomainCreData{Name: "a"}}, "domain:crDate"},
		{"bad roid", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", DomainInfo: &DomainInfData{Name: "a", ROID: "NOHYPHEN", ClID: "abc"}}, "domain:roid"},
		{"reason too long", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", DomainCheck: &DomainChkData{CDs: []DomainCD{{Name: "a", Reason: strings.Repeat("r", 33)}}}}, "domain:reason"},
		{"value with namespace only", &Response{Results: []Result{{Code: 2005, Values: []Value{{NS: NSDomain}}}}, SvTRID: "SRV-1"}, "value"},
		{"value bad name", &Response{Results: []Result{{Code: 2005, Values: []Value{{NS: NSDomain, Name: "a:b"}}}}, SvTRID: "SRV-1"}, "value"},
		{"negative count", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", MsgQ: &MsgQ{Count: -1, ID: "1"}}, "msgQ@count"},
		{"fee chkData without currency", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", FeeCheck: &FeeChkData{CDs: []FeeCD{{ObjID: "a"}}}}, "fee:currency"},
		{"credit positive", &Response{Results: []Result{{Code: 1000}}, SvTRID: "SRV-1", FeeCreate: &FeeTransformData{Credits: []Fee{{Amount: "5"}}}}, "fee:credit"},
		{"greeting no svDate", &Greeting{SvID: "abc", Versions: []string{"1.0"}, Langs: []string{"en"}, ObjURIs: []string{NSDomain}}, "svDate"},
		{"greeting version", &Greeting{SvID: "abc", SvDate: date(2026, 1, 1, 0, 0, 0), Versions: []string{"2.0"}, Langs: []string{"en"}, ObjURIs: []string{NSDomain}}, "version"},
		{"greeting year 10000", &Greeting{SvID: "abc", SvDate: date(10000, 1, 1, 0, 0, 0), Versions: []string{"1.0"}, Langs: []string{"en"}, ObjURIs: []string{NSDomain}}, "svDate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.msg.Marshal()
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("Marshal(%s) = %q, %v, want a *FormatError for field %q", tc.name, out, err, tc.field)
			}
		})
	}
}

// TestMarshalNeverLeaksPassword checks that validation errors do not
// quote the password.
func TestMarshalNeverLeaksPassword(t *testing.T) {
	for _, pw := range []string{"short", "far-too-long-password-1", " padded-pw "} {
		_, err := (&Command{Login: &Login{ClID: "registrar1", Password: pw, Version: "1.0", Lang: "en", ObjURIs: []string{NSDomain}}}).Marshal()
		if err == nil || strings.Contains(err.Error(), strings.TrimSpace(pw)) {
			t.Errorf("Marshal(login with pw %q) = %v, want an error not quoting the password", pw, err)
		}
	}
}

func TestResponseErr(t *testing.T) {
	r, err := ParseResponse(mustRead("error_2302_response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Code() != CodeObjectExists {
		t.Errorf("Code() = %d, want %d", r.Code(), CodeObjectExists)
	}
	var e *Error
	if !errors.As(r.Err(), &e) {
		t.Fatalf("Err() = %v, want an *Error", r.Err())
	}
	want := &Error{Code: 2302, Msg: "Object exists", Reason: "Domain name is already registered", ClTRID: "ABC-00011", SvTRID: "SRV-00021"}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("Err() = %+v, want %+v", e, want)
	}
	if !strings.Contains(e.Error(), "2302") || !strings.Contains(e.Error(), "already registered") {
		t.Errorf("Error() = %q, want the code and reason", e.Error())
	}
	for _, name := range []string{"login_response.xml", "domain_create_pending_response.xml", "poll_req_response_empty.xml", "logout_response.xml"} {
		r, err := ParseResponse(mustRead(name))
		if err != nil || r.Err() != nil {
			t.Errorf("Parse(%s).Err() = %v, %v, want nil", name, err, r.Err())
		}
	}
	r, _ = ParseResponse(mustRead("error_2502_response.xml"))
	if !errors.As(r.Err(), &e) || e.Code != CodeSessionLimitExceeded || e.Reason != "" {
		t.Errorf("Err() for 2502 = %v, want code 2502 without reason", r.Err())
	}
	if (&Response{}).Code() != 0 || (&Response{}).Err() != nil {
		t.Errorf("empty response: Code() = %d, Err() = %v, want 0, nil", (&Response{}).Code(), (&Response{}).Err())
	}
}

func TestCodeText(t *testing.T) {
	codes := []int{1000, 1001, 1300, 1301, 1500, 2000, 2001, 2002, 2003, 2004, 2005, 2100, 2101, 2102, 2103, 2104,
		2105, 2106, 2200, 2201, 2202, 2300, 2301, 2302, 2303, 2304, 2305, 2306, 2307, 2308, 2400, 2500, 2501, 2502}
	if len(codes) != 34 || len(codeTexts) != 34 {
		t.Fatalf("%d codes, %d texts, want 34", len(codes), len(codeTexts))
	}
	for _, c := range codes {
		if CodeText(c) == "" || !ValidCode(c) {
			t.Errorf("CodeText(%d) = %q, ValidCode = %v, want a text", c, CodeText(c), ValidCode(c))
		}
	}
	spot := map[int]string{
		CodeOK:                            "Command completed successfully",
		CodeAckToDequeue:                  "Command completed successfully; ack to dequeue",
		CodeAssociationProhibitsOperation: "Object association prohibits operation",
		CodeSessionLimitExceeded:          "Session limit exceeded; server closing connection",
	}
	for c, want := range spot {
		if got := CodeText(c); got != want {
			t.Errorf("CodeText(%d) = %q, want %q", c, got, want)
		}
	}
	if CodeText(1234) != "" || ValidCode(1234) {
		t.Errorf("CodeText(1234) = %q, want \"\"", CodeText(1234))
	}
}

func TestKind(t *testing.T) {
	for _, tc := range goldenCases {
		c, ok := tc.msg.(*Command)
		if !ok {
			continue
		}
		kind := c.Kind()
		base := strings.ReplaceAll(kind, ":", "_")
		if !strings.HasPrefix(tc.name, base) {
			t.Errorf("Kind() of %s = %q", tc.name, kind)
		}
	}
	if k := (&Command{}).Kind(); k != "" {
		t.Errorf("Kind() of empty command = %q, want \"\"", k)
	}
}

// secDNSDoc is a domain update with a secDNS:update holding inner.
func secDNSDoc(inner string) string {
	return cmdDoc(`<update><domain:update xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>example.com</domain:name><domain:chg/></domain:update></update>` +
		`<extension><secDNS:update xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1">` + inner + `</secDNS:update></extension>`)
}
