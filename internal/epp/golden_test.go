package epp

import (
	"bytes"
	"flag"
	"github.com/openregistrar/registrar/internal/epp/epptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the Marshal functions")

func date(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }

// message is what golden cases hold: a Command, Response or Greeting.
type message interface {
	Marshal() ([]byte, error)
}

// parseAs parses b as the same kind of message as like.
func parseAs(like message, b []byte) (message, error) {
	switch like.(type) {
	case *Command:
		return ParseCommand(b)
	case *Response:
		return ParseResponse(b)
	case *Greeting:
		return ParseGreeting(b)
	}
	panic("unknown message type")
}

var allObjURIs = []string{NSDomain, NSContact, NSHost}

// goldenCases are the fixtures: testdata/<name>.xml is what Marshal
// writes for each.
var goldenCases = []struct {
	name string
	msg  message
}{
	{"greeting", &Greeting{
		SvID: "OpenRegistrar sandbox", SvDate: date(2026, 1, 2, 3, 4, 5),
		Versions: []string{"1.0"}, Langs: []string{"en"}, ObjURIs: allObjURIs,
		ExtURIs: []string{NSFee, NSSecDNS, NSRGP},
	}},
	{"hello", &Command{Hello: true}},
	{"login", &Command{ClTRID: "ABC-00001", Login: &Login{
		ClID: "registrar1", Password: "secret-pw1", NewPassword: "new-secret2", Version: "1.0", Lang: "en",
		ObjURIs: allObjURIs, ExtURIs: []string{NSFee},
	}}},
	{"login_response", &Response{Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}}, ClTRID: "ABC-00001", SvTRID: "SRV-00001"}},
	{"logout", &Command{ClTRID: "ABC-00002", Logout: true}},
	{"logout_response", &Response{Results: []Result{{Code: CodeEndingSession, Msg: CodeText(CodeEndingSession)}}, ClTRID: "ABC-00002", SvTRID: "SRV-00002"}},
	{"poll_req", &Command{ClTRID: "ABC-00003", Poll: &Poll{Op: PollReq}}},
	{"poll_req_response_empty", &Response{
		Results: []Result{{Code: CodeNoMessages, Msg: CodeText(CodeNoMessages)}},
		ClTRID:  "ABC-00003", SvTRID: "SRV-00003",
	}},
	{"poll_req_response_pan", &Response{
		Results: []Result{{Code: CodeAckToDequeue, Msg: CodeText(CodeAckToDequeue)}},
		MsgQ:    &MsgQ{Count: 5, ID: "12345", QDate: date(2026, 1, 3, 22, 0, 0), Msg: "Pending action completed successfully."},
		DomainPan: &DomainPanData{Name: "example.com", PaResult: true, PaClTRID: "ABC-12345", PaSvTRID: "54321-XYZ",
			PaDate: date(2026, 1, 3, 22, 0, 0)},
		ClTRID: "ABC-00004", SvTRID: "SRV-00004",
	}},
	{"poll_req_response_pan_failed", &Response{
		Results:   []Result{{Code: CodeAckToDequeue, Msg: CodeText(CodeAckToDequeue)}},
		MsgQ:      &MsgQ{Count: 1, ID: "12346", QDate: date(2026, 1, 3, 22, 0, 0)},
		DomainPan: &DomainPanData{Name: "example.net", PaResult: false, PaSvTRID: "54322-XYZ", PaDate: date(2026, 1, 3, 22, 0, 0)},
		SvTRID:    "SRV-00005",
	}},
	{"poll_req_response_transfer", &Response{
		Results: []Result{{Code: CodeAckToDequeue, Msg: CodeText(CodeAckToDequeue)}},
		MsgQ:    &MsgQ{Count: 2, ID: "12347", QDate: date(2026, 1, 6, 9, 0, 0), Msg: "Transfer requested."},
		DomainTransfer: &DomainTrnData{Name: "example.com", TrStatus: TrPending, ReID: "ClientX", ReDate: date(2026, 1, 6, 9, 0, 0),
			AcID: "ClientY", AcDate: date(2026, 1, 11, 9, 0, 0), ExDate: date(2027, 9, 8, 22, 0, 0)},
		ClTRID: "ABC-00006", SvTRID: "SRV-00006",
	}},
	{"poll_ack", &Command{ClTRID: "ABC-00007", Poll: &Poll{Op: PollAck, MsgID: "12345"}}},
	{"poll_ack_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		MsgQ:    &MsgQ{Count: 4, ID: "12345"},
		ClTRID:  "ABC-00007", SvTRID: "SRV-00007",
	}},
	{"domain_check", &Command{ClTRID: "ABC-00008", DomainCheck: &DomainCheck{Names: []string{"example.com", "example.net", "premium.example"}}}},
	{"domain_check_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainCheck: &DomainChkData{CDs: []DomainCD{
			{Name: "example.com", Avail: true},
			{Name: "example.net", Avail: false, Reason: "In use"},
		}},
		ClTRID: "ABC-00008", SvTRID: "SRV-00008",
	}},
	{"domain_check_fee", &Command{ClTRID: "ABC-00009", DomainCheck: &DomainCheck{
		Names: []string{"example.com", "premium.example"},
		Fee: &FeeCheck{Currency: "USD", Commands: []FeeCommand{
			{Name: FeeCreate, Period: &Period{Value: 1, Unit: PeriodYears}},
			{Name: FeeRenew},
		}},
	}}},
	{"domain_check_fee_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainCheck: &DomainChkData{CDs: []DomainCD{
			{Name: "example.com", Avail: true},
			{Name: "premium.example", Avail: true},
		}},
		FeeCheck: &FeeChkData{Currency: "USD", CDs: []FeeCD{
			{ObjID: "example.com", Avail: true, Class: "standard", Commands: []FeeCommandData{
				{Name: FeeCreate, Standard: true, Period: &Period{Value: 1, Unit: PeriodYears}, Fees: []Fee{{Amount: "10.00", Description: "Registration Fee"}}},
				{Name: FeeRenew, Standard: true, Period: &Period{Value: 1, Unit: PeriodYears}, Fees: []Fee{{Amount: "10.00", Description: "Renewal Fee"}}},
			}},
			{ObjID: "premium.example", Avail: true, Class: "premium", Commands: []FeeCommandData{
				{Name: FeeCreate, Period: &Period{Value: 1, Unit: PeriodYears}, Fees: []Fee{{Amount: "2500.00", Description: "Premium Registration Fee"}},
					Credits: []Fee{{Amount: "-25.00", Description: "Promotion"}}},
				{Name: FeeRenew, Period: &Period{Value: 1, Unit: PeriodYears}, Fees: []Fee{{Amount: "250.00"}}},
			}},
		}},
		ClTRID: "ABC-00009", SvTRID: "SRV-00009",
	}},
	{"domain_info", &Command{ClTRID: "ABC-00010", DomainInfo: &DomainInfo{Name: "example.com", Hosts: "all", AuthInfo: "2fooBAR"}}},
	{"domain_info_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainInfo: &DomainInfData{
			Name: "example.com", ROID: "EXAMPLE1-REP", Statuses: []string{"clientUpdateProhibited", "serverHold"},
			Registrant: "jd1234",
			Contacts:   []DomainContact{{Type: ContactAdmin, ID: "sh8013"}, {Type: ContactTech, ID: "sh8013"}},
			NS:         []string{"ns1.example.com", "ns1.example.net"}, Hosts: []string{"ns1.example.com", "ns2.example.com"},
			ClID: "ClientX", CrID: "ClientY", CrDate: date(2024, 4, 3, 22, 0, 0), UpID: "ClientX",
			UpDate: date(2025, 12, 3, 9, 0, 0), ExDate: date(2027, 4, 3, 22, 0, 0), TrDate: date(2025, 4, 8, 9, 0, 0),
			AuthInfo: "2fooBAR",
		},
		ClTRID: "ABC-00010", SvTRID: "SRV-00010",
	}},
	{"domain_create", &Command{ClTRID: "ABC-00011", DomainCreate: &DomainCreate{
		Name: "example.com", Period: &Period{Value: 2, Unit: PeriodYears},
		NS:         []string{"ns1.example.net", "ns2.example.net"},
		Registrant: "jd1234",
		Contacts:   []DomainContact{{Type: ContactAdmin, ID: "sh8013"}, {Type: ContactBilling, ID: "sh8013"}, {Type: ContactTech, ID: "sh8014"}},
		AuthInfo:   "2fooBAR",
	}}},
	{"domain_create_minimal", &Command{DomainCreate: &DomainCreate{Name: "example.org"}}},
	{"domain_create_response", &Response{
		Results:      []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainCreate: &DomainCreData{Name: "example.com", CrDate: date(2026, 1, 2, 3, 4, 5), ExDate: date(2028, 1, 2, 3, 4, 5)},
		ClTRID:       "ABC-00011", SvTRID: "SRV-00011",
	}},
	{"domain_create_fee", &Command{ClTRID: "ABC-00012", DomainCreate: &DomainCreate{
		Name: "premium.example", Period: &Period{Value: 1, Unit: PeriodYears},
		NS:       []string{"ns1.example.net"},
		Contacts: []DomainContact{{Type: ContactAdmin, ID: "sh8013"}},
		AuthInfo: "2fooBAR",
		Fee:      &FeeTransform{Currency: "USD", Fees: []Fee{{Amount: "2500.00"}}},
	}}},
	{"domain_create_fee_response", &Response{
		Results:      []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainCreate: &DomainCreData{Name: "premium.example", CrDate: date(2026, 1, 2, 3, 4, 5), ExDate: date(2027, 1, 2, 3, 4, 5)},
		FeeCreate: &FeeTransformData{Currency: "USD", Period: &Period{Value: 1, Unit: PeriodYears},
			Fees: []Fee{{Amount: "2500.00", Description: "Premium Registration Fee"}}, Balance: "-2500.00", CreditLimit: "10000.00"},
		ClTRID: "ABC-00012", SvTRID: "SRV-00012",
	}},
	{"domain_create_pending_response", &Response{
		Results:      []Result{{Code: CodePending, Msg: CodeText(CodePending)}},
		DomainCreate: &DomainCreData{Name: "example.com", CrDate: date(2026, 1, 2, 3, 4, 5)},
		ClTRID:       "ABC-12345", SvTRID: "54321-XYZ",
	}},
	{"domain_renew", &Command{ClTRID: "ABC-00013", DomainRenew: &DomainRenew{
		Name: "example.com", CurExpDate: date(2027, 4, 3, 0, 0, 0), Period: &Period{Value: 5, Unit: PeriodYears},
	}}},
	{"domain_renew_fee", &Command{ClTRID: "ABC-00014", DomainRenew: &DomainRenew{
		Name: "premium.example", CurExpDate: date(2027, 1, 2, 0, 0, 0), Period: &Period{Value: 12, Unit: PeriodMonths},
		Fee: &FeeTransform{Fees: []Fee{{Amount: "250.00"}}},
	}}},
	{"domain_renew_response", &Response{
		Results:     []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainRenew: &DomainRenData{Name: "example.com", ExDate: date(2032, 4, 3, 22, 0, 0)},
		FeeRenew:    &FeeTransformData{Currency: "USD", Fees: []Fee{{Amount: "50.00"}}},
		ClTRID:      "ABC-00013", SvTRID: "SRV-00013",
	}},
	{"domain_update", &Command{ClTRID: "ABC-00015", DomainUpdate: &DomainUpdate{
		Name: "example.com",
		Add: &DomainAddRem{NS: []string{"ns2.example.com"}, Contacts: []DomainContact{{Type: ContactTech, ID: "mak21"}},
			Statuses: []string{"clientHold"}},
		Rem: &DomainAddRem{NS: []string{"ns1.example.com"}, Contacts: []DomainContact{{Type: ContactTech, ID: "sh8013"}},
			Statuses: []string{"clientUpdateProhibited", "clientTransferProhibited"}},
		Chg: &DomainChg{Registrant: ptr("sh8013"), AuthInfo: ptr("2BARfoo")},
	}}},
	{"domain_update_status", &Command{ClTRID: "ABC-00016", DomainUpdate: &DomainUpdate{
		Name: "example.com", Rem: &DomainAddRem{Statuses: []string{"clientUpdateProhibited"}},
	}}},
	// The auth-code update of eppregistry: a new code, nothing else.
	{"domain_update_authinfo", &Command{ClTRID: "ABC-00018", DomainUpdate: &DomainUpdate{
		Name: "example.com", Chg: &DomainChg{AuthInfo: ptr("N3w-Code_9xYz.Q2")},
	}}},
	{"domain_update_empty_chg", &Command{ClTRID: "ABC-00017", DomainUpdate: &DomainUpdate{
		Name: "example.com", Chg: &DomainChg{},
	}}},
	{"domain_update_response", &Response{Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}}, ClTRID: "ABC-00015", SvTRID: "SRV-00015"}},
	{"domain_update_pending_response", &Response{Results: []Result{{Code: CodePending, Msg: CodeText(CodePending)}}, ClTRID: "ABC-00016", SvTRID: "SRV-00016"}},
	{"contact_create", &Command{ClTRID: "ABC-00018", ContactCreate: &ContactCreate{
		ID: "sh8013",
		PostalInfo: []PostalInfo{
			{Type: PostalInt, Name: "John Doe", Org: "Example Inc.", Street: []string{"123 Example Dr.", "Suite 100"},
				City: "Dulles", SP: "VA", PC: "20166-6503", CC: "US"},
			{Type: PostalLoc, Name: "Jöhn Dœ & Söhne <GmbH>", Street: []string{"Straße 1"}, City: "Zürich", CC: "CH"},
		},
		Voice: "+1.7035555555", Fax: "+1.7035555556", Email: "jdoe@example.com", AuthInfo: "2fooBAR",
	}}},
	{"contact_create_neulevel", &Command{ClTRID: "ABC-00030", ContactCreate: &ContactCreate{
		ID:         "or1a2b3c4d5e6f70",
		PostalInfo: []PostalInfo{{Type: PostalInt, Name: "Ada Lovelace", Street: []string{"1 Main St"}, City: "Austin", SP: "TX", PC: "78701", CC: "US"}},
		Voice:      "+1.5555555555", Email: "ada@example.com", AuthInfo: "2fooBAR",
		Unspec: []KeyValue{{Key: "AppPurpose", Value: "P1"}, {Key: "NexusCategory", Value: "C31/DE"}},
	}}},
	{"contact_create_response", &Response{
		Results:       []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		ContactCreate: &ContactCreData{ID: "sh8013", CrDate: date(2026, 1, 2, 3, 4, 5)},
		ClTRID:        "ABC-00018", SvTRID: "SRV-00018",
	}},
	{"contact_info", &Command{ClTRID: "ABC-00019", ContactInfo: &ContactInfo{ID: "sh8013", AuthInfo: "2fooBAR"}}},
	{"contact_info_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		ContactInfo: &ContactInfData{
			ID: "sh8013", ROID: "SH8013-REP", Statuses: []string{"linked", "clientDeleteProhibited"},
			PostalInfo: []PostalInfo{{Type: PostalInt, Name: "John Doe", Org: "Example Inc.",
				Street: []string{"123 Example Dr.", "Suite 100"}, City: "Dulles", SP: "VA", PC: "20166-6503", CC: "US"}},
			Voice: "+1.7035555555", Email: "jdoe@example.com", ClID: "ClientY", CrID: "ClientX",
			CrDate: date(2024, 4, 3, 22, 0, 0), UpID: "ClientX", UpDate: date(2025, 12, 3, 9, 0, 0),
			TrDate: date(2025, 4, 8, 9, 0, 0), AuthInfo: "2fooBAR",
		},
		ClTRID: "ABC-00019", SvTRID: "SRV-00019",
	}},
	{"host_create", &Command{ClTRID: "ABC-00020", HostCreate: &HostCreate{
		Name:  "ns1.example.com",
		Addrs: []HostAddr{{IP: IPv4, Addr: "192.0.2.2"}, {Addr: "192.0.2.29"}, {IP: IPv6, Addr: "2001:db8::1"}},
	}}},
	{"host_create_response", &Response{
		Results:    []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		HostCreate: &HostCreData{Name: "ns1.example.com", CrDate: date(2026, 1, 2, 3, 4, 5)},
		ClTRID:     "ABC-00020", SvTRID: "SRV-00020",
	}},
	{"error_2302_response", &Response{
		Results: []Result{{Code: CodeObjectExists, Msg: CodeText(CodeObjectExists), Values: []Value{
			{NS: NSDomain, Name: "name", Text: "example.com", Reason: "Domain name is already registered"},
		}}},
		ClTRID: "ABC-00011", SvTRID: "SRV-00021",
	}},
	{"error_2005_values_response", &Response{
		Results: []Result{
			{Code: CodeParamSyntaxError, Msg: CodeText(CodeParamSyntaxError), Values: []Value{
				{NS: NSDomain, Name: "name", Text: "ex(ample.com"},
				{NS: "urn:example:other", Name: "elem", Text: "a & b < c"},
				{NS: "", Name: "local", Text: " spaced\r\nlines\t"},
				{NS: NSEPP, Name: "clTRID", Text: "x"},
				{Name: "", Text: "", Reason: "Invalid character found."},
			}},
			{Code: CodeParamRangeError, Msg: CodeText(CodeParamRangeError), Values: []Value{
				{NS: NSDomain, Name: "period", Text: "100"},
			}},
		},
		ClTRID: "ABC-00022", SvTRID: "SRV-00022",
	}},
	{"domain_transfer_request", &Command{ClTRID: "ABC-00030", DomainTransfer: &DomainTransfer{
		Op: TransferRequest, Name: "example.com", Period: &Period{1, PeriodYears}, AuthInfo: "2fooBAR"}}},
	{"domain_transfer_request_fee", &Command{ClTRID: "ABC-00031", DomainTransfer: &DomainTransfer{
		Op: TransferRequest, Name: "premium.example", Period: &Period{1, PeriodYears}, AuthInfo: "2fooBAR",
		Fee: &FeeTransform{Currency: "USD", Fees: []Fee{{Amount: "500.00"}}}}}},
	{"domain_transfer_request_response", &Response{
		Results: []Result{{Code: CodePending, Msg: CodeText(CodePending)}},
		DomainTransfer: &DomainTrnData{Name: "example.com", TrStatus: TrPending, ReID: "ClientX", ReDate: date(2026, 1, 6, 9, 0, 0),
			AcID: "ClientY", AcDate: date(2026, 1, 11, 9, 0, 0), ExDate: date(2027, 9, 8, 22, 0, 0)},
		FeeTransfer: &FeeTransformData{Currency: "USD", Period: &Period{1, PeriodYears}, Fees: []Fee{{Amount: "500.00"}}},
		ClTRID:      "ABC-00031", SvTRID: "SRV-00031",
	}},
	{"domain_transfer_query", &Command{ClTRID: "ABC-00032", DomainTransfer: &DomainTransfer{
		Op: TransferQuery, Name: "example.com", AuthInfo: "2fooBAR"}}},
	{"domain_transfer_query_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainTransfer: &DomainTrnData{Name: "example.com", TrStatus: TrServerApproved, ReID: "ClientX", ReDate: date(2026, 1, 6, 9, 0, 0),
			AcID: "ClientY", AcDate: date(2026, 1, 11, 9, 0, 0), ExDate: date(2027, 9, 8, 22, 0, 0)},
		ClTRID: "ABC-00032", SvTRID: "SRV-00032",
	}},
	{"domain_transfer_cancel", &Command{ClTRID: "ABC-00033", DomainTransfer: &DomainTransfer{Op: TransferCancel, Name: "example.com"}}},
	{"domain_transfer_approve", &Command{ClTRID: "ABC-00034", DomainTransfer: &DomainTransfer{Op: TransferApprove, Name: "example.com"}}},
	{"domain_transfer_reject", &Command{ClTRID: "ABC-00035", DomainTransfer: &DomainTransfer{Op: TransferReject, Name: "example.com"}}},
	{"domain_transfer_reject_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainTransfer: &DomainTrnData{Name: "example.com", TrStatus: TrClientRejected, ReID: "ClientX", ReDate: date(2026, 1, 6, 9, 0, 0),
			AcID: "ClientY", AcDate: date(2026, 1, 7, 9, 0, 0)},
		ClTRID: "ABC-00035", SvTRID: "SRV-00035",
	}},
	{"domain_transfer_2202_response", &Response{
		Results: []Result{{Code: CodeInvalidAuthInfo, Msg: CodeText(CodeInvalidAuthInfo)}},
		ClTRID:  "ABC-00036", SvTRID: "SRV-00036",
	}},
	{"poll_req_response_transfer_approved", &Response{
		Results: []Result{{Code: CodeAckToDequeue, Msg: CodeText(CodeAckToDequeue)}},
		MsgQ:    &MsgQ{Count: 1, ID: "12348", QDate: date(2026, 1, 11, 9, 0, 0), Msg: "Transfer auto-approved."},
		DomainTransfer: &DomainTrnData{Name: "example.com", TrStatus: TrServerApproved, ReID: "ClientX", ReDate: date(2026, 1, 6, 9, 0, 0),
			AcID: "ClientY", AcDate: date(2026, 1, 11, 9, 0, 0), ExDate: date(2027, 9, 8, 22, 0, 0)},
		SvTRID: "SRV-00037",
	}},
	{"domain_delete", &Command{ClTRID: "ABC-00040", DomainDelete: &DomainDelete{Name: "example.com"}}},
	{"domain_delete_pending_response", &Response{Results: []Result{{Code: CodePending, Msg: CodeText(CodePending)}}, ClTRID: "ABC-00040", SvTRID: "SRV-00040"}},
	{"domain_update_rgp_request", &Command{ClTRID: "ABC-00041", DomainUpdate: &DomainUpdate{
		Name: "example.com", Chg: &DomainChg{}, RGP: &RGPRestore{Op: RGPRestoreRequest},
	}}},
	{"domain_update_rgp_request_response", &Response{
		Results:   []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		RGPUpdate: &RGPData{Statuses: []string{"pendingRestore"}},
		ClTRID:    "ABC-00041", SvTRID: "SRV-00041",
	}},
	{"domain_update_rgp_report", &Command{ClTRID: "ABC-00042", DomainUpdate: &DomainUpdate{
		Name: "example.com", Chg: &DomainChg{}, RGP: &RGPRestore{Op: RGPRestoreReport, Report: &RGPReport{
			PreData:  "Pre-delete registration data goes here. Both XML and free text are allowed.",
			PostData: "Post-restore registration data goes here. Both XML and free text are allowed.",
			DelTime:  date(2026, 7, 10, 22, 0, 0), ResTime: date(2026, 7, 20, 22, 0, 0),
			ResReason:  "Registrant error.",
			Statements: []string{"This registrar has not restored the Registered Name in order to assume the rights to use or sell the Registered Name for itself or for any third party.", "The information in this report is true to best of this registrar's knowledge, and this registrar acknowledges that intentionally supplying false information in this report shall constitute an incurable material breach of the Registry-Registrar Agreement."},
			Other:      "Supporting information goes here.",
		}},
	}}},
	{"domain_info_rgp_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainInfo: &DomainInfData{Name: "example.com", ROID: "EXAMPLE1-REP", Statuses: []string{"pendingDelete"},
			Registrant: "jd1234", ClID: "ClientX", CrID: "ClientY", CrDate: date(2025, 4, 3, 22, 0, 0),
			ExDate: date(2027, 4, 3, 22, 0, 0)},
		RGPInfo: &RGPData{Statuses: []string{"redemptionPeriod"}},
		ClTRID:  "ABC-00043", SvTRID: "SRV-00043",
	}},
	{"host_check", &Command{ClTRID: "ABC-00050", HostCheck: &HostCheck{Names: []string{"ns1.example.com", "ns2.example.net"}}}},
	{"host_check_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		HostCheck: &HostChkData{CDs: []HostCD{{Name: "ns1.example.com", Avail: true},
			{Name: "ns2.example.net", Avail: false, Reason: "In use"}}},
		ClTRID: "ABC-00050", SvTRID: "SRV-00050",
	}},
	{"host_info", &Command{ClTRID: "ABC-00051", HostInfo: &HostInfo{Name: "ns1.example.com"}}},
	{"host_info_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		HostInfo: &HostInfData{Name: "ns1.example.com", ROID: "NS1_EXAMPLE1-REP", Statuses: []string{"linked", "clientUpdateProhibited"},
			Addrs: []HostAddr{{IP: IPv4, Addr: "192.0.2.2"}, {IP: IPv6, Addr: "2001:db8::2"}},
			ClID:  "ClientY", CrID: "ClientX", CrDate: date(2025, 4, 3, 22, 0, 0), UpID: "ClientX", UpDate: date(2025, 12, 3, 9, 0, 0)},
		ClTRID: "ABC-00051", SvTRID: "SRV-00051",
	}},
	{"host_update", &Command{ClTRID: "ABC-00052", HostUpdate: &HostUpdate{Name: "ns1.example.com",
		Add:     &HostAddRem{Addrs: []HostAddr{{IP: IPv4, Addr: "192.0.2.22"}}, Statuses: []string{"clientUpdateProhibited"}},
		Rem:     &HostAddRem{Addrs: []HostAddr{{IP: IPv6, Addr: "2001:db8::2"}}},
		NewName: "ns2.example.com"}}},
	{"host_delete", &Command{ClTRID: "ABC-00053", HostDelete: &HostDelete{Name: "ns1.example.com"}}},
	{"domain_update_ns", &Command{ClTRID: "ABC-00054", DomainUpdate: &DomainUpdate{Name: "example.com",
		Add: &DomainAddRem{NS: []string{"ns1.example.com", "ns2.example.com"}},
		Rem: &DomainAddRem{NS: []string{"ns1.sandbox.openregistrar.test"}},
		Chg: &DomainChg{Registrant: ptr("sh8013")}}}},
	{"domain_update_secdns", &Command{ClTRID: "ABC-00055", DomainUpdate: &DomainUpdate{Name: "example.com",
		Chg: &DomainChg{},
		SecDNS: &SecDNSUpdate{
			Rem: []DSData{{KeyTag: 12345, Alg: 8, DigestType: 1, Digest: "49FD46E6C4B45C55D4AC49FD46E6C4B45C55D4AC"}},
			Add: []DSData{{KeyTag: 12346, Alg: 13, DigestType: 2, Digest: "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"}},
		}}}},
	{"domain_update_secdns_all", &Command{ClTRID: "ABC-00056", DomainUpdate: &DomainUpdate{Name: "example.com",
		Chg: &DomainChg{}, SecDNS: &SecDNSUpdate{RemAll: true}}}},
	{"domain_info_secdns_response", &Response{
		Results: []Result{{Code: CodeOK, Msg: CodeText(CodeOK)}},
		DomainInfo: &DomainInfData{Name: "example.com", ROID: "EXAMPLE1-REP", Statuses: []string{"ok"},
			Registrant: "jd1234", NS: []string{"ns1.example.com", "ns1.example.net"}, Hosts: []string{"ns1.example.com"},
			ClID: "ClientX", CrID: "ClientY", CrDate: date(2025, 4, 3, 22, 0, 0), ExDate: date(2027, 4, 3, 22, 0, 0)},
		SecDNSInfo: &SecDNSData{DS: []DSData{{KeyTag: 12346, Alg: 13, DigestType: 2,
			Digest: "E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"}}},
		ClTRID: "ABC-00057", SvTRID: "SRV-00057",
	}},
	{"error_2502_response", &Response{
		Results: []Result{{Code: CodeSessionLimitExceeded, Msg: CodeText(CodeSessionLimitExceeded)}},
		SvTRID:  "SRV-00023",
	}},
}

