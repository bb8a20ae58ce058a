// Package cli is the registrar command line: `registrar serve`, the
// administrative subcommands, and the API commands (check, search,
// register, ...), which are clients of a server's API through package
// client. Every flag has a REGISTRAR_* environment fallback.
//
// Exit status: 0 done, 1 a usage or API error; the commands that start or
// show a workflow add 2 failed, 3 action required and 4 not finished
// (still pending, in progress or blocked, or given up waiting).
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
)

// Main runs the command line with args (without the program name) and
// returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &cmdEnv{ctx: ctx, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return 1
	}
	var err error
	switch args[0] {
	case "serve":
		err = env.serve(args[1:])
	case "account":
		err = env.sub(args[1:], "account", map[string]func([]string) error{"create": env.accountCreate})
	case "outbox":
		err = env.sub(args[1:], "outbox", map[string]func([]string) error{"list": env.outboxList, "show": env.outboxShow})
	case "reconcile":
		err = env.sub(args[1:], "reconcile", map[string]func([]string) error{"report": env.reconcileReport})
	case "sandbox":
		err = env.sub(args[1:], "sandbox", map[string]func([]string) error{"alter": env.sandboxAlter, "clock": env.sandboxClock, "log": env.sandboxLog,
			"serve": env.sandboxServe, "show": env.sandboxShow, "transfer-request": env.sandboxTransferRequest})
	case "check":
		err = env.check(args[1:])
	case "search":
		err = env.search(args[1:])
	case "extensions":
		err = env.extensions(args[1:])
	case "register":
		err = env.register(args[1:])
	case "status":
		err = env.status(args[1:])
	case "watch":
		err = env.watch(args[1:])
	case "list":
		err = env.list(args[1:])
	case "get":
		err = env.get(args[1:])
	case "autorenew":
		err = env.autorenew(args[1:])
	case "lock":
		err = env.lock(args[1:])
	case "renew":
		err = env.renew(args[1:])
	case "restore":
		err = env.restore(args[1:])
	case "history":
		err = env.history(args[1:])
	case "resend-verification":
		err = env.resendVerification(args[1:])
	case "ns":
		err = env.sub(args[1:], "ns", map[string]func([]string) error{"set": env.nsSet})
	case "dnssec":
		err = env.sub(args[1:], "dnssec", map[string]func([]string) error{"set": env.dnssecSet, "off": env.dnssecOff})
	case "host":
		err = env.sub(args[1:], "host", map[string]func([]string) error{"set": env.hostSet, "get": env.hostGet, "delete": env.hostDelete})
	case "transfer-check":
		err = env.transferCheck(args[1:])
	case "transfer":
		err = env.transfer(args[1:])
	case "transfer-cancel":
		err = env.transferCancel(args[1:])
	case "transfer-out":
		err = env.transferOut(args[1:])
	case "token":
		err = env.sub(args[1:], "token", map[string]func([]string) error{"create": env.tokenCreate, "list": env.tokenList, "revoke": env.tokenRevoke})
	case "webhooks":
		err = env.sub(args[1:], "webhooks", map[string]func([]string) error{"create": env.webhooksCreate, "list": env.webhooksList,
			"delete": env.webhooksDelete, "rotate": env.webhooksRotate, "test": env.webhooksTest, "deliveries": env.webhooksDeliveries,
			"redeliver": env.webhooksRedeliver})
	case "contacts":
		err = env.contacts(args[1:])
	case "events":
		err = env.events(args[1:])
	case "workflows":
		err = env.workflows(args[1:])
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "registrar: unknown command %q\n\n", args[0])
		usage(stderr)
		return 1
	}
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 1
	case errors.As(err, &status):
		return int(status)
	default:
		fmt.Fprintf(stderr, "registrar: %v\n", env.explain(err))
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `registrar: a domain registrar with Cloudflare's Registrar API

Usage:
  registrar serve                      run the API server (SQLite and the sandbox registry by default)
  registrar account create --name N    create an account and print its ID and API token (a name in use: --allow-duplicate-name)
  registrar outbox list                list the email the server sent
  registrar outbox show [--latest|ID]  print one email the server sent, with its verification link
  registrar reconcile report           list the differences found with the registries, and what was done
  registrar sandbox alter NAME         change a domain at the built-in registry behind our back (expiry, statuses, sponsor, purge)
  registrar sandbox log                list every command the sandbox registry received
  registrar sandbox serve              run the sandbox registry alone, as an EPP server over TLS
  registrar sandbox show NAME          what the sandbox registry holds for a domain (name servers, hosts, DS records)
  registrar sandbox transfer-request NAME
                                       make the built-in registry's other registrar ask for one of our domains
  registrar sandbox clock [advance DURATION]
                                       show, or move ahead (335d, 12h, 1y), the sandbox's and demo mode's clocks

API commands (clients of a server's API):
  registrar check NAME...              can these domains be registered, and at what price
  registrar search QUERY               suggest domains for a keyword, phrase or name
  registrar extensions [EXT]           the extensions on offer, or what one needs
  registrar register NAME              register a domain (--wait follows it to the end)
  registrar status NAME                where a domain's registration workflow stands
  registrar watch NAME                 follow a domain's workflows live (--until-done ends with the newest)
  registrar list                       the account's registrations
  registrar workflows                  the account's workflows, newest first (--kind, --state, --domain)
  registrar events [--follow]          the account's event feed, oldest first; --follow tails it
  registrar get NAME                   one registration
  registrar autorenew NAME on|off      turn automatic renewal on or off
  registrar lock NAME on|off           set or remove the transfer lock at the registry
  registrar renew NAME                 renew a domain (--years N; --wait follows it to the end)
  registrar restore NAME               restore a domain in its redemption period (--wait)
  registrar history NAME               a registration's history: renewals, expiry, restores
  registrar resend-verification NAME   send a registration's lost verification email again, with a new link
  registrar ns set NAME HOST...        replace a domain's name servers (2 to 13) at the registry
  registrar dnssec set NAME --ds 'KEYTAG ALG DIGESTTYPE DIGEST'...
                                       publish DS records (DNSSEC on); dnssec off NAME removes them all
  registrar host set|get|delete NAME HOST [--ip ADDR]...
                                       create or change, show, or delete a glue host inside the domain
  registrar transfer-check NAME...     can these domains be transferred in, and at what price
  registrar transfer NAME              transfer a domain in (--auth-code CODE; --wait follows it)
  registrar transfer-cancel NAME       cancel a running transfer in
  registrar transfer-out approve|reject|status NAME
                                       decide on, or show, another registrar's request for a domain
  registrar contacts set NAME --registrant FILE [--admin FILE] [--opt-out-transfer-lock]
                                       change a registration's contacts (a new registrant confirms by email)
  registrar webhooks create|list|delete|rotate|test|deliveries|redeliver [URL|ID] [--events T,...]
                                       signed webhook endpoints of the account's events (Standard Webhooks)
  registrar token create|list|revoke [NAME|ID] [--read-only] [--sandbox-only] [--expires 720h|TIME]
                                       the account's API tokens (a new one's secret is shown once)

The API commands find the server, the account and the API token in
--api-url, --account-id and --api-token, else in the cli.json that the
server's first start wrote in its data dir (--data-dir, ./registrar-data).
The API URL ends in /client/v4/ (http://HOST:PORT alone gets it added).
--output json prints JSON. Exit status: 0 done, 1 usage or API error,
2 failed, 3 action required, 4 not finished (pending, or gave up waiting).

Run "registrar COMMAND --help" for a command's flags. Every flag can also
be set with an environment variable: --data-dir is REGISTRAR_DATA_DIR.
`)
}

