package cli_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// TestSandboxClock: `sandbox clock` shows each environment's clock, and
// `sandbox clock advance` moves the shiftable ones (both, in demo mode;
// or the one --env names) on the data dir of a running server, which
// picks the change up; bad durations and environments are usage errors.
func TestSandboxClock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startServer(t, dir)

	code, out, errOut := run(t, "sandbox", "clock", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("sandbox clock: exit %d: %s", code, errOut)
	}
	contains(t, "sandbox clock", out, "ENV NOW OFFSET SHIFTABLE", "sandbox", "0s yes", "live", "0s yes")

	code, out, errOut = run(t, "sandbox", "clock", "advance", "335d", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("sandbox clock advance 335d: exit %d: %s", code, errOut)
	}
	contains(t, "sandbox clock advance", out, "sandbox clock advanced 335d", "(335d ahead of real time)", "live clock advanced 335d")

	code, out, errOut = run(t, "sandbox", "clock", "advance", "1d12h", "--env", "sandbox", "--data-dir", dir, "--output", "json")
	var clocks []struct {
		Env       registrar.Env `json:"env"`
		OffsetUS  int64         `json:"offset_us"`
		Shiftable bool          `json:"shiftable"`
	}
	if err := json.Unmarshal([]byte(out), &clocks); code != 0 || err != nil || len(clocks) != 2 {
		t.Fatalf("sandbox clock advance 1d12h --env sandbox --output json: exit %d, %v: %s %s", code, err, out, errOut)
	}
	want := map[registrar.Env]time.Duration{registrar.EnvSandbox: 336*24*time.Hour + 12*time.Hour, registrar.EnvLive: 335 * 24 * time.Hour}
	for _, c := range clocks {
		if got := time.Duration(c.OffsetUS) * time.Microsecond; got != want[c.Env] || !c.Shiftable {
			t.Errorf("%s clock: offset %s shiftable %v, want %s shiftable", c.Env, got, c.Shiftable, want[c.Env])
		}
	}

	// The running server's clock follows within a second or so.
	deadline := time.Now().Add(10 * time.Second)
	for time.Until(d.Clock(registrar.EnvSandbox).Now()) < 336*24*time.Hour {
		if time.Now().After(deadline) {
			t.Fatalf("the server's sandbox clock is %s ahead, want 336d12h", time.Until(d.Clock(registrar.EnvSandbox).Now()))
		}
		time.Sleep(50 * time.Millisecond)
	}

	for _, args := range [][]string{
		{"sandbox", "clock", "advance", "-5d"},
		{"sandbox", "clock", "advance", "soon"},
		{"sandbox", "clock", "advance", "0s"},
		{"sandbox", "clock", "advance", "21y"},
		{"sandbox", "clock", "advance"},
		{"sandbox", "clock", "advance", "1h", "--env", "staging"},
		{"sandbox", "clock", "rewind"},
	} {
		if code, _, _ := run(t, append(args, "--data-dir", dir)...); code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
	}
	if code, _, errOut := run(t, "sandbox", "clock", "advance", "1h", "--data-dir", t.TempDir()); code != 1 {
		t.Errorf("advance on a data dir without a server: exit %d (%s), want 1", code, errOut)
	}
}
