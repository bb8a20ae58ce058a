package cli

import (
	"fmt"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// reconcileReport prints what reconciliation with the registries found
// and did, newest first.
func (e *cmdEnv) reconcileReport(args []string) error {
	f := newFlags(e, "reconcile report", "List the differences reconciliation found between the registrations and their registries, and what it did, newest first.",
		"registrar reconcile report --env live --output json")
	dataDir, database := dbFlags(f)
	env := f.string("env", "", "only this environment's differences: live or sandbox (default both)")
	limit := f.int("limit", 1000, "at most this many differences")
	output := f.output()
	if err := f.parse(args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	if *env != "" && *env != string(registrar.EnvLive) && *env != string(registrar.EnvSandbox) {
		return f.usageError("--env must be live or sandbox, not %q", *env)
	}
	db, err := e.openDB(*dataDir, *database, true)
	if err != nil {
		return err
	}
	defer db.Close()
	diffs, err := db.SyncDifferences(e.ctx, registrar.Env(*env), *limit)
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, diffs)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "WHEN\tENV\tDOMAIN\tFIELD\tOURS\tREGISTRY\tACTION")
	for _, d := range diffs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.At.Format(time.RFC3339), d.Env, d.Domain, d.Field, d.Ours, d.Registry, d.Action)
	}
	return tw.Flush()
}
