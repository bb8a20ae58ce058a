package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

func TestResultClass(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code int
		want string
	}{
		{1000, "1xxx"}, {1001, "1xxx"}, {1301, "1xxx"}, {1500, "1xxx"},
		{2302, "2xxx"}, {2502, "2xxx"}, {2000, "2xxx"},
		{0, "none"}, {999, "none"}, {3000, "none"},
	} {
		if got := ResultClass(c.code); got != c.want {
			t.Errorf("ResultClass(%d) = %q, want %q", c.code, got, c.want)
		}
	}
}

// gather returns the families of m's registry by name.
func gather(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// labelsOf renders a sample's labels as name=value pairs, in order.
func labelsOf(m *dto.Metric) string {
	s := ""
	for _, l := range m.GetLabel() {
		s += l.GetName() + "=" + l.GetValue() + " "
	}
	return s
}

// TestObservers: each hook feeds its series with its labels.
func TestObservers(t *testing.T) {
	t.Parallel()
	m := New()
	m.ObserveRequest("GET /x/{id}", "GET", 404, 3*time.Millisecond)
	m.Step("registration", "create", time.Second)
	m.Transition("registration", "succeeded")
	m.WebhookDelivery("failed")
	m.StatusRead(true)
	m.StatusRead(false)
	m.StatusRead(false)
	m.EPPObserver("sandbox")("domain:create", 2302, 50*time.Millisecond)
	m.EPPObserver("sandbox")("domain:check", 0, time.Second)

	fams := gather(t, m)
	for _, c := range []struct {
		name, labels string
		want         float64
	}{
		{"registrar_http_requests_total", "method=GET route=GET /x/{id} status=404 ", 1},
		{"registrar_http_request_duration_seconds", "method=GET route=GET /x/{id} ", 1},
		{"registrar_workflow_step_duration_seconds", "kind=registration step=create ", 1},
		{"registrar_workflow_transitions_total", "kind=registration state=succeeded ", 1},
		{"registrar_webhook_deliveries_total", "outcome=failed ", 1},
		{"registrar_status_cache_reads_total", "result=hit ", 1},
		{"registrar_status_cache_reads_total", "result=miss ", 2},
		{"registrar_epp_commands_total", "command=domain:create registry=sandbox result=2xxx ", 1},
		{"registrar_epp_commands_total", "command=domain:check registry=sandbox result=none ", 1},
		{"registrar_epp_command_duration_seconds", "command=domain:create registry=sandbox ", 1},
	} {
		var got float64
		found := false
		for _, s := range fams[c.name].GetMetric() {
			if labelsOf(s) != c.labels {
				continue
			}
			found = true
			switch {
			case s.Counter != nil:
				got = s.GetCounter().GetValue()
			case s.Histogram != nil:
				got = float64(s.GetHistogram().GetSampleCount())
			}
		}
		if !found || got != c.want {
			t.Errorf("%s{%s} = %v (found: %v), want %v", c.name, c.labels, got, found, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s: the Go collector is missing", name)
		}
	}
}

// TestScrapeSources: pools and database counts are read at each scrape;
// a failed read leaves its own series out and no other.
func TestScrapeSources(t *testing.T) {
	t.Parallel()
	m := New()
	busy := 1
	fail := false
	m.AddSources(Sources{
		Pools: map[string]func() PoolStats{"reg-a": func() PoolStats { return PoolStats{Open: 2, Busy: busy, Reconnects: 3} }},
		ActiveWorkflows: func(context.Context) ([]Count, error) {
			if fail {
				return nil, errors.New("database gone")
			}
			return []Count{{"registration", "in_progress", 4}, {"update", "blocked", 1}}, nil
		},
		QueuedJobs: func(context.Context) (map[string]int64, error) {
			return map[string]int64{"available": 7, "scheduled": 0}, nil
		},
	})
	check := func(name, labels string, want float64) {
		t.Helper()
		for _, s := range gather(t, m)[name].GetMetric() {
			if labelsOf(s) == labels {
				got := s.GetGauge().GetValue()
				if s.Counter != nil {
					got = s.GetCounter().GetValue()
				}
				if got != want {
					t.Errorf("%s{%s} = %v, want %v", name, labels, got, want)
				}
				return
			}
		}
		if want >= 0 {
			t.Errorf("%s{%s} missing, want %v", name, labels, want)
		}
	}
	check("registrar_epp_sessions_open", "registry=reg-a ", 2)
	check("registrar_epp_sessions_busy", "registry=reg-a ", 1)
	check("registrar_epp_reconnects_total", "registry=reg-a ", 3)
	check("registrar_workflows_active", "kind=registration state=in_progress ", 4)
	check("registrar_jobs_queued", "state=available ", 7)
	check("registrar_jobs_queued", "state=scheduled ", 0)

	busy, fail = 0, true
	check("registrar_epp_sessions_busy", "registry=reg-a ", 0)
	if f := gather(t, m)["registrar_workflows_active"]; f != nil {
		t.Errorf("registrar_workflows_active has %d samples after a failed read, want none", len(f.GetMetric()))
	}
	check("registrar_jobs_queued", "state=available ", 7)
}
