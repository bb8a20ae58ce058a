package workflows

// Signed webhooks (issue 16): the endpoints' management (registrar.Webhooks),
// the dispatcher that turns events into deliveries, and the delivery job.
//
// The dispatcher reads the event feed from a cursor kept in the database
// and, in ONE transaction, records a delivery row and queues its job for
// every enabled endpoint an event goes to, and advances the cursor: a crash
// before the commit loses nothing (the events are read again), a crash
// after it loses nothing either (the jobs are in the database), and the
// cursor's conditional advance plus the deliveries' unique key keep a
// second dispatcher from queueing anything twice.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/webhooks"
)

// Defaults of the webhook settings of [Config].
const (
	// WebhookDisableAfterDefault is how long an endpoint may fail every
	// delivery before it is disabled.
	WebhookDisableAfterDefault = 5 * 24 * time.Hour
	// WebhookTimeoutDefault bounds one delivery.
	WebhookTimeoutDefault = webhooks.TimeoutDefault
	// WebhookOverlapDefault is how long a rotated secret keeps signing.
	WebhookOverlapDefault = 24 * time.Hour
	// WebhookDispatchIntervalDefault is how often the dispatcher looks for
	// new events.
	WebhookDispatchIntervalDefault = time.Second
	// webhookRetryBaseDefault is the first retry's delay: with
	// webhookMaxAttempts and webhookRetryCap, retries span about three
	// days (5s, 20s, 80s, 5m, 21m, 85m, 5.7h, then every 8h).
	webhookRetryBaseDefault = 5 * time.Second
	webhookRetryCap         = 8 * time.Hour
	webhookMaxAttempts      = 16
	// maxWebhooks bounds an account's endpoints per environment.
	maxWebhooks = 20
	// webhookBatch is how many events one dispatcher transaction reads.
	webhookBatch = 100
)

// webhookBackoff is the delay before retry n (1: after the first
// failure): exponential, capped, with ±20% jitter so that an endpoint's
// deliveries spread out instead of arriving in a herd.
func webhookBackoff(n int, base time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < webhookRetryCap; i++ {
		d *= 4
	}
	d = min(d, webhookRetryCap)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// webhookArgs is the job that delivers one event to one endpoint.
type webhookArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

func (webhookArgs) Kind() string { return "webhook_delivery" }

func (webhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: webhookMaxAttempts}
}

type webhookWorker struct {
	river.WorkerDefaults[webhookArgs]
	e *Engine
}

// NextRetry spaces the attempts of a delivery over about three days.
func (w *webhookWorker) NextRetry(job *river.Job[webhookArgs]) time.Time {
	return riverAfter(webhookBackoff(job.Attempt, w.e.cfg.webhookRetryBase))
}

// webhookJobMargin is a delivery job's time beyond the delivery's own
// limit: two short transactions.
const webhookJobMargin = 5 * time.Second

// Timeout leaves room for the delivery's own limit.
func (w *webhookWorker) Timeout(*river.Job[webhookArgs]) time.Duration {
	return w.e.cfg.WebhookTimeout + webhookJobMargin
}

// dispatchArgs is the dispatcher's job: periodic on the leader, unique
// while queued or running, and queued at once by TestWebhook.
type dispatchArgs struct{}

func (dispatchArgs) Kind() string { return "webhook_dispatch" }

