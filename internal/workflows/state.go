package workflows

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// Step names. A workflow's Step is the step that runs next; while
// action_required or terminal it names the step it stopped at.
const (
	stepStart       = "start"        // registration: check availability and price
	stepVerifyEmail = "verify_email" // registration: waiting for the registrant to confirm
	stepCreate      = "create"       // registration: create at the registry
	stepAwaitCreate = "await_create" // registration: the registry's review of a pending create
	stepApply       = "apply"        // update: apply the change
)

// stepArgs is the one job kind that runs workflow steps.
type stepArgs struct {
	WorkflowID string `json:"workflow_id"`
	Step       string `json:"step"`
}

func (stepArgs) Kind() string { return "workflow_step" }

// registrationData is a registration workflow's private state: the
// request as validated (with its defaults filled in: years, privacy mode,
// the registrant) and what the steps record.
type registrationData struct {
	registrar.RegistrationRequest
	// Extension is the request's extension (the request's own field is
	// never encoded, since it is not part of a body).
	Extension string `json:"extension"`
	// Consents record the acknowledgements the registrant gave: what the
	// registry's policy said when they gave it, and when.
	Consents []consent `json:"consents,omitempty"`
	// Registrant and the other roles are where data stored before the
	// request was kept whole held the contacts; decode moves them into
	// Contacts.
	LegacyRegistrant    *registrar.Contact `json:"registrant,omitempty"`
	LegacyAdministrator *registrar.Contact `json:"administrator,omitempty"`
	LegacyTechnical     *registrar.Contact `json:"technical,omitempty"`
	LegacyBilling       *registrar.Contact `json:"billing,omitempty"`
	// AuthInfo is the domain's transfer secret, set at create; it lets an
	// info tell our create from anyone else's.
	AuthInfo string `json:"auth_info"`
	// CreateAttempts counts creates that may have reached the registry. It
	// is stored before each create is sent: when it is positive, the
	// outcome of an earlier attempt may be unknown, and an info comes first.
	CreateAttempts int    `json:"create_attempts,omitempty"`
	CreateTRID     string `json:"create_trid,omitempty"`
	// RequestID is the ID of the API request that started the workflow
	// (X-Request-ID): its steps log it, and its creates' client
	// transaction IDs end with it, so one registration can be followed
	// from the HTTP request to the registry.
	RequestID string `json:"request_id,omitempty"`
	// CreateSvTRID is the registry's transaction ID of the create that
	// answered.
	CreateSvTRID string `json:"create_svtrid,omitempty"`
	// NameserversSet are the name servers the registry took after the
	// create (the request's or the extension's defaults), recorded on the
	// registration when it succeeds.
	NameserversSet []string `json:"nameservers_set,omitempty"`
	// Retries counts consecutive attempts while blocked, for backoff.
	Retries      int        `json:"retries,omitempty"`
	BlockedSince *time.Time `json:"blocked_since,omitempty"`
	// Price quoted when the workflow started, charged on success.
	PriceCents int64  `json:"price_cents"`
	Currency   string `json:"currency"`
}

