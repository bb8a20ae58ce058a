package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/client"
)

// The API commands (check, search, register, ...) are clients of a
// server's API through package client; this file holds what they share:
// where the API and its credentials come from, the exit codes, and the
// output helpers.

// Exit codes of the API commands besides 0 (done) and 1 (usage or API
// error).
const (
	exitFailed    = 2 // the workflow failed
	exitAction    = 3 // the workflow waits for the user
	exitNotFinish = 4 // the workflow is still pending, in progress or blocked
)

// exitStatus ends a command with a code after it printed what happened.
type exitStatus int

func (s exitStatus) Error() string { return "exit status " + strconv.Itoa(int(s)) }

// cliFileName is the file in a server's data dir where its first start
// leaves the sandbox account's credentials for the command line.
const cliFileName = "cli.json"

// cliFile is the content of <data-dir>/cli.json.
type cliFile struct {
	APIURL    string `json:"api_url"`
	AccountID string `json:"account_id"`
	APIToken  string `json:"api_token"`
}

const defaultAPIURL = "http://127.0.0.1:8080/client/v4/"

// apiOpts are the flags of every API command.
type apiOpts struct {
	url, token, account, dataDir, output *string
	sandbox                              *bool
	f                                    *flags
}

// apiSource is where an API command found the API's URL and token, for
// errors that name the fix.
type apiSource struct {
	url, urlFrom, tokenFrom string
}

func apiFlags(f *flags) *apiOpts {
	return &apiOpts{f: f,
		url:     f.string("api-url", "", "the API's base URL, ending in /client/v4/ (a bare http://HOST:PORT gets it added; default: from <data-dir>/cli.json, else "+defaultAPIURL+")"),
		token:   f.string("api-token", "", "API token (default: from <data-dir>/cli.json); the environment variable keeps it out of ps"),
		account: f.string("account-id", "", "account ID (default: from <data-dir>/cli.json)"),
		dataDir: f.string("data-dir", "./registrar-data", "data directory of a local server, whose cli.json gives the defaults of --api-url, --api-token and --account-id"),
		sandbox: f.bool("sandbox", false, "use the /registrar-sandbox/ API: separate registrations, never billed"),
		output:  f.output(),
	}
}

func (o *apiOpts) json() bool { return *o.output == "json" }

// client returns a client of the API, with what flags and environment
// variables give, and the rest from <data-dir>/cli.json; the recorder
// sees every response.
func (o *apiOpts) client() (*client.Client, *recorder, error) {
	if err := checkOutput(*o.output); err != nil {
		return nil, nil, err
	}
	url, token, account := *o.url, *o.token, *o.account
	path := filepath.Join(*o.dataDir, cliFileName)
	src := &apiSource{urlFrom: o.from("api-url", url, path), tokenFrom: o.from("api-token", token, path)}
	if url == "" || token == "" || account == "" {
		raw, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, nil, err
		default:
			var file cliFile
			if err := json.Unmarshal(raw, &file); err != nil {
				return nil, nil, fmt.Errorf("%s is damaged (%v): delete it and give --api-token and --account-id (or their environment variables)", path, err)
			}
			url, token, account = firstOf(url, file.APIURL), firstOf(token, file.APIToken), firstOf(account, file.AccountID)
		}
	}
	if token == "" || account == "" {
		return nil, nil, fmt.Errorf("no API token or account ID: give --api-token and --account-id (or $REGISTRAR_API_TOKEN and $REGISTRAR_ACCOUNT_ID), "+
			"or --data-dir of a server whose first start wrote its cli.json (%s does not exist)", path)
	}
	if url == "" {
		url, src.urlFrom = defaultAPIURL, "the default"
	}
	url, err := apiURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("%v (from %s)", err, src.urlFrom)
	}
	src.url = url
	o.f.env.api = src
	rec := &recorder{base: http.DefaultTransport}
	c, err := client.New(url, token, client.WithAccountID(account), client.WithSandbox(*o.sandbox),
		client.WithHTTPClient(&http.Client{Timeout: 2 * time.Minute, Transport: rec}))
	return c, rec, err
}

// from says where the value v of the flag name came from: the command
// line, its environment variable, or else the cli.json at path (when v is
// empty there, the caller fills it from the file or a default).
func (o *apiOpts) from(name, v, path string) string {
	set := false
	o.f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	switch {
	case set:
		return "--" + name
	case v != "":
		return "$" + envName(name)
	}
	return path
}

// apiURL checks an API base URL: its path must end in /client/v4/ (the
// slash may be left out); a URL with no path at all, as in
// http://127.0.0.1:8080, gets it.
func apiURL(raw string) (string, error) {
	u, err := neturl.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("the API URL must be an http:// or https:// URL ending in /client/v4/ (got %s)", raw)
	}
	switch {
	case u.Path == "" || u.Path == "/":
		u.Path = "/client/v4/"
	case strings.HasSuffix(u.Path, "/client/v4"):
		u.Path += "/"
	case !strings.HasSuffix(u.Path, "/client/v4/"):
		return "", fmt.Errorf("the API URL must end in /client/v4/ (got %s)", raw)
	}
	return u.String(), nil
}

// firstOf returns the first of a and b that is not empty.
func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// recorder is the client's transport: it keeps the status of the last
// response (the 201 or 202 of a POST).
type recorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	status int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.base.RoundTrip(req)
	r.mu.Lock()
	if err == nil {
		r.status = res.StatusCode
	}
	r.mu.Unlock()
	return res, err
}

