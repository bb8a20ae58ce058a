// Package metrics is the registrar's Prometheus instrumentation, over the
// official client library (github.com/prometheus/client_golang): one
// registry per server (never the library's global one), the Go runtime
// and process collectors, and the collectors the other packages feed
// through their own small observer hooks (httpapi.RequestObserver,
// workflows.Observer, epp.ClientConfig.Observe, store.Config.StatusReads),
// which internal/daemon wires to a Metrics. No label value is ever an
// account ID or a domain name: routes are ServeMux patterns, and every
// other label comes from a small fixed set.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of ours.
const namespace = "registrar"

// Metrics holds the registry and the collectors.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	workflowSteps       *prometheus.HistogramVec
	workflowTransitions *prometheus.CounterVec

	eppCommands *prometheus.CounterVec
	eppDuration *prometheus.HistogramVec

	statusReads *prometheus.CounterVec
	webhooks    *prometheus.CounterVec
	jobLatency  *prometheus.HistogramVec
}

// New returns a Metrics with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(c prometheus.Collector) {
		reg.MustRegister(c)
	}
	m := &Metrics{reg: reg}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route pattern, method and status."}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method (long-polls and the sync window included).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"route", "method"})
	m.workflowSteps = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "workflow", Name: "step_duration_seconds",
		Help:    "Time a workflow step took, registry calls and its commit included, by workflow kind and step.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60}}, []string{"kind", "step"})
	m.workflowTransitions = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "workflow", Name: "transitions_total",
		Help: "Workflow state changes made by steps, by workflow kind and the state entered."}, []string{"kind", "state"})
	m.eppCommands = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "epp", Name: "commands_total",
		Help: "EPP commands sent, by registry, command and result class (1xxx success, 2xxx error, none: no answer)."}, []string{"registry", "command", "result"})
	m.eppDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "epp", Name: "command_duration_seconds",
		Help:    "EPP round trip time, by registry and command.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}}, []string{"registry", "command"})
	m.statusReads = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "status_cache", Name: "reads_total",
		Help: "Workflow status reads, by result: hit (served from the status cache) or miss (read from the database)."}, []string{"result"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "webhook", Name: "deliveries_total",
		Help: "Webhook delivery attempts, by outcome: delivered, failed or disabled."}, []string{"outcome"})
	m.jobLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "jobs", Name: "latency_seconds",
		Help:    "Time a River job waited between the time it was scheduled for and its start, by job kind.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"kind"})
	for _, c := range []prometheus.Collector{m.httpRequests, m.httpDuration, m.workflowSteps, m.workflowTransitions,
		m.eppCommands, m.eppDuration, m.statusReads, m.webhooks, m.jobLatency} {
		f(c)
	}
	return m
}

// Handler serves the metrics in Prometheus' exposition formats.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	opts := promhttp.HandlerOpts{Registry: m.reg, Timeout: 10 * time.Second}
	if log != nil {
		opts.ErrorLog = slogPrinter{log}
	}
	return promhttp.HandlerFor(m.reg, opts)
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Warn("metrics", "error", v) }

// Registry returns the registry, for collectors of other packages (tests).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest implements httpapi.RequestObserver.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// Step implements workflows.Observer.
func (m *Metrics) Step(kind, step string, d time.Duration) {
	m.workflowSteps.WithLabelValues(kind, step).Observe(d.Seconds())
}

// Transition implements workflows.Observer.
func (m *Metrics) Transition(kind, state string) {
	m.workflowTransitions.WithLabelValues(kind, state).Inc()
}

// WebhookDelivery implements workflows.Observer.
func (m *Metrics) WebhookDelivery(outcome string) {
	m.webhooks.WithLabelValues(outcome).Inc()
}

// JobStarted implements workflows.Observer.
func (m *Metrics) JobStarted(kind string, latency time.Duration) {
	m.jobLatency.WithLabelValues(kind).Observe(latency.Seconds())
}

// StatusRead is store.Config.StatusReads.
func (m *Metrics) StatusRead(hit bool) {
	if hit {
		m.statusReads.WithLabelValues("hit").Inc()
	} else {
		m.statusReads.WithLabelValues("miss").Inc()
	}
}