// consent is one acknowledgement the registrant gave with a registration
// request: the registrar's record that it collected the consent a
// registry's policy asks for (docs/API.md, "Acknowledgements").
type consent struct {
	Name string `json:"name"` // the acknowledgement's member name: hsts_preload
	// Text is the acknowledgement's description the registrant was shown
	// (the catalog's, when the request was accepted).
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// upgrade moves the contacts of data stored by earlier releases into
// the request.
func (d *registrationData) upgrade() {
	for _, m := range []struct{ from, to **registrar.Contact }{
		{&d.LegacyRegistrant, &d.Contacts.Registrant}, {&d.LegacyAdministrator, &d.Contacts.Administrator},
		{&d.LegacyTechnical, &d.Contacts.Technical}, {&d.LegacyBilling, &d.Contacts.Billing},
	} {
		if *m.from != nil && *m.to == nil {
			*m.to = *m.from
		}
		*m.from = nil
	}
}

// transition is what a step decided: the workflow's new state is already
// set on the workflow; apply makes the writes that go with it; next names
// the step to run after delay ("" for none).
type transition struct {
	apply func(ctx context.Context, tx *store.Tx) error
	next  string
	delay time.Duration
	// preparedCreate marks a transition that stores the create attempt
	// its next step sends.
	preparedCreate bool
}

// commit stores a transition: the workflow's new state, the side writes,
// the next step's job and the completion of the current job (when a job
// made the transition), all in one transaction. It reports false when
// someone else changed the workflow first; the transition is then dropped.
func (e *Engine) commit(ctx context.Context, job *river.Job[stepArgs], wf *registrar.Workflow, t transition) (bool, error) {
	// A decided transition is stored even when the step's time is up (a
	// registry call that timed out is exactly such a decision).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	wf.UpdatedAt = e.clock(wf.Env).Now()
	awaits := wf.State == registrar.StateBlocked && wf.RegistryTRID != ""
	if wf.State == registrar.StateBlocked && !awaits && t.next != "" && t.delay > 0 {
		// The API tells pollers to come back when the retry runs.
		setNextAttempt(wf, wf.UpdatedAt.Add(t.delay))
	}
	err := e.DB.InTx(ctx, func(tx *store.Tx) error {
		if t.apply != nil {
			if err := t.apply(ctx, tx); err != nil {
				return err
			}
		}
		if err := tx.SaveWorkflow(ctx, wf); err != nil {
			return err
		}
		if t.next != "" {
			if err := e.jobs.insert(ctx, tx, stepArgs{WorkflowID: wf.ID, Step: t.next}, scheduleAfter(t.delay)); err != nil {
				return err
			}
		}
		if awaits {
			// The registry's answer comes as a poll message: poll now
			// and, while a workflow waits, every PollInterval.
			if err := e.jobs.insert(ctx, tx, pollArgs{}, nil); err != nil {
				return err
			}
		}
		if job != nil {
			return e.jobs.complete(ctx, tx, job)
		}
		return nil
	})
	if registrar.IsKind(err, registrar.KindConflict) {
		e.Logger.Info("workflow changed concurrently; dropping this transition", "workflow_id", wf.ID, "step", wf.Step)
		return false, nil
	}
	if err == nil && (t.next != "" && t.delay <= 0 || awaits) {
		e.jobs.wake(ctx)
	}
	if err == nil {
		e.Logger.DebugContext(ctx, "workflow transition", "workflow_id", wf.ID, "state", wf.State, "step", wf.Step, "next", t.next, "delay", t.delay)
	}
	return err == nil, err
}

// setContext stores c as the workflow's public context.
func setContext(wf *registrar.Workflow, c registrar.StatusContext) {
	c.DomainName = wf.Domain
	wf.Context = mustJSON(c)
}

// setNextAttempt records in a blocked workflow's context when its next
// attempt runs (next_attempt_at), keeping the rest of the context as the
// step set it.
func setNextAttempt(wf *registrar.Workflow, at time.Time) {
	var c map[string]json.RawMessage
	if err := json.Unmarshal(wf.Context, &c); err != nil || c == nil {
		return // a step always sets an object; nothing to add to otherwise
	}
	c["next_attempt_at"] = mustJSON(at.UTC())
	wf.Context = mustJSON(c)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own plain structs are marshalled here
	}
	return b
}

// backoff returns the delay before retry n (1-based): exponential from min,
// capped at max, with jitter so that many blocked workflows do not retry in
// step.
func backoff(n int, min, max time.Duration) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (0.75 + rand.Float64()/2))
	if d > max {
		d = max
	}
	return d
}

// commitTimeout bounds storing one transition.
const commitTimeout = 10 * time.Second

// scheduleAfter returns insert options that run a job after d. A zero d
// leaves the job available at once: a ScheduledAt of "now" would make it a
// scheduled job, which River only promotes every few seconds.
func scheduleAfter(d time.Duration) *river.InsertOpts {
	if d <= 0 {
		return nil
	}
	return &river.InsertOpts{ScheduledAt: riverAfter(d)}
}
