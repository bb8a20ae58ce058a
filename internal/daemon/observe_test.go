package daemon_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// scrape GETs a metrics endpoint and parses it with the client library's
// parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// value sums the samples of a family whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// TestMetricsMoveWithRegistration scrapes /metrics on the API listener
// before and after a registration: the HTTP, workflow, EPP and status
// cache series move, the runtime and process collectors are there, and
// no label value is an account ID or a domain name.
func TestMetricsMoveWithRegistration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		s := startServer(t, b, nil)
		url := "http://" + s.d.Addr() + "/metrics"
		before := scrape(t, url)

		const domain = "metrics-ok.com"
		r := s.register("registrar-sandbox", domain)
		if r.Status != 201 {
			t.Fatalf("POST registration = %d %s", r.Status, r.Body)
		}
		s.getStatus("registrar-sandbox", domain)
		s.getStatus("registrar-sandbox", domain)
		after := scrape(t, url)

		post := map[string]string{"route": "POST /client/v4/accounts/{account_id}/registrar-sandbox/registrations", "method": "POST", "status": "201"}
		for _, c := range []struct {
			name   string
			labels map[string]string
		}{
			{"registrar_http_requests_total", post},
			{"registrar_http_request_duration_seconds", map[string]string{"route": post["route"], "method": "POST"}},
			{"registrar_workflow_transitions_total", map[string]string{"kind": "registration", "state": "succeeded"}},
			{"registrar_workflow_step_duration_seconds", map[string]string{"kind": "registration"}},
			{"registrar_epp_commands_total", map[string]string{"registry": "sandbox", "command": "domain:create", "result": "1xxx"}},
			{"registrar_epp_command_duration_seconds", map[string]string{"registry": "sandbox", "command": "domain:create"}},
			{"registrar_status_cache_reads_total", nil},
			{"registrar_jobs_latency_seconds", map[string]string{"kind": "workflow_step"}},
		} {
			if b, a := value(before, c.name, c.labels), value(after, c.name, c.labels); a <= b {
				t.Errorf("%s%v = %v before the registration, %v after; want it to grow", c.name, c.labels, b, a)
			}
		}
		if v := value(after, "registrar_epp_sessions_open", map[string]string{"registry": "sandbox"}); v < 1 {
			t.Errorf("registrar_epp_sessions_open{registry=sandbox} = %v after a registration, want at least 1", v)
		}
		for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "registrar_jobs_queued", "registrar_epp_reconnects_total"} {
			if after[name] == nil {
				t.Errorf("no %s in the scrape", name)
			}
		}
		for name, f := range after {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if v := l.GetValue(); strings.Contains(v, s.account) || strings.Contains(v, domain) {
						t.Errorf("%s has label %s=%q: an account ID or a domain name", name, l.GetName(), v)
					}
				}
			}
		}
	})
}

// TestMetricsListen: with --metrics-listen, /metrics is served there and
// not on the API's listener.
func TestMetricsListen(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, func(c *daemon.Config) { c.MetricsListen = "127.0.0.1:0" })
	if s.d.MetricsAddr() == "" || s.d.MetricsAddr() == s.d.Addr() {
		t.Fatalf("MetricsAddr() = %q, want a listener of its own (API: %s)", s.d.MetricsAddr(), s.d.Addr())
	}
	s.do("GET", s.base("registrar")+"/registrations", s.token, nil)
	fams := scrape(t, "http://"+s.d.MetricsAddr()+"/metrics")
	if v := value(fams, "registrar_http_requests_total", map[string]string{"method": "GET", "status": "200"}); v < 1 {
		t.Errorf("registrar_http_requests_total{GET,200} = %v on the metrics listener, want at least 1", v)
	}
	if r := s.do("GET", "http://"+s.d.Addr()+"/metrics", "", nil); r.Status != 404 {
		t.Errorf("GET /metrics on the API listener = %d, want 404 with --metrics-listen", r.Status)
	}
}

// logLines returns the JSON log lines that have key=value.
func logLines(t *testing.T, log string, key, value string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m[key] == value {
			out = append(out, m)
		}
	}
	return out
}

