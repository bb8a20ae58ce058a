//go:build !race

package cli_test

// raceEnabled: see race_test.go.
const raceEnabled = false