func (dispatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

type dispatchWorker struct {
	river.WorkerDefaults[dispatchArgs]
	e *Engine
}

func (w *dispatchWorker) Work(ctx context.Context, _ *river.Job[dispatchArgs]) error {
	return w.e.dispatchWebhooks(ctx)
}

// dispatchWebhooks hands out every event past the cursor.
func (e *Engine) dispatchWebhooks(ctx context.Context) error {
	for {
		n, err := e.dispatchBatch(ctx)
		if err != nil || n < webhookBatch {
			return err
		}
	}
}

// errCursorMoved rolls back a batch another dispatcher handed out first.
var errCursorMoved = errors.New("the webhook cursor moved")

// dispatchBatch hands out up to webhookBatch events and reports how many
// it read.
func (e *Engine) dispatchBatch(ctx context.Context) (int, error) {
	from, err := e.DB.WebhookCursor(ctx)
	if err != nil {
		return 0, err
	}
	events, err := e.DB.EventsAfter(ctx, from, webhookBatch)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	queued := 0
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		queued = 0
		type scope struct {
			account string
			env     registrar.Env
		}
		endpoints := map[scope][]registrar.WebhookEndpoint{}
		now := time.Now()
		for i := range events {
			ev := &events[i]
			k := scope{ev.AccountID, ev.Env}
			eps, ok := endpoints[k]
			if !ok {
				if eps, err = tx.EnabledWebhooks(ctx, ev.AccountID, ev.Env); err != nil {
					return err
				}
				endpoints[k] = eps
			}
			target := testEndpoint(ev)
			for j := range eps {
				if !eps[j].Wants(ev, target) {
					continue
				}
				id, ok, err := tx.InsertWebhookDelivery(ctx, eps[j].ID, ev, now)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if err := e.jobs.insert(ctx, tx, webhookArgs{DeliveryID: id}, nil); err != nil {
					return err
				}
				queued++
			}
		}
		moved, err := tx.AdvanceWebhookCursor(ctx, from, events[len(events)-1].ID)
		if err == nil && !moved {
			return errCursorMoved
		}
		return err
	})
	if errors.Is(err, errCursorMoved) {
		return 0, nil
	}
	if err == nil && queued > 0 {
		e.jobs.wake(ctx)
	}
	return len(events), err
}

// testData is the data of a webhook.test event.
type testData struct {
	EndpointID string `json:"endpoint_id"`
	Message    string `json:"message"`
}

// testEndpoint returns the endpoint a webhook.test event is for.
func testEndpoint(ev *registrar.Event) string {
	if ev.Type != registrar.EventWebhookTest {
		return ""
	}
	var d testData
	json.Unmarshal(ev.Data, &d)
	return d.EndpointID
}

// webhookPayload is the body of a delivery, in Standard Webhooks' shape.
type webhookPayload struct {
	Type      string       `json:"type"`
	Timestamp time.Time    `json:"timestamp"`
	Data      webhookEvent `json:"data"`
}

