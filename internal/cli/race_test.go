//go:build race

package cli_test

// raceEnabled reports whether the tests run with -race: the README
// walkthrough's `go run` then builds with it too, reusing the packages the
// race-enabled tests compiled rather than compiling the SDK a second time.
const raceEnabled = true