var errUsage = errors.New("usage")

type cmdEnv struct {
	ctx            context.Context
	stdout, stderr io.Writer
	// api is where the API command found the API's URL and token, once
	// it has; explain names it in errors.
	api *apiSource
}

func (e *cmdEnv) sub(args []string, name string, cmds map[string]func([]string) error) error {
	if len(args) == 0 || cmds[args[0]] == nil {
		var names []string
		for n := range cmds {
			names = append(names, n)
		}
		fmt.Fprintf(e.stderr, "usage: registrar %s %s [flags]\n", name, strings.Join(names, "|"))
		return errUsage
	}
	return cmds[args[0]](args[1:])
}

// flags is a flag set whose flags take their defaults from REGISTRAR_*
// environment variables. Its FlagSet writes nothing itself: -h and
// --help print the full usage, a bad flag one line (see parseError).
type flags struct {
	*flag.FlagSet
	errs   []error
	env    *cmdEnv
	stderr io.Writer
	usage  func(w io.Writer)
}

// logger returns the logger on stderr of the servers (serve, sandbox
// serve), at level (debug, info, warn or error) in format: text
// (key=value) or json.
func (e *cmdEnv) logger(level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(e.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(e.stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q must be text or json", format)
}

func newFlags(e *cmdEnv, name, summary, example string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	f := &flags{FlagSet: fs, env: e, stderr: e.stderr}
	f.usage = func(w io.Writer) {
		fmt.Fprintf(w, "%s\n\nUsage: registrar %s [flags]\n\nExample:\n  %s\n\nFlags:\n", summary, name, example)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return f
}

// Output is where the command's usage errors go (the FlagSet's own
// output is discarded).
func (f *flags) Output() io.Writer { return f.stderr }

// command is the command's words without its arguments: "register" of
// "register NAME", "ns set" of "ns set NAME HOST...".
func (f *flags) command() string {
	var words []string
	for _, w := range strings.Fields(f.Name()) {
		if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz-") != "" {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// parseError handles an error of FlagSet.Parse: -h or --help prints the
// full usage (flag.ErrHelp); anything else one line that names the
// command's --help (errUsage).
func (f *flags) parseError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		f.usage(f.stderr)
		return err
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		msg = "unknown flag " + name
		if strings.Contains(name, ".") {
			msg += " (to give a name that starts with -, use -- before it)"
		}
	}
	fmt.Fprintf(f.stderr, "registrar: %s; see \"registrar %s --help\"\n", msg, f.command())
	return errUsage
}

// envName is the environment variable behind a flag.
func envName(flagName string) string {
	return "REGISTRAR_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// envValue returns the value of a flag's environment variable, if set.
func envValue(name string) (string, bool) { return os.LookupEnv(envName(name)) }

// envUsage is a flag's usage with its environment variable.
func envUsage(name, usage string) string { return usage + " ($" + envName(name) + ")" }

// parseEnv sets *p from a flag's environment variable, if set, with
// parse; a bad value is reported when the flags are parsed.
func parseEnv[T any](f *flags, p *T, name string, parse func(string) (T, error)) {
	v, ok := envValue(name)
	if !ok {
		return
	}
	x, err := parse(v)
	if err != nil {
		f.errs = append(f.errs, fmt.Errorf("$%s: %v", envName(name), err))
		return
	}
	*p = x
}

func (f *flags) stringVar(p *string, name, usage string) {
	parseEnv(f, p, name, func(s string) (string, error) { return s, nil })
	f.StringVar(p, name, *p, envUsage(name, usage))
}

func (f *flags) boolVar(p *bool, name, usage string) {
	parseEnv(f, p, name, strconv.ParseBool)
	f.BoolVar(p, name, *p, envUsage(name, usage))
}

func (f *flags) durationVar(p *time.Duration, name, usage string) {
	parseEnv(f, p, name, time.ParseDuration)
	f.DurationVar(p, name, *p, envUsage(name, usage))
}

func (f *flags) intVar(p *int, name, usage string) {
	parseEnv(f, p, name, strconv.Atoi)
	f.IntVar(p, name, *p, envUsage(name, usage))
}

func (f *flags) int64Var(p *int64, name, usage string) {
	parseEnv(f, p, name, func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) })
	f.Int64Var(p, name, *p, envUsage(name, usage))
}

func (f *flags) floatVar(p *float64, name, usage string) {
	parseEnv(f, p, name, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	f.Float64Var(p, name, *p, envUsage(name, usage))
}

func (f *flags) string(name, def, usage string) *string {
	f.stringVar(&def, name, usage)
	return &def
}

func (f *flags) bool(name string, def bool, usage string) *bool {
	f.boolVar(&def, name, usage)
	return &def
}

func (f *flags) duration(name string, def time.Duration, usage string) *time.Duration {
	f.durationVar(&def, name, usage)
	return &def
}

func (f *flags) int(name string, def int, usage string) *int {
	f.intVar(&def, name, usage)
	return &def
}

// setting declares the flag of a daemon setting, bound to its Config
// field, whose value is the flag's default unless the environment
// variable is set.
func (f *flags) setting(s daemon.Setting) {
	switch v := s.Value.(type) {
	case *string:
		f.stringVar(v, s.Name, s.Usage)
	case *bool:
		f.boolVar(v, s.Name, s.Usage)
	case *time.Duration:
		f.durationVar(v, s.Name, s.Usage)
	case *int:
		f.intVar(v, s.Name, s.Usage)
	case *int64:
		f.int64Var(v, s.Name, s.Usage)
	case *float64:
		f.floatVar(v, s.Name, s.Usage)
	default:
		panic(fmt.Sprintf("cli: setting --%s has a value of type %T", s.Name, s.Value)) // a new type in daemon.Settings
	}
}

// parse parses args; extra arguments are a usage error.
func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return f.parseError(err)
	}
	if len(f.errs) > 0 {
		return errors.Join(f.errs...)
	}
	if f.NArg() > 0 {
		fmt.Fprintf(f.Output(), "unexpected argument %q\n", f.Arg(0))
		return errUsage
	}
	return nil
}

// output is the --output flag of listing commands.
func (f *flags) output() *string {
	return f.string("output", "table", "output format: table or json")
}

func checkOutput(o string) error {
	if o != "table" && o != "json" && o != "text" {
		return fmt.Errorf("--output must be table or json, not %q", o)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }
