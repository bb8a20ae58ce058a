package testtools_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/testtools"
)

func TestMain(m *testing.M) {
	testtools.WaitBoundParallel()
	os.Exit(m.Run())
}

func TestWaitBoundParallel(t *testing.T) {
	want := strconv.Itoa(4 * runtime.GOMAXPROCS(0))
	for _, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "-test.parallel="); ok {
			want = v // go test -parallel N: left alone
		}
	}
	if got := flag.Lookup("test.parallel").Value.String(); got != want {
		t.Errorf("-test.parallel = %s, want %s", got, want)
	}
}
