package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/metrics"
	"github.com/openregistrar/registrar/internal/store"
)

// addMetricsSources registers what metrics read at scrape time: the EPP
// pools, the unfinished workflows and the job queue.
func (d *Daemon) addMetricsSources() {
	pools := make(map[string]func() metrics.PoolStats, len(d.clients))
	for i, c := range d.clients {
		pools[d.registryNames[i]] = func() metrics.PoolStats {
			st := c.Stats()
			return metrics.PoolStats{Open: st.Open, Busy: max(st.Open-st.Idle-st.Dialing, 0), Reconnects: st.Reconnects}
		}
	}
	d.metrics.AddSources(metrics.Sources{
		Pools:           pools,
		ActiveWorkflows: countsOf(d.db.ActiveWorkflows),
		QueuedJobs:      d.db.QueuedJobs,
		Logger:          d.log.With("component", "metrics"),
	})
}

func countsOf(read func(context.Context) ([]store.Count, error)) func(context.Context) ([]metrics.Count, error) {
	return func(ctx context.Context) ([]metrics.Count, error) {
		cs, err := read(ctx)
		out := make([]metrics.Count, len(cs))
		for i, c := range cs {
			out[i] = metrics.Count{Kind: c.A, State: c.B, N: c.N}
		}
		return out, err
	}
}

// serveMetrics serves /metrics alone on addr (--metrics-listen).
func (d *Daemon) serveMetrics(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return fmt.Errorf("--metrics-listen: %w", err)
	}
	d.metricsLn = ln
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.metrics.Handler(d.log))
	d.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(d.log.Handler(), slog.LevelWarn)}
	go func() {
		if err := d.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("metrics listener failed", "error", err)
		}
	}()
	return nil
}

// MetricsAddr returns the address of the --metrics-listen listener, or ""
// when the API's listener serves /metrics.
func (d *Daemon) MetricsAddr() string {
	if d.metricsLn == nil {
		return ""
	}
	return d.metricsLn.Addr().String()
}

// Readiness checks' values in /readyz.
const (
	readyOK         = "ok"
	readyCurrent    = "current"
	readyLoggedIn   = "logged_in"
	readyOnDemand   = "idle" // no session yet and no failure: sessions open on first use
	readyConnecting = "connecting"
	readyBackingOff = "backing_off"
)

// readiness is /readyz's body.
type readiness struct {
	Status     string            `json:"status"` // "ready" or "not_ready"
	Database   string            `json:"database"`
	Migrations string            `json:"migrations"`
	Registries map[string]string `json:"registries"`
	// Failed names the checks that failed.
	Failed []string `json:"failed,omitempty"`
}

// ready runs the readiness checks: the database answers, its schema is
// current, and every registry's EPP pool is logged in (or has not needed
// a session yet without failing).
func (d *Daemon) ready(ctx context.Context) readiness {
	r := readiness{Status: "ready", Database: readyOK, Migrations: readyCurrent, Registries: map[string]string{}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	switch pending, err := d.db.MigrationsPending(ctx); {
	case err != nil:
		r.Database, r.Migrations = "unreachable", "unknown"
		r.Failed = append(r.Failed, "database")
	case pending > 0:
		r.Migrations = fmt.Sprintf("%d pending", pending)
		r.Failed = append(r.Failed, "migrations")
	}
	for i, c := range d.clients {
		name := d.registryNames[i]
		state := poolState(c.Stats())
		r.Registries[name] = state
		if state != readyLoggedIn && state != readyOnDemand {
			r.Failed = append(r.Failed, "registries."+name)
		}
	}
	if len(r.Failed) > 0 {
		r.Status = "not_ready"
	}
	return r
}

func poolState(st epp.ClientStats) string {
	switch {
	case st.Open-st.Dialing > 0:
		return readyLoggedIn
	case !st.BackoffUntil.IsZero():
		return readyBackingOff
	case st.Dialing > 0:
		return readyConnecting
	}
	return readyOnDemand
}

// handleReady serves /readyz: 200 when ready, 503 naming what failed,
// with the detail of every check in JSON either way.
func (d *Daemon) handleReady(w http.ResponseWriter, r *http.Request) {
	rd := d.ready(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if rd.Status != "ready" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(rd)
}
