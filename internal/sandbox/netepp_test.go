package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/testtools"
)

// TestNetEPPSimple runs an independent EPP client, Net::EPP::Simple from
// Debian's libnet-epp-perl (testdata/netepp.pl), against the server over
// mutual TLS: login, two checks, a contact create, a domain create, a
// domain info, host objects and DNSSEC (a glue host checked, created,
// delegated to, read, refused deletion while linked; a secDNS update
// adding a DS record, the secDNS:infData read back, a secDNS rem all; the
// delegation removed and the host deleted), a transfer request and query (of an xfer- name, over
// Net::EPP's own transfer frame) and a logout, each preceded by the <hello> Net::EPP::Simple
// sends as a liveness check. Every frame the server sent is validated
// against the EPP schemas, as in the other server tests.
func TestNetEPPSimple(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs perl (Net::EPP) as a child process")
	}
	t.Parallel()
	perl := testtools.Program(t, "perl", "perl")
	if out, err := exec.Command(perl, "-MNet::EPP::Simple", "-MJSON::PP", "-e", "1").CombinedOutput(); err != nil {
		// perl's first line says which module is missing, then lists @INC.
		first, _, _ := strings.Cut(string(out), "\n")
		first, _, _ = strings.Cut(first, " (@INC")
		testtools.Require(t, "Net::EPP::Simple", "libnet-epp-perl", fmt.Errorf("%v: %s", err, first))
	}
	ts := startServer(t, serverOpts{requireCert: true})
	_, port, _ := strings.Cut(ts.srv.Addr(), ":")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, perl, "testdata/netepp.pl",
		"--host", "127.0.0.1", "--port", port, "--user", "ours", "--pass", testAccounts["ours"],
		"--ca", ts.files.CACert, "--cert", ts.files.ClientCert, "--key", ts.files.ClientKey,
		"--available", "perl-free.com", "--taken", "taken-perl.com", "--contact", "c-perl", "--domain", "perl-example.com",
		"--transfer", "xfer-perl.com", "--transfer-auth", TransferAuthCode,
		"--glue", "ns1.perl-example.com", "--glue-addr", "192.0.2.53", "--external", DefaultNameserver1, "--ds-digest", sha256Digest)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("netepp.pl = %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	t.Logf("netepp.pl:\n%s", out)
	if stderr.Len() > 0 {
		t.Logf("netepp.pl stderr:\n%s", stderr.String())
	}
	var got []map[string]any
	lines := bufio.NewScanner(bytes.NewReader(out))
	for lines.Scan() {
		var m map[string]any
		if err := json.Unmarshal(lines.Bytes(), &m); err != nil {
			t.Fatalf("netepp.pl printed %q: %v", lines.Text(), err)
		}
		got = append(got, m)
	}

	t0 := ts.clock.Now().Truncate(time.Microsecond)
	exDate := t0.AddDate(1, 0, 0).Format(time.RFC3339Nano)
	crDate := t0.Format(time.RFC3339Nano)
	want := []map[string]any{
		{"step": "login", "code": 1000.0, "svID": DefaultSvID},
		{"step": "check", "name": "perl-free.com", "code": 1000.0, "avail": 1.0, "error": ""},
		{"step": "check", "name": "taken-perl.com", "code": 1000.0, "avail": 0.0, "error": ""},
		{"step": "contact create", "id": "c-perl", "code": 1000.0, "error": ""},
		{"step": "domain create", "code": 1000.0, "name": "perl-example.com", "crDate": crDate, "exDate": exDate},
		{"step": "domain info", "code": 1000.0, "name": "perl-example.com", "registrant": "c-perl", "clID": "ours",
			"exDate": exDate, "status": []any{"ok"}, "contacts": map[string]any{"admin": "c-perl", "tech": "c-perl"},
			"authInfo": "domain-secret"},
		{"step": "host check", "name": "ns1.perl-example.com", "code": 1000.0, "avail": 1.0},
		{"step": "host create", "name": "ns1.perl-example.com", "code": 1000.0, "error": ""},
		{"step": "ns add", "code": 1000.0, "error": ""},
		{"step": "host info", "code": 1000.0, "name": "ns1.perl-example.com", "status": []any{"linked", "ok"},
			"addrs": []any{map[string]any{"version": "v4", "addr": "192.0.2.53"}}},
		{"step": "host delete linked", "code": 2305.0},
		{"step": "secDNS add", "code": 1000.0},
		{"step": "domain info dns", "code": 1000.0, "ns": []any{"ns1.perl-example.com", DefaultNameserver1},
			"ds": []any{map[string]any{"keyTag": "2371", "alg": "13", "digestType": "2", "digest": sha256Digest}}},
		{"step": "secDNS rem all", "code": 1000.0},
		{"step": "ns rem", "code": 1000.0, "error": ""},
		{"step": "host delete", "code": 1000.0},
		{"step": "transfer request", "code": 1001.0, "name": "xfer-perl.com", "trStatus": "pending", "reID": "ours", "acID": OtherRegistrar},
		{"step": "transfer query", "code": 1000.0, "name": "xfer-perl.com", "trStatus": "pending", "reID": "ours", "acID": OtherRegistrar},
		{"step": "logout", "code": 1500.0},
	}
	// Dates are compared as times: the server may write them with any
	// precision.
	normDates := cmp.Transformer("dates", func(s string) string {
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return tm.UTC().Format(time.RFC3339Nano)
		}
		return s
	})
	if diff := cmp.Diff(want, got, normDates); diff != "" {
		t.Errorf("netepp.pl results mismatch (-want +got):\n%s", diff)
	}

	// The engine saw the commands (not the hellos, login or logout), with
	// Net::EPP::Simple's 40-hex clTRIDs.
	var kinds []string
	trid := regexp.MustCompile(`^[0-9a-f]{40}$`)
	for _, l := range mustLog(t, ts.e) {
		kinds = append(kinds, l.Command+" "+l.Domain+" "+strconv.Quote(l.Result))
		if !trid.MatchString(l.ClientTRID) || l.ClientID != "ours" {
			t.Errorf("log entry %+v: want client ours and a 40-hex clTRID", l)
		}
	}
	wantKinds := []string{
		`check perl-free.com "` + ok1000 + `"`,
		`check taken-perl.com "` + ok1000 + `"`,
		`contact:create c-perl "` + ok1000 + `"`,
		`create perl-example.com "` + ok1000 + `"`,
		`info perl-example.com "` + ok1000 + `"`,
		`host:check  "` + ok1000 + `"`,
		`host:create ns1.perl-example.com "` + ok1000 + `"`,
		`update perl-example.com "` + ok1000 + `"`,
		`host:info ns1.perl-example.com "` + ok1000 + `"`,
		`host:delete ns1.perl-example.com "2305 Object association prohibits operation: the host is a name server of a domain"`,
		`update perl-example.com "` + ok1000 + `"`,
		`info perl-example.com "` + ok1000 + `"`,
		`update perl-example.com "` + ok1000 + `"`,
		`update perl-example.com "` + ok1000 + `"`,
		`host:delete ns1.perl-example.com "` + ok1000 + `"`,
		`transfer:request xfer-perl.com "1001 Command completed successfully; action pending"`,
		`transfer:query xfer-perl.com "` + ok1000 + `"`,
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("Log() mismatch (-want +got):\n%s", diff)
	}
}
