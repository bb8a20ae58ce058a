package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/client"
)

// webhooks: signed webhook endpoints (the server's extension; docs/API.md,
// issue 16).

// webhookTestWait bounds how long `webhooks test` waits for the test
// event's first delivery attempt.
const webhookTestWait = 30 * time.Second

func (e *cmdEnv) webhooksCreate(args []string) error {
	f := newFlags(e, "webhooks create URL", "Create a webhook endpoint: the account's events are POSTed to URL, signed (Standard Webhooks). The signing secret is shown once.",
		"registrar webhooks create https://hooks.example.com/registrar --events registration.status_changed,workflow.state_changed")
	events := f.string("events", "", "event types to deliver, comma-separated (default: every type)")
	desc := f.string("description", "", "a note for you")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return f.usageError("webhooks create takes one URL")
	}
	req := client.WebhookRequest{URL: &pos[0], Description: desc}
	if *events != "" {
		types := strings.Split(*events, ",")
		for i := range types {
			types[i] = strings.TrimSpace(types[i])
		}
		req.EventTypes = &types
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	w, err := c.CreateWebhook(e.ctx, req)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, w)
	}
	if err := printWebhook(e, w); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nSigning secret (shown only now; keep it with your receiver):\n%s\n", w.Secret)
	return nil
}

func printWebhook(e *cmdEnv, w *client.Webhook) error {
	types := "all"
	if len(w.EventTypes) > 0 {
		types = strings.Join(w.EventTypes, ", ")
	}
	return rows{e.stdout}.print("id", w.ID, "url", w.URL, "events", types, "description", w.Description, "enabled", strconv.FormatBool(w.Enabled))
}

func (e *cmdEnv) webhooksList(args []string) error {
	f := newFlags(e, "webhooks list", "List the webhook endpoints.", "registrar webhooks list")
	api := apiFlags(f)
	if _, err := f.parseArgs(args); err != nil {
		return err
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	ws, err := c.Webhooks(e.ctx)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, ws)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "ID\tURL\tEVENTS\tENABLED\tDESCRIPTION")
	for _, w := range ws {
		types := "all"
		if len(w.EventTypes) > 0 {
			types = strings.Join(w.EventTypes, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\n", w.ID, w.URL, types, w.Enabled, w.Description)
	}
	return tw.Flush()
}

// webhookID parses the one ID argument of a webhooks subcommand.
func (e *cmdEnv) webhookID(name, summary, example string, args []string) (*client.Client, *apiOpts, string, error) {
	f := newFlags(e, "webhooks "+name+" ID", summary, example)
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return nil, nil, "", err
	}
	if len(pos) != 1 {
		return nil, nil, "", f.usageError("webhooks %s takes one webhook ID", name)
	}
	c, _, err := api.client()
	return c, api, pos[0], err
}

func (e *cmdEnv) webhooksDelete(args []string) error {
	c, _, id, err := e.webhookID("delete", "Delete a webhook endpoint and its delivery log.", "registrar webhooks delete 0c1f...", args)
	if err != nil {
		return err
	}
	if err := c.DeleteWebhook(e.ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted webhook %s\n", id)
	return nil
}

func (e *cmdEnv) webhooksRotate(args []string) error {
	c, api, id, err := e.webhookID("rotate", "Make a new signing secret; the previous one keeps signing deliveries until the time shown.",
		"registrar webhooks rotate 0c1f...", args)
	if err != nil {
		return err
	}
	s, err := c.RotateWebhookSecret(e.ctx, id)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, s)
	}
	fmt.Fprintf(e.stdout, "New signing secret (shown only now):\n%s\nThe previous secret signs too until %s.\n", s.Secret, s.Expires.Format(time.RFC3339))
	return nil
}

func (e *cmdEnv) webhooksTest(args []string) error {
	c, api, id, err := e.webhookID("test", "Send a webhook.test event to the endpoint and show its delivery.", "registrar webhooks test 0c1f...", args)
	if err != nil {
		return err
	}
	t, err := c.TestWebhook(e.ctx, id)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(webhookTestWait)
	for {
		as, err := c.WebhookDeliveries(e.ctx, id)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.EventID != t.EventID {
				continue
			}
			if api.json() {
				return writeJSON(e.stdout, a)
			}
			result := "delivered"
			if a.Error != "" {
				result = "failed: " + a.Error + " (retried with backoff; see the delivery log)"
			}
			return rows{e.stdout}.print("event", strconv.FormatInt(a.EventID, 10), "delivery", strconv.FormatInt(a.DeliveryID, 10),
				"attempt", strconv.Itoa(a.Attempt), "status", strconv.Itoa(a.StatusCode), "latency", strconv.FormatInt(a.LatencyMS, 10)+" ms", "result", result)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("event %d was queued, but no delivery attempt showed within %s: see registrar webhooks deliveries %s", t.EventID, webhookTestWait, id)
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (e *cmdEnv) webhooksDeliveries(args []string) error {
	c, api, id, err := e.webhookID("deliveries", "Show an endpoint's delivery log, newest first.", "registrar webhooks deliveries 0c1f...", args)
	if err != nil {
		return err
	}
	as, err := c.WebhookDeliveries(e.ctx, id)
	if err != nil {
		return err
	}
	if api.json() {
		return writeJSON(e.stdout, as)
	}
	tw := table(e.stdout)
	fmt.Fprintln(tw, "AT\tDELIVERY\tEVENT\tTYPE\tATTEMPT\tSTATUS\tLATENCY\tERROR")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d ms\t%s\n", a.At.Format(time.RFC3339), a.DeliveryID, a.EventID, a.EventType, a.Attempt, a.StatusCode, a.LatencyMS, a.Error)
	}
	return tw.Flush()
}

func (e *cmdEnv) webhooksRedeliver(args []string) error {
	f := newFlags(e, "webhooks redeliver ID DELIVERY", "Send one delivery again; its attempts continue the delivery log.",
		"registrar webhooks redeliver 0c1f... 7")
	api := apiFlags(f)
	pos, err := f.parseArgs(args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return f.usageError("webhooks redeliver takes a webhook ID and a delivery ID (the DELIVERY column of `registrar webhooks deliveries ID`)")
	}
	delivery, err := strconv.ParseInt(pos[1], 10, 64)
	if err != nil || delivery < 1 {
		return f.usageError("webhooks redeliver: delivery ID %q is not a whole number; see the DELIVERY column of `registrar webhooks deliveries %s`", pos[1], pos[0])
	}
	c, _, err := api.client()
	if err != nil {
		return err
	}
	if err := c.Redeliver(e.ctx, pos[0], delivery); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "delivery %d of webhook %s queued again: see registrar webhooks deliveries %s\n", delivery, pos[0], pos[0])
	return nil
}