func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			if seen[tc.name] {
				t.Fatalf("duplicate golden case %s", tc.name)
			}
			seen[tc.name] = true
			got, err := tc.msg.Marshal()
			if err != nil {
				t.Fatalf("Marshal(%s) = %v, want no error", tc.name, err)
			}
			path := filepath.Join("testdata", tc.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/epp -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal(%s) differs from %s (-want +got):\n%s", tc.name, path, cmp.Diff(string(want), string(got)))
			}
			// Round trip: Parse(golden) == fixture, and Marshal of that is the same document.
			back, err := parseAs(tc.msg, want)
			if err != nil {
				t.Fatalf("Parse(%s) = %v, want no error", path, err)
			}
			if diff := cmp.Diff(tc.msg, back); diff != "" {
				t.Errorf("Parse(%s) = %+v, want %+v (-want +got):\n%s", path, back, tc.msg, diff)
			}
			again, err := back.Marshal()
			if err != nil || !bytes.Equal(again, want) {
				t.Errorf("Marshal(Parse(%s)) = %v, differs from the file:\n%s", path, err, cmp.Diff(string(want), string(again)))
			}
		})
	}
}

// TestGoldenFilesHaveCases catches stale golden files.
func TestGoldenFilesHaveCases(t *testing.T) {
	names := map[string]bool{}
	for _, tc := range goldenCases {
		names[tc.name+".xml"] = true
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, f := range files {
		if !names[filepath.Base(f)] {
			t.Errorf("%s has no golden case", f)
		}
	}
}

// TestSchemaValid validates every golden and interop file with xmllint.
func TestSchemaValid(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	interop, _ := filepath.Glob(filepath.Join("testdata", "interop", "*.xml"))
	files = append(files, interop...)
	if len(files) < len(goldenCases) {
		t.Fatalf("found %d files in testdata, want at least %d", len(files), len(goldenCases))
	}
	epptest.ValidateFiles(t, files, func(f string) string {
		b, _ := os.ReadFile(f)
		return "\n" + string(b)
	})
}
