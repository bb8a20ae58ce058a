package storetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/testtools"
)

// Server is a PostgreSQL server of the test's own, for tests that restart
// it (the shared server of EnvPostgresURL serves other tests meanwhile).
// It listens on 127.0.0.1 only, with fsync off.
type Server struct {
	t    testing.TB
	bin  string // the server's bin directory
	dir  string // owned by the server's user
	port int
	// URL is the superuser's URL of the server's "postgres" database.
	URL string
}

// StartServer initialises and starts a PostgreSQL server (the newest
// version under /usr/lib/postgresql), stopped and removed when the test
// ends. Without one it stops the test as testtools.Require does. As root,
// the server runs as the postgres user, since initdb refuses root.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		testtools.Require(t, "PostgreSQL server binaries", "postgresql", errors.New("no /usr/lib/postgresql/*/bin/pg_ctl"))
	}
	slices.SortFunc(bins, func(a, b string) int { return pgVersion(a) - pgVersion(b) })
	// Not t.TempDir(): its parent is private to this user, and the server
	// may run as another.
	dir, err := os.MkdirTemp("", "registrar-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, and no postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
	s.pgctl("start")
	t.Cleanup(func() { s.pgctl("stop") })
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
	return s
}

// Restart stops the server (fast: open connections are cut) and starts it
// again on the same port and data.
func (s *Server) Restart() {
	s.t.Helper()
	s.pgctl("restart")
}

func (s *Server) pgctl(action string) {
	s.t.Helper()
	args := []string{"-D", filepath.Join(s.dir, "data"), "-l", filepath.Join(s.dir, "server.log"), "-w", "-m", "fast"}
	if action != "stop" {
		args = append(args, "-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=300 -c fsync=off -c full_page_writes=off", s.port, s.dir))
	}
	s.run("pg_ctl", append(args, action)...)
}

// run runs one of the server's programs, as the postgres user when root.
func (s *Server) run(prog string, args ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		s.t.Fatalf("%s %v: %v\n%s\nserver log:\n%s", prog, args, err, out, log)
	}
}

// pgVersion is the major version in a path /usr/lib/postgresql/N/bin/...
func pgVersion(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}
