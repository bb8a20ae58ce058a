package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/privatefile"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	regschema "github.com/openregistrar/registrar/internal/schema"
	"github.com/openregistrar/registrar/internal/store"
)

// dbFlags are the flags that find the database of a server.
func dbFlags(f *flags) (dataDir, database *string) {
	dataDir = f.string("data-dir", "./registrar-data", "the server's data directory (SQLite)")
	database = f.string("database", "", "the server's PostgreSQL URL, instead of --data-dir")
	return
}

func (e *cmdEnv) openDB(dataDir, database string, readOnly bool) (*store.DB, error) {
	if database == "" {
		path := daemon.SQLitePath(dataDir)
		if readOnly {
			if _, err := os.Stat(path); err != nil {
				return nil, fmt.Errorf("no registrar database in %s: start the server there first, or pass --data-dir", dataDir)
			}
		} else if err := privatefile.MakeDir(dataDir); err != nil {
			return nil, err
		}
		return store.Open(e.ctx, store.Config{SQLitePath: path, ReadOnly: readOnly})
	}
	return store.Open(e.ctx, store.Config{DatabaseURL: database})
}

func (e *cmdEnv) accountCreate(args []string) error {
	f := newFlags(e, "account create", "Create an account and an API token with read and write scopes. The token is shown once.",
		"registrar account create --name acme --data-dir ./registrar-data --output json")
	name := f.string("name", "", "the account's name (required)")
	contactFile := f.string("contact", "", "JSON file with the account's default registrant contact (email, phone, postal_info)")
	allowDup := f.bool("allow-duplicate-name", false, "create the account even if one of that name exists (names are labels; accounts are told apart by ID)")
	dataDir, database := dbFlags(f)
	output := f.string("output", "text", "output format: text or json")
	if err := f.parse(args); err != nil {
		return err
	}
	if *name == "" {
		fmt.Fprintln(e.stderr, "registrar account create: --name is required")
		return errUsage
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	var contact *registrar.Contact
	if *contactFile != "" {
		raw, err := os.ReadFile(*contactFile)
		if err != nil {
			return err
		}
		contact = new(registrar.Contact)
		if err := jsonstrict.Decode(bytes.NewReader(raw), contact); err != nil {
			return fmt.Errorf("%s: %v", *contactFile, err)
		}
		// The contact rules of the registration schemas, as for a
		// registrant in a request.
		var v regschema.Validator
		errs, err := v.Contact(raw)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return fmt.Errorf("%s: %s %s", *contactFile, errs[0].Pointer, errs[0].Message)
		}
		contact.Normalize()
	}
	db, err := e.openDB(*dataDir, *database, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(e.ctx); err != nil {
		return err
	}
	create := db.CreateUniqueAccount
	if *allowDup {
		create = db.CreateAccount
	}
	acct, token, err := create(e.ctx, *name, contact, time.Now().UTC())
	if registrar.IsKind(err, registrar.KindConflict) {
		return fmt.Errorf("%s: choose another --name, or give --allow-duplicate-name to create a second account of that name", registrar.AsError(err).Message)
	}
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, map[string]string{"account_id": acct.ID, "api_token": token})
	}
	fmt.Fprintf(e.stdout, "account ID: %s\nAPI token:  %s\n(the token is shown only this once)\n", acct.ID, token)
	return nil
}

func (e *cmdEnv) outboxList(args []string) error {
	f := newFlags(e, "outbox list", "List the email the server sent or is sending, oldest first.", "registrar outbox list --output json")
	dataDir, database := dbFlags(f)
	output := f.output()
	if err := f.parse(args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	db, err := e.openDB(*dataDir, *database, true)
	if err != nil {
		return err
	}
	defer db.Close()
	msgs, err := db.Outbox(e.ctx)
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeJSON(e.stdout, msgs)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "ID\tCREATED\tTO\tSUBJECT\tSENT\tLINK")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.Format(time.RFC3339), m.To, m.Subject, sentState(m), dash(mailLink(m.Body)))
	}
	return tw.Flush()
}

// sentState says whether an outbox message went out.
func sentState(m store.OutboxMessage) string {
	switch {
	case m.SentAt != nil:
		return m.SentAt.Format(time.RFC3339)
	case m.LastError != "":
		return "failed: " + m.LastError
	}
	return "outbox only"
}

// mailLink is the first link in a mail's body (a verification link), ""
// when it has none. Our mail is plain text with each link on a line of
// its own words.
func mailLink(body string) string {
	for _, word := range strings.Fields(body) {
		word = strings.TrimRight(word, ".,;:)>\"'")
		for _, scheme := range []string{"https://", "http://"} {
			if rest, ok := strings.CutPrefix(word, scheme); ok && rest != "" {
				return word
			}
		}
	}
	return ""
}

func (e *cmdEnv) outboxShow(args []string) error {
	f := newFlags(e, "outbox show [--latest | ID]", "Print one email the server sent or is sending, with its whole body: "+
		"in the sandbox and in demo mode, where verification links go instead of an inbox.", "registrar outbox show --latest")
	dataDir, database := dbFlags(f)
	latest := f.bool("latest", false, "the newest email")
	output := f.output()
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	var id int64
	switch {
	case *latest && len(pos) == 0:
	case !*latest && len(pos) == 1:
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return f.usageError("outbox show: %q is not an email's ID (the first column of \"registrar outbox list\")", pos[0])
		}
	default:
		return f.usageError("outbox show takes --latest or one email's ID")
	}
	db, err := e.openDB(*dataDir, *database, true)
	if err != nil {
		return err
	}
	defer db.Close()
	msgs, err := db.Outbox(e.ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(msgs, func(m store.OutboxMessage) bool { return m.ID == id })
	if *latest {
		i = len(msgs) - 1
	}
	if i < 0 {
		if *latest {
			return errors.New("the outbox is empty: the server has sent no email")
		}
		return fmt.Errorf("the outbox has no email %d: \"registrar outbox list\" lists them", id)
	}
	m := msgs[i]
	if *output == "json" {
		return writeJSON(e.stdout, m)
	}
	kv := []string{"id", strconv.FormatInt(m.ID, 10), "created", m.CreatedAt.Format(time.RFC3339), "to", m.To, "subject", m.Subject, "sent", sentState(m)}
	if link := mailLink(m.Body); link != "" {
		kv = append(kv, "link", link)
	}
	if err := (rows{e.stdout}).print(kv...); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%s", m.Body)
	if !strings.HasSuffix(m.Body, "\n") {
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func (e *cmdEnv) sandboxLog(args []string) error {
	f := newFlags(e, "sandbox log", "List every command the sandbox registry received, in order.", "registrar sandbox log --output json")
	dataDir, database := dbFlags(f)
	demo := f.bool("demo", false, "the demo registry's log instead: the built-in registry behind the live API in demo mode")
	output := f.output()
	if err := f.parse(args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	entries, err := daemon.ReadBuiltinLog(e.ctx, *dataDir, *database, *demo)
	if err != nil {
		return err
	}
	if *output == "json" {
		if entries == nil {
			entries = []sandbox.LogEntry{}
		}
		return writeJSON(e.stdout, entries)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "TIME\tDOMAIN\tCOMMAND\tRESULT\tEXTENSIONS")
	for _, l := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Time.Format(time.RFC3339Nano), l.Domain, l.Command, l.Result, l.Extensions)
	}
	return tw.Flush()
}