// TestRequestID follows a request ID: kept from a sane X-Request-ID,
// generated otherwise, echoed in the response header, in error bodies, in
// the request's log line (with its route pattern, status and account) and
// in every line the request causes, and at the end of the registry
// create's clTRID, so one registration can be followed from HTTP to the
// registry.
func TestRequestID(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		logs := &syncBuffer{}
		s := startServer(t, b, func(c *daemon.Config) {
			c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
		for _, c := range []struct {
			name, sent string
			keep       bool
		}{
			{"none", "", false},
			{"sane", "trace-01.AB_z", true},
			{"with a space", "trace 01", false},
			{"not ASCII", "tr\u00e5ce", false},
			{"a quote", `a"b`, false},
			{"too long", strings.Repeat("a", 41), false},
			{"longest kept", strings.Repeat("b", 40), true},
		} {
			var hdr []string
			if c.sent != "" {
				hdr = []string{"X-Request-ID", c.sent}
			}
			// An unknown domain: a 404 in the envelope.
			r := s.do("GET", s.base("registrar")+"/registrations/nothing-here.com", s.token, nil, hdr...)
			got := r.Header.Get("X-Request-ID")
			if c.keep && got != c.sent || !c.keep && !generated.MatchString(got) {
				t.Errorf("%s: X-Request-ID %q sent, %q answered; want it kept: %v", c.name, c.sent, got, c.keep)
			}
			var env struct {
				Errors []struct {
					RequestID string `json:"request_id"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(r.Body, &env); err != nil || r.Status != 404 || len(env.Errors) != 1 || env.Errors[0].RequestID != got {
				t.Errorf("%s: error body %d %s, want a 404 whose error has request_id %q", c.name, r.Status, r.Body, got)
			}
		}
		// The same ID from two requests stays theirs: no clash in the log.
		r := s.do("GET", "http://"+s.d.Addr()+"/no/such/path", "", nil, "X-Request-ID", "unrouted-1")
		if r.Status != 404 {
			t.Errorf("GET /no/such/path = %d, want 404", r.Status)
		}

		const id, domain = "reg-trace-42", "traced.com"
		if r := s.register("registrar-sandbox", domain, "X-Request-ID", id); r.Status != 201 {
			t.Fatalf("POST registration = %d %s", r.Status, r.Body)
		}
		entries, err := s.d.Sandbox().Log(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Every command the registration sent (the create, and the
		// update that sets the transfer lock) names the request.
		var trid string
		var commands int
		for _, e := range entries {
			if e.Domain != domain {
				continue
			}
			commands++
			if e.Command == "create" {
				trid = e.ClientTRID
			}
			if !strings.HasSuffix(e.ClientTRID, "-"+id) || len(e.ClientTRID) > 64 {
				t.Errorf("the sandbox registry's %s of %s has clTRID %q, want at most 64 characters ending in -%s", e.Command, domain, e.ClientTRID, id)
			}
		}
		if trid == "" || commands < 2 {
			t.Errorf("the sandbox registry logged %d commands for %s (create clTRID %q), want the create and the lock's update", commands, domain, trid)
		}

		all := logs.String()
		lines := logLines(t, all, "request_id", id)
		var access map[string]any
		for _, l := range lines {
			if l["msg"] == "http request" {
				access = l
			}
		}
		want := map[string]any{"method": "POST", "route": "POST /client/v4/accounts/{account_id}/registrar-sandbox/registrations",
			"status": float64(201), "account_id": s.account}
		for k, v := range want {
			if access[k] != v {
				t.Errorf("request log line %v: %s = %v, want %v", access, k, access[k], v)
			}
		}
		if access == nil || access["duration"] == nil {
			t.Errorf("no request log line with a duration for request %s in:\n%s", id, all)
		}
		// The workflow's steps log with the request's ID, too.
		if len(lines) < 2 {
			t.Errorf("%d log lines name request %s, want the request's and its workflow's:\n%s", len(lines), id, all)
		}
		if un := logLines(t, all, "request_id", "unrouted-1"); len(un) != 1 || un[0]["route"] != "unmatched" || un[0]["status"] != float64(404) {
			t.Errorf("log lines of the unrouted request = %v, want one, route unmatched, status 404", un)
		}
	})
}

// TestReadyz: /readyz answers 200 with each check's detail when the
// database answers, its schema is current and the registries' pools are
// logged in (or idle without failure), and 503 naming the database when
// it is gone, while /healthz stays 200. SQLite only: see
// TestDatabaseOutage.
func TestReadyz(t *testing.T) {
	t.Parallel()
	s := startServer(t, storetest.SQLite, nil)
	if r := s.register("registrar-sandbox", "ready-ok.com"); r.Status != 201 { // a logged-in sandbox session
		t.Fatalf("POST registration = %d %s", r.Status, r.Body)
	}
	type ready struct {
		Status     string            `json:"status"`
		Database   string            `json:"database"`
		Migrations string            `json:"migrations"`
		Registries map[string]string `json:"registries"`
		Failed     []string          `json:"failed"`
	}
	get := func() (int, ready) {
		r := s.do("GET", "http://"+s.d.Addr()+"/readyz", "", nil)
		var rd ready
		if err := json.Unmarshal(r.Body, &rd); err != nil {
			t.Fatalf("/readyz body %s: %v", r.Body, err)
		}
		return r.Status, rd
	}
	code, rd := get()
	if code != 200 || rd.Status != "ready" || rd.Database != "ok" || rd.Migrations != "current" || rd.Registries["sandbox"] != "logged_in" ||
		(rd.Registries["demo"] != "logged_in" && rd.Registries["demo"] != "idle") || len(rd.Failed) != 0 {
		t.Errorf("/readyz = %d %+v, want 200 ready, database ok, migrations current, sandbox logged_in, demo logged_in or idle", code, rd)
	}

	s.d.DB().Close()
	code, rd = get()
	if code != 503 || rd.Status != "not_ready" || rd.Database != "unreachable" || len(rd.Failed) != 1 || rd.Failed[0] != "database" {
		t.Errorf("/readyz with the database closed = %d %+v, want 503 not_ready naming the database", code, rd)
	}
	if r := s.do("GET", "http://"+s.d.Addr()+"/healthz", "", nil); r.Status != 200 {
		t.Errorf("/healthz with the database closed = %d, want 200 (liveness)", r.Status)
	}
}

// TestSecretsNeverLogged runs a scenario with the server's whole log
// captured at debug level, in JSON and in text, and greps it for the
// secrets it used: API tokens (good and bad), a contact's email address,
// an auth code and the EPP password.
func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			s := startServer(t, storetest.SQLite, func(c *daemon.Config) {
				opts := &slog.HandlerOptions{Level: slog.LevelDebug}
				if format == "json" {
					c.Logger = slog.New(slog.NewJSONHandler(logs, opts))
				} else {
					c.Logger = slog.New(slog.NewTextHandler(logs, opts))
				}
			})
			const email = "hidden.person+tag@example.org"
			contact := daemon.SampleContact()
			contact.Email = email
			_, otherToken := s.newAccount("other", contact)

			const domain = "secret-scenario.com"
			r := s.do("POST", s.base("registrar-sandbox")+"/registrations", s.token, map[string]any{
				"domain_name": domain, "contacts": map[string]any{"registrant": contact}})
			// 201 when the workflow finished within the synchronous
			// window, 202 when a loaded machine made it outlast it.
			if r.Status != 201 && r.Status != 202 {
				t.Fatalf("POST registration = %d %s", r.Status, r.Body)
			}
			if st := s.waitState("registrar-sandbox", domain, time.Minute, completed); st.State != registrar.StateSucceeded {
				t.Fatalf("registration ended %s, want succeeded", st.State)
			}
			r = s.do("POST", s.base("registrar-sandbox")+"/registrations/"+domain+"/auth-code", s.token, nil)
			var code struct {
				AuthCode string `json:"auth_code"`
			}
			if r.Status != 200 || json.Unmarshal(r.Env.Result, &code) != nil || code.AuthCode == "" {
				t.Fatalf("POST auth-code = %d %s", r.Status, r.Body)
			}
			unknown, _ := registrar.NewToken()
			if r := s.do("GET", s.base("registrar")+"/registrations", unknown, nil); r.Status != 401 {
				t.Errorf("GET with an unknown token = %d, want 401", r.Status)
			}
			// The other account's token on this account's path: a 404.
			if r := s.do("GET", s.base("registrar")+"/registrations", otherToken, nil); r.Status != 404 {
				t.Errorf("GET with another account's token = %d, want 404", r.Status)
			}
			if r := s.do("GET", s.base("registrar")+"/registrations", "not-a-token-at-all", nil); r.Status != 401 {
				t.Errorf("GET with a malformed token = %d, want 401", r.Status)
			}
			password, err := daemon.SandboxPassword(s.cfg.DataDir)
			if err != nil {
				t.Fatal(err)
			}

			all := logs.String()
			if !strings.Contains(all, `http request`) || !strings.Contains(all, "domain:create") {
				t.Fatalf("the captured log misses the scenario's requests and EPP commands:\n%s", all)
			}
			for name, secret := range map[string]string{
				"the API token": s.token, "the other account's token": otherToken, "an unknown token": unknown,
				"a malformed token": "not-a-token-at-all", "the contact's email": email, "the auth code": code.AuthCode,
				"the EPP password": password,
			} {
				if strings.Contains(all, secret) {
					t.Errorf("the log contains %s (%q)", name, secret)
				}
			}
		})
	}
}
