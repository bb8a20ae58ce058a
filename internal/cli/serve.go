package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
)

func (e *cmdEnv) serve(args []string) error {
	f := newFlags(e, "serve", "Run the registrar API server.", "registrar serve --listen 127.0.0.1:8080 --data-dir ./registrar-data")
	var cfg daemon.Config
	listen := f.string("listen", "127.0.0.1:8080", "address the API listens on")
	dataDir := f.string("data-dir", "./registrar-data", "directory of the SQLite database and the sandbox registry's state")
	database := f.string("database", "", "PostgreSQL URL (postgres://…) to use instead of SQLite")
	publicURL := f.string("public-url", "", "base URL of links in email (default http://LISTEN)")
	registriesFile := f.string("registries", "", "registries file (YAML): the EPP registries that serve the live API's extensions")
	catalogFile := f.string("catalog", "", "catalog file (JSON) replacing the default extensions, prices and registration schemas")
	smtpURL := f.string("smtp-url", "", "send mail over SMTP: smtp://user:pass@host:587?from=addr (mail always goes to the outbox too)")
	syncWait := f.duration("sync-wait", 5*time.Second, "how long POST and PATCH wait for the workflow to finish before answering 202")
	delay := f.duration("sandbox-delay", 3*time.Second, "delay of the sandbox registry's slow-, pending- and outage- scenarios")
	maxDomains := f.int("max-domains", 100, "registrations an account may hold")
	rateLimit := f.float("rate-limit", 4, "requests per second per API token, sustained (negative: no limit)")
	rateBurst := f.int("rate-burst", 1200, "requests per API token in a burst")
	blocked := f.duration("blocked-timeout", 7*24*time.Hour, "how long a workflow may stay blocked before it fails")
	action := f.duration("action-timeout", 15*24*time.Hour, "how long an action_required workflow waits for the user")
	jobTimeout := f.duration("job-timeout", 30*time.Second, "time limit of one workflow step")
	rescue := f.duration("rescue-after", time.Minute, "when the steps of a crashed server are run again (must exceed --job-timeout)")
	poll := f.duration("poll-interval", 2*time.Second, "how often registries' message queues are read")
	sweep := f.duration("sweep-interval", 30*time.Second, "how often overdue workflows are failed")
	logLevel := f.string("log-level", "info", "log level: debug, info, warn or error")
	if err := f.parse(args); err != nil {
		return err
	}
	log, err := e.logger(*logLevel)
	if err != nil {
		return err
	}
	cfg = daemon.Config{
		Listen: *listen, DataDir: *dataDir, DatabaseURL: *database, PublicURL: strings.TrimRight(*publicURL, "/"), SMTPURL: *smtpURL,
		Registries: *registriesFile, Catalog: *catalogFile,
		SyncWait: *syncWait, SandboxDelay: *delay, MaxDomains: *maxDomains, RateLimit: *rateLimit, RateBurst: *rateBurst,
		BlockedTimeout: *blocked, ActionTimeout: *action, JobTimeout: *jobTimeout, RescueAfter: *rescue,
		PollInterval: *poll, SweepInterval: *sweep,
		Logger: log,
		Out:    e.stdout,
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	d, err := daemon.Start(e.ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registrar is serving the API at %s (health: http://%s/healthz); stop it with Ctrl-C\n", d.URL(), d.Addr())
	serveErr := d.Wait(e.ctx)
	stopErr := d.Stop(context.WithoutCancel(e.ctx))
	if serveErr != nil {
		return serveErr
	}
	return stopErr
}