// webhookEvent is the event a delivery carries.
type webhookEvent struct {
	ID          int64           `json:"id"`
	Type        string          `json:"type"`
	AccountID   string          `json:"account_id"`
	Environment registrar.Env   `json:"environment"`
	Domain      string          `json:"domain_name,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	Data        json.RawMessage `json:"data"`
}

// WebhookMessageID is the webhook-id of an event's deliveries: the same
// on every attempt and to every endpoint, so that a receiver can drop a
// repeat.
func WebhookMessageID(eventID int64) string { return "evt_" + strconv.FormatInt(eventID, 10) }

// Work delivers one event to one endpoint and logs the attempt. A failure
// returns an error, and River retries on NextRetry's schedule; an endpoint
// failing for WebhookDisableAfter is disabled (an event, and mail to the
// account), which ends its deliveries.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[webhookArgs]) error {
	e := w.e
	var d store.WebhookDelivery
	var ep registrar.WebhookEndpoint
	err := e.DB.InTx(ctx, func(tx *store.Tx) (err error) {
		if d, err = tx.WebhookDelivery(ctx, job.Args.DeliveryID, ""); err != nil {
			return err
		}
		ep, err = tx.WebhookByID(ctx, d.EndpointID)
		return err
	})
	if registrar.IsKind(err, registrar.KindNotFound) {
		return river.JobCancel(err) // the endpoint was deleted
	} else if err != nil {
		return err
	}
	if !ep.Enabled {
		return river.JobCancel(fmt.Errorf("webhook %s is disabled", ep.ID))
	}
	evs, err := e.DB.EventsAfter(ctx, d.EventID-1, 1)
	if err != nil {
		return err
	}
	if len(evs) == 0 || evs[0].ID != d.EventID {
		return river.JobCancel(fmt.Errorf("event %d is no longer kept", d.EventID))
	}
	ev := evs[0]
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	body, err := json.Marshal(webhookPayload{Type: ev.Type, Timestamp: ev.CreatedAt, Data: webhookEvent{
		ID: ev.ID, Type: ev.Type, AccountID: ev.AccountID, Environment: ev.Env, Domain: ev.Domain, CreatedAt: ev.CreatedAt, Data: data}})
	if err != nil {
		return err
	}

	// Receivers check webhook-timestamp against their own clock: it is the
	// wall clock's, never an environment's shifted business clock.
	now := time.Now()
	res, sendErr := e.hooks.Deliver(ctx, webhooks.Message{URL: ep.URL, ID: WebhookMessageID(ev.ID), Timestamp: now, Body: body, Secrets: ep.Secrets(now)})
	a := registrar.WebhookAttempt{DeliveryID: d.ID, StatusCode: res.StatusCode, Latency: res.Latency, At: now}
	switch {
	case sendErr != nil:
		a.Error = sendErr.Error()
	case !res.OK():
		a.Error = "the receiver answered " + strconv.Itoa(res.StatusCode)
	}
	disabled := false
	err = e.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RecordWebhookAttempt(ctx, &a); err != nil {
			return err
		}
		cur, err := tx.WebhookByID(ctx, ep.ID)
		if err != nil {
			return err
		}
		switch {
		case a.Error == "" && cur.FailingSince.IsZero():
			return nil
		case a.Error == "":
			cur.FailingSince = time.Time{}
		case cur.FailingSince.IsZero():
			cur.FailingSince = now
		case cur.Enabled && now.Sub(cur.FailingSince) >= e.cfg.WebhookDisableAfter:
			cur.Enabled, disabled = false, true
			if err := e.recordDisabled(ctx, tx, &cur, now); err != nil {
				return err
			}
		default:
			return nil
		}
		cur.UpdatedAt = now
		return tx.UpdateWebhook(ctx, &cur)
	})
	if err != nil {
		return err
	}
	switch {
	case disabled:
		e.Observer.WebhookDelivery("disabled")
	case a.Error != "":
		e.Observer.WebhookDelivery("failed")
	default:
		e.Observer.WebhookDelivery("delivered")
	}
	if disabled {
		e.Logger.Warn("webhook endpoint disabled", "webhook", ep.ID, "account", ep.AccountID, "env", ep.Env)
		e.jobs.wake(ctx)
		return river.JobCancel(fmt.Errorf("webhook %s disabled: %s", ep.ID, a.Error))
	}
	if a.Error != "" {
		return errors.New(a.Error)
	}
	return nil
}

// recordDisabled writes the webhook.endpoint_disabled event and the mail
// that tell the account its endpoint was turned off.
func (e *Engine) recordDisabled(ctx context.Context, tx *store.Tx, ep *registrar.WebhookEndpoint, now time.Time) error {
	data, err := json.Marshal(viewOf(ep))
	if err != nil {
		return err
	}
	if err := tx.InsertEvent(ctx, &registrar.Event{AccountID: ep.AccountID, Env: ep.Env, Type: registrar.EventWebhookDisabled,
		CreatedAt: e.clock(ep.Env).Now(), Data: data}); err != nil {
		return err
	}
	acct, err := tx.Account(ctx, ep.AccountID)
	if err != nil || acct.DefaultContact == nil || acct.DefaultContact.Email == "" {
		return err
	}
	return e.queueMail(ctx, tx, "", registrar.Message{
		To:      acct.DefaultContact.Email,
		Subject: "Webhook endpoint disabled: " + ep.URL,
		Body: fmt.Sprintf("Hello,\n\nEvery delivery to your webhook endpoint %s (%s) has failed since %s, so it was disabled.\n\n"+
			"Fix the receiver, then enable it again (PATCH /client/v4/accounts/%s/%s/webhooks/%s with {\"enabled\": true}); "+
			"its delivery log (GET .../webhooks/%s/deliveries) shows what went wrong.\n",
			ep.URL, ep.ID, ep.FailingSince.Format(time.RFC1123), ep.AccountID, envSegment(ep.Env), ep.ID, ep.ID),
	})
}

// webhookView is an endpoint as a webhook.endpoint_disabled event shows
// it: never its secret.
type webhookView struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
}

func viewOf(ep *registrar.WebhookEndpoint) webhookView {
	types := ep.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookView{ID: ep.ID, URL: ep.URL, EventTypes: types, Description: ep.Description, Enabled: ep.Enabled}
}
