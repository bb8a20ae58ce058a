package testtools

import (
	"flag"
	"runtime"
	"strconv"
)

// WaitBoundParallel is for the TestMain of a package whose tests mostly
// wait (on servers, registry delays, pollers) rather than compute: unless
// go test was given -parallel, it lets 4×GOMAXPROCS parallel tests run at
// once instead of GOMAXPROCS. It parses the command line, so call it
// before m.Run.
//
// On a 2-core machine the daemon suite under -race -short took 246s at
// the default of 2 and 100s at 8, with half the CPU time: each test's
// registrar burns CPU on its pollers for as long as the test lasts.
func WaitBoundParallel() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0))); err != nil {
			panic("testtools: WaitBoundParallel outside a test binary: " + err.Error())
		}
	}
}
