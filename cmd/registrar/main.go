// Command registrar is a self-hosted domain registrar that speaks
// Cloudflare's Registrar API. See the README for how to run it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/openregistrar/registrar/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