// EPPObserver returns the epp.ClientConfig.Observe of one registry's
// client.
func (m *Metrics) EPPObserver(registry string) func(command string, code int, d time.Duration) {
	return func(command string, code int, d time.Duration) {
		m.eppCommands.WithLabelValues(registry, command, ResultClass(code)).Inc()
		m.eppDuration.WithLabelValues(registry, command).Observe(d.Seconds())
	}
}

// ResultClass is the label of an EPP result code: "1xxx", "2xxx", or
// "none" when no answer came (0).
func ResultClass(code int) string {
	switch {
	case code >= 1000 && code < 2000:
		return "1xxx"
	case code >= 2000 && code < 3000:
		return "2xxx"
	}
	return "none"
}

// PoolStats is what an EPP pool reports at scrape time.
type PoolStats struct {
	Open, Busy int    // sessions open (logged in or logging in), and carrying a command
	Reconnects uint64 // sessions opened to replace a lost or retired one
}

// Count is a number of things by kind and state, read at scrape time.
type Count struct {
	Kind, State string
	N           int64
}

// Sources are what metrics read at scrape time: the EPP pools by
// registry, and counts the database answers (each within the scrape's
// time limit; a failed read leaves its series out of that scrape).
type Sources struct {
	Pools           map[string]func() PoolStats
	ActiveWorkflows func(context.Context) ([]Count, error)
	QueuedJobs      func(context.Context) (map[string]int64, error) // by state
	Logger          *slog.Logger
}

// AddSources registers the collectors that read src at scrape time.
func (m *Metrics) AddSources(src Sources) {
	if src.Logger == nil {
		src.Logger = slog.New(slog.DiscardHandler)
	}
	m.reg.MustRegister(&scrapeCollector{src: src})
}

var (
	descPoolOpen = prometheus.NewDesc(namespace+"_epp_sessions_open", "EPP sessions open (logged in or logging in), by registry.",
		[]string{"registry"}, nil)
	descPoolBusy = prometheus.NewDesc(namespace+"_epp_sessions_busy", "EPP sessions carrying a command, by registry.",
		[]string{"registry"}, nil)
	descReconnects = prometheus.NewDesc(namespace+"_epp_reconnects_total", "EPP sessions opened to replace a lost or retired one, by registry.",
		[]string{"registry"}, nil)
	descWorkflows = prometheus.NewDesc(namespace+"_workflows_active", "Workflows not finished (pending, in_progress, blocked, action_required), by kind and state.",
		[]string{"kind", "state"}, nil)
	descJobs = prometheus.NewDesc(namespace+"_jobs_queued", "Job queue depth: River jobs available, scheduled, retryable or running, by state.",
		[]string{"state"}, nil)
)

// scrapeCollector reads its sources when scraped.
type scrapeCollector struct{ src Sources }

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPoolOpen, descPoolBusy, descReconnects, descWorkflows, descJobs} {
		ch <- d
	}
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	for name, stats := range c.src.Pools {
		st := stats()
		ch <- prometheus.MustNewConstMetric(descPoolOpen, prometheus.GaugeValue, float64(st.Open), name)
		ch <- prometheus.MustNewConstMetric(descPoolBusy, prometheus.GaugeValue, float64(st.Busy), name)
		ch <- prometheus.MustNewConstMetric(descReconnects, prometheus.CounterValue, float64(st.Reconnects), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, q := range []struct {
		desc *prometheus.Desc
		read func(context.Context) ([]Count, error)
	}{{descWorkflows, c.src.ActiveWorkflows}} {
		if q.read == nil {
			continue
		}
		counts, err := q.read(ctx)
		if err != nil {
			c.src.Logger.Warn("metrics: database read failed", "error", err)
			continue
		}
		for _, n := range counts {
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n.N), n.Kind, n.State)
		}
	}
	if c.src.QueuedJobs != nil {
		jobs, err := c.src.QueuedJobs(ctx)
		if err != nil {
			c.src.Logger.Warn("metrics: database read failed", "error", err)
		}
		for state, n := range jobs {
			ch <- prometheus.MustNewConstMetric(descJobs, prometheus.GaugeValue, float64(n), state)
		}
	}
}
