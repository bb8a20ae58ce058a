package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// sandbox clock: show or advance the environments' clocks, which a
// running server reads every second (docs/ARCHITECTURE.md, "The life of
// a domain").

// clockEnvs are the environments, in the order the clock shows them.
var clockEnvs = []registrar.Env{registrar.EnvSandbox, registrar.EnvLive}

// clockJSON is one environment's clock as --output json shows it.
type clockJSON struct {
	Env       registrar.Env `json:"env"`
	Now       time.Time     `json:"now"`
	Offset    string        `json:"offset"`
	OffsetUS  int64         `json:"offset_us"`
	Shiftable bool          `json:"shiftable"`
}

// sandboxClock shows each environment's clock, or with "advance"
// shifts them.
func (e *cmdEnv) sandboxClock(args []string) error {
	if len(args) > 0 && args[0] == "advance" {
		return e.sandboxClockAdvance(args[1:])
	}
	f := newFlags(e, "sandbox clock", "Show each environment's clock: its time, and how far it runs ahead of real time. "+
		"`registrar sandbox clock advance` moves it.", "registrar sandbox clock --data-dir ./registrar-data")
	dataDir, database := dbFlags(f)
	output := f.output()
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return f.usageError("unknown sandbox clock command %q (advance DURATION shifts the clock)", pos[0])
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	db, err := e.openDB(*dataDir, *database, true)
	if err != nil {
		return err
	}
	defer db.Close()
	clocks, err := readClocks(e, db)
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, clocks)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "ENV\tNOW\tOFFSET\tSHIFTABLE")
	for _, c := range clocks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Env, c.Now.Format(time.RFC3339), c.Offset, yesNo(c.Shiftable))
	}
	return tw.Flush()
}

// readClocks reads every environment's clock.
func readClocks(e *cmdEnv, db *store.DB) ([]clockJSON, error) {
	var out []clockJSON
	now := time.Now().UTC().Truncate(time.Second)
	for _, env := range clockEnvs {
		off, shiftable, err := db.ClockOffset(e.ctx, env)
		if err != nil {
			return nil, err
		}
		if !shiftable {
			off = 0 // an unshiftable clock runs on real time, whatever is stored
		}
		out = append(out, clockJSON{Env: env, Now: now.Add(off), Offset: formatOffset(off), OffsetUS: off.Microseconds(), Shiftable: shiftable})
	}
	return out, nil
}

func (e *cmdEnv) sandboxClockAdvance(args []string) error {
	f := newFlags(e, "sandbox clock advance DURATION",
		"Move the clocks of the sandbox (and, in demo mode, the live environment) ahead: the registrar's timers and the built-in registries' time. "+
			"A running server picks the change up within a second. DURATION is a Go duration or days and years: 335d, 12h, 1y, 1d12h.",
		"registrar sandbox clock advance 335d")
	dataDir, database := dbFlags(f)
	envFlag := f.string("env", "", "the environment to shift, sandbox or live (live only in demo mode); default: every shiftable one")
	output := f.output()
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("sandbox clock advance takes one duration, not %d", len(pos))
	}
	d, err := parseClockDuration(pos[0])
	if err != nil {
		return f.usageError("%v", err)
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	var envs []registrar.Env
	switch env := registrar.Env(*envFlag); {
	case env == "":
	case env.Valid():
		envs = []registrar.Env{env}
	default:
		return f.usageError("--env must be sandbox or live, not %q", *envFlag)
	}
	if *database == "" {
		if _, err := os.Stat(daemon.SQLitePath(*dataDir)); err != nil {
			return fmt.Errorf("no registrar database in %s: start the server there first, or pass --data-dir", *dataDir)
		}
	}
	db, err := e.openDB(*dataDir, *database, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if envs == nil {
		for _, env := range clockEnvs {
			if _, shiftable, err := db.ClockOffset(e.ctx, env); err != nil {
				return err
			} else if shiftable {
				envs = append(envs, env)
			}
		}
		if len(envs) == 0 {
			return errors.New("no clock can be shifted here: start the server on this data dir (or database) first")
		}
	}
	for _, env := range envs {
		if _, err := db.AdvanceClock(e.ctx, env, d); err != nil {
			if re := registrar.AsError(err); re != nil && re.Message != "" {
				return errors.New(re.Message)
			}
			return err
		}
	}
	clocks, err := readClocks(e, db)
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, clocks)
	}
	for _, c := range clocks {
		for _, env := range envs {
			if c.Env == env {
				fmt.Fprintf(e.stdout, "%s clock advanced %s: now %s (%s ahead of real time)\n", env, formatOffset(d), c.Now.Format(time.RFC3339), c.Offset)
			}
		}
	}
	fmt.Fprintln(e.stdout, "A running server picks this up within a second, and looks at every registration at once.")
	return nil
}

// dayUnits are the units parseClockDuration adds to Go's: days and
// 365-day years.
var dayUnits = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)([dy])`)

// parseClockDuration parses a Go duration that may also use d (24 h)
// and y (365 d): "335d", "1y", "1d12h".
func parseClockDuration(s string) (time.Duration, error) {
	var bad error
	conv := dayUnits.ReplaceAllStringFunc(s, func(m string) string {
		sub := dayUnits.FindStringSubmatch(m)
		n, err := strconv.ParseFloat(sub[1], 64)
		if err != nil {
			bad = err
		}
		hours := n * 24
		if sub[2] == "y" {
			hours *= 365
		}
		return strconv.FormatFloat(hours, 'f', -1, 64) + "h"
	})
	d, err := time.ParseDuration(conv)
	if bad != nil || err != nil || strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, fmt.Errorf("%q is not a duration: want a positive Go duration, or days and years (335d, 12h, 1y, 1d12h)", s)
	}
	return d, nil
}

// formatOffset writes a duration in days and the rest: "335d12h0m0s",
// "0s".
func formatOffset(d time.Duration) string {
	days := d / (24 * time.Hour)
	rest := d - days*24*time.Hour
	switch {
	case days == 0:
		return rest.String()
	case rest == 0:
		return strconv.FormatInt(int64(days), 10) + "d"
	}
	return strconv.FormatInt(int64(days), 10) + "d" + rest.String()
}