func (r *recorder) lastStatus() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

// parseArgs parses args with flags anywhere among them (as in
// `registrar register example.com --wait`) and returns the others; "--"
// ends the flags.
func (f *flags) parseArgs(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, f.parseError(err)
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(f.errs) > 0 {
		return nil, errors.Join(f.errs...)
	}
	return pos, nil
}

// usageError prints what is wrong with a command line and the command's
// usage line.
func (f *flags) usageError(format string, a ...any) error {
	fmt.Fprintf(f.Output(), "registrar: "+format+"\nusage: registrar %s [flags]; see --help\n", append(a, f.Name())...)
	return errUsage
}

// rows prints "key: value" lines, aligned.
type rows struct{ w io.Writer }

func (r rows) print(kv ...string) error {
	tw := table(r.w)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
		}
	}
	return tw.Flush()
}

// fmtTime formats a time for tables: UTC, to the second.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// roundDuration rounds a duration for people: to 10ms below a second, to
// a tenth of a second below ten seconds, else to the second.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond)
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// joinChanges is the members of m as key=value, sorted.
func joinChanges(m map[string]any) string {
	var parts []string
	for k, v := range m {
		text := fmt.Sprint(v)
		switch v.(type) {
		case string, bool, float64, nil:
		default: // lists and objects (name servers, DS records, a host) as JSON
			if b, err := json.Marshal(v); err == nil {
				text = string(b)
			}
		}
		parts = append(parts, k+"="+text)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// hinted is an error followed by lines that say how to fix it.
type hinted struct {
	err   error
	hints []string
}

func (h *hinted) Error() string {
	return h.err.Error() + "\nhint: " + strings.Join(h.hints, "\nhint: ")
}
func (h *hinted) Unwrap() error { return h.err }

// explain makes an API command's error name its fix: a server it cannot
// reach, a URL that is not the API's, a token the server does not know,
// each with where the URL or token came from.
func (e *cmdEnv) explain(err error) error {
	src := e.api
	if src == nil {
		return err
	}
	var op *net.OpError
	var dns *net.DNSError
	if (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &dns) {
		return fmt.Errorf("cannot reach the registrar at %s (from %s): is \"registrar serve\" running? Use --api-url or REGISTRAR_API_URL.\n(%v)",
			src.url, src.urlFrom, err)
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.StatusCode == http.StatusUnauthorized:
		return &hinted{err, []string{fmt.Sprintf("the server at %s (from %s) does not know the API token from %s: it may belong to another data dir or server",
			src.url, src.urlFrom, src.tokenFrom)}}
	case apiErr.StatusCode == http.StatusNotFound && (apiErr.HasCode(client.CodeNoRoute) || len(apiErr.Errors) == 0):
		return &hinted{err, []string{fmt.Sprintf("%s (from %s) does not look like the registrar's API, whose URL ends in /client/v4/", src.url, src.urlFrom)}}
	}
	return err
}

// flagHints names the flags of register and transfer that fix an API
// validation error, by the error items' pointers; ext is the domain's
// extension and required the names of the acknowledgements and contact
// extensions its registration requires, by group.
func flagHints(apiErr *client.APIError, ext string, required map[string][]string) []string {
	acks, cexts := required["acknowledgements"], required["contact_extensions"]
	var hints []string
	seen := map[string]bool{}
	add := func(h string) {
		if !seen[h] {
			seen[h] = true
			hints = append(hints, h)
		}
	}
	see := fmt.Sprintf("(see \"registrar extensions %s\")", ext)
	for _, it := range apiErr.Errors {
		p := it.Pointer
		switch {
		case strings.HasPrefix(p, "/acknowledgements/"):
			add(fmt.Sprintf("add --ack %s %s", strings.TrimPrefix(p, "/acknowledgements/"), see))
		case p == "/acknowledgements" && len(acks) > 0:
			add(fmt.Sprintf("add --ack %s %s", strings.Join(acks, " --ack "), see))
		case p == "/acknowledgements":
			add("add --ack NAME " + see)
		case strings.HasPrefix(p, "/contact_extensions/"):
			add(fmt.Sprintf("add --contact-extension %s=VALUE %s", strings.TrimPrefix(p, "/contact_extensions/"), see))
		case p == "/contact_extensions" && len(cexts) > 0:
			add(fmt.Sprintf("add --contact-extension %s=VALUE %s", strings.Join(cexts, "=VALUE --contact-extension "), see))
		case p == "/contact_extensions":
			add("add --contact-extension KEY=VALUE " + see)
		case p == "/contacts/registrant":
			add("give the registrant with --contact FILE (JSON: email, phone, postal_info)")
		case strings.HasPrefix(p, "/contacts/registrant/"):
			add(fmt.Sprintf("fix %s in the --contact file", strings.ReplaceAll(strings.TrimPrefix(p, "/contacts/registrant/"), "/", ".")))
		case p == "/years":
			add("change --years " + see)
		case p == "/auth_code":
			add("give the auth code from the domain's registrar with --auth-code (base64)")
		}
	}
	return hints
}

// premiumRefusal reports whether err is the API's refusal of a name it
// knows to be premium (400, the message beginning domain_premium), and
// its message.
func premiumRefusal(err error) (string, bool) {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return "", false
	}
	for _, it := range apiErr.Errors {
		if msg, ok := strings.CutPrefix(it.Message, client.WorkflowErrDomainPremium+": "); ok {
			return msg, true
		}
	}
	return "", false
}
