package daemon_test

import (
	"os"
	"testing"

	"github.com/openregistrar/registrar/internal/testtools"
)

// TestMain runs more tests at once than go test's default of GOMAXPROCS:
// each starts its own registrar and mostly waits on it (registry delays,
// the sync window, pollers), so on two cores eight at a time finish in
// less than half the time, with less CPU (see testtools.WaitBoundParallel).
func TestMain(m *testing.M) {
	testtools.WaitBoundParallel()
	os.Exit(m.Run())
}
