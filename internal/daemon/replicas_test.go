package daemon_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestReplicasMustShareRegistries: a second replica of a PostgreSQL
// database whose live environment would register at other registries
// than the running replica's (a registries file against demo mode) refuses
// to start, saying how to fix it; one with the same configuration starts.
func TestReplicasMustShareRegistries(t *testing.T) {
	t.Parallel()
	storetest.RequirePostgres(t)
	first := startServer(t, storetest.Postgres, nil) // demo mode
	reg := startRegistry(t, 0)

	cfg := first.cfg
	cfg.DataDir = t.TempDir()
	cfg.Registries = reg.file
	d, err := daemon.Start(context.Background(), cfg)
	if err == nil {
		d.Stop(context.Background())
		t.Fatal("a replica with a registries file started beside one in demo mode")
	}
	if !errors.Is(err, store.ErrReplicaConflict) || !strings.Contains(err.Error(), "--registries") || !strings.Contains(err.Error(), "live=demo") {
		t.Errorf("refusal %q: want ErrReplicaConflict naming the running replica's configuration and --registries", err)
	}

	cfg.Registries = ""
	second, err := daemon.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("a second demo-mode replica: %v", err)
	}
	if err := second.Stop(context.Background()); err != nil {
		t.Error(err)
	}
}
