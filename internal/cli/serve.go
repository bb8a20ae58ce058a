package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/openregistrar/registrar/internal/daemon"
)

// serveFlags declares serve's flags: one per daemon setting (the table in
// daemon.Config.Settings), each with its REGISTRAR_* variable, and the
// command line's own --log-level and --log-format.
func (e *cmdEnv) serveFlags(cfg *daemon.Config) (*flags, *string, *string) {
	f := newFlags(e, "serve", "Run the registrar API server.", "registrar serve --listen 127.0.0.1:8080 --data-dir ./registrar-data")
	for _, s := range cfg.Settings() {
		f.setting(s)
	}
	logLevel := f.string("log-level", "info", "log level: debug, info, warn or error")
	logFormat := f.string("log-format", "text", "log format: text (key=value) or json (one object per line)")
	return f, logLevel, logFormat
}

func (e *cmdEnv) serve(args []string) error {
	cfg := daemon.DefaultConfig()
	f, logLevel, logFormat := e.serveFlags(&cfg)
	if err := f.parse(args); err != nil {
		return err
	}
	log, err := e.logger(*logLevel, *logFormat)
	if err != nil {
		return err
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	cfg.Logger, cfg.Out, cfg.Command = log, e.stdout, commandName(os.Args[0])
	if err := cfg.Validate(); err != nil {
		return err
	}
	d, err := daemon.Start(e.ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", d.Describe())
	fmt.Fprintf(e.stdout, "registrar is serving the API at %s (health: http://%s/healthz); stop it with Ctrl-C, or kill $(cat %s)\n",
		d.URL(), d.Addr(), filepath.Join(cfg.DataDir, "registrar.pid"))
	serveErr := d.Wait(e.ctx)
	stopErr := d.Stop(context.WithoutCancel(e.ctx))
	if serveErr != nil {
		return serveErr
	}
	return stopErr
}

// commandName is how a person runs this command line, from the program
// name it was started as (os.Args[0]): "go run ./cmd/registrar" for go
// run's temporary binary, "registrar" when found on $PATH, the path as
// typed otherwise ("./registrar"). The first start's banner prints
// commands with it, so that they work as printed.
func commandName(argv0 string) string {
	switch {
	case strings.Contains(filepath.ToSlash(argv0), "/go-build"):
		return "go run ./cmd/registrar"
	case !strings.ContainsRune(argv0, filepath.Separator) && !strings.ContainsRune(argv0, '/'):
		return filepath.Base(argv0)
	}
	return argv0
}
