package httpapi

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/openregistrar/registrar/internal/jsonstrict"
	"github.com/openregistrar/registrar/internal/registrar"
)

// Signed webhooks (issue 16, ours): an account's endpoints per
// environment, their secrets and delivery logs.

func (s *Server) webhookRoutes(env registrar.Env, base string) {
	read, write := registrar.ScopeRead, registrar.ScopeWrite
	s.handle(base+"/webhooks", map[string]http.HandlerFunc{
		"GET":  s.api(env, read, s.handleWebhookList),
		"POST": s.api(env, write, s.handleWebhookCreate),
	})
	s.handle(base+"/webhooks/{id}", map[string]http.HandlerFunc{
		"GET":    s.api(env, read, s.handleWebhookGet),
		"PATCH":  s.api(env, write, s.handleWebhookEdit),
		"DELETE": s.api(env, write, s.handleWebhookDelete),
	})
	s.handle(base+"/webhooks/{id}/rotate", map[string]http.HandlerFunc{"POST": s.api(env, write, s.handleWebhookRotate)})
	s.handle(base+"/webhooks/{id}/test", map[string]http.HandlerFunc{"POST": s.api(env, write, s.handleWebhookTest)})
	s.handle(base+"/webhooks/{id}/deliveries", map[string]http.HandlerFunc{"GET": s.api(env, read, s.handleWebhookDeliveries)})
	s.handle(base+"/webhooks/{id}/deliveries/{delivery}/redeliver", map[string]http.HandlerFunc{"POST": s.api(env, write, s.handleWebhookRedeliver)})
}

// webhookResult is an endpoint as the API shows it. Secret appears only
// in the answers of create and rotate; PreviousSecretExpires, during a
// rotation's overlap, says until when the previous secret signs too.
type webhookResult struct {
	ID                    string     `json:"id"`
	URL                   string     `json:"url"`
	EventTypes            []string   `json:"event_types"`
	Description           string     `json:"description"`
	Enabled               bool       `json:"enabled"`
	Secret                string     `json:"secret,omitempty"`
	PreviousSecretExpires *time.Time `json:"previous_secret_expires,omitempty"`
	FailingSince          *time.Time `json:"failing_since,omitempty"`
	CreatedOn             time.Time  `json:"created_on"`
	ModifiedOn            time.Time  `json:"modified_on"`
}

func webhookOf(w registrar.WebhookEndpoint, withSecret bool) webhookResult {
	r := webhookResult{ID: w.ID, URL: w.URL, EventTypes: w.EventTypes, Description: w.Description, Enabled: w.Enabled,
		CreatedOn: w.CreatedAt, ModifiedOn: w.UpdatedAt}
	if r.EventTypes == nil {
		r.EventTypes = []string{}
	}
	if withSecret {
		r.Secret = w.Secret
	}
	if w.OldSecret != "" && time.Now().Before(w.OldSecretExpires) {
		t := w.OldSecretExpires
		r.PreviousSecretExpires = &t
	}
	if !w.FailingSince.IsZero() {
		t := w.FailingSince
		r.FailingSince = &t
	}
	return r
}

// webhookBody is the body of POST .../webhooks; PATCH takes the same
// members, each optional.
type webhookBody struct {
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"event_types"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

func (s *Server) webhookBody(w http.ResponseWriter, r *request) (webhookBody, error) {
	var body webhookBody
	raw, err := s.readBody(w, r)
	if err != nil {
		return body, err
	}
	return body, jsonstrict.Decode(bytes.NewReader(raw), &body)
}

func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *request) error {
	body, err := s.webhookBody(w, r)
	if err != nil {
		return err
	}
	if body.URL == nil {
		return registrar.Invalid("httpapi.handleWebhookCreate", "/url", "url is required")
	}
	ep := registrar.WebhookEndpoint{URL: *body.URL, Enabled: true}
	if body.EventTypes != nil {
		ep.EventTypes = *body.EventTypes
	}
	if body.Description != nil {
		ep.Description = *body.Description
	}
	if body.Enabled != nil {
		ep.Enabled = *body.Enabled
	}
	ep, err = s.Webhooks.CreateWebhook(r.Context(), r.principal, r.env, ep)
	if err != nil {
		return err
	}
	writeResult(w, http.StatusCreated, webhookOf(ep, true))
	return nil
}

func (s *Server) handleWebhookList(w http.ResponseWriter, r *request) error {
	eps, err := s.Webhooks.Webhooks(r.Context(), r.principal, r.env)
	if err != nil {
		return err
	}
	out := make([]webhookResult, len(eps))
	for i, ep := range eps {
		out[i] = webhookOf(ep, false)
	}
	writeResult(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleWebhookGet(w http.ResponseWriter, r *request) error {
	ep, err := s.Webhooks.Webhook(r.Context(), r.principal, r.env, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, webhookOf(ep, false))
	return nil
}

func (s *Server) handleWebhookEdit(w http.ResponseWriter, r *request) error {
	body, err := s.webhookBody(w, r)
	if err != nil {
		return err
	}
	ep, err := s.Webhooks.UpdateWebhook(r.Context(), r.principal, r.env, r.PathValue("id"), registrar.WebhookChange{
		URL: body.URL, EventTypes: body.EventTypes, Description: body.Description, Enabled: body.Enabled})
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, webhookOf(ep, false))
	return nil
}

func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *request) error {
	id := r.PathValue("id")
	if err := s.Webhooks.DeleteWebhook(r.Context(), r.principal, r.env, id); err != nil {
		return err
	}
	writeResult(w, http.StatusOK, struct {
		ID string `json:"id"`
	}{id})
	return nil
}

// rotateResult is the answer of rotate: the new secret, and until when
// the previous one signs too.
type rotateResult struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Expires time.Time `json:"expires"`
}

func (s *Server) handleWebhookRotate(w http.ResponseWriter, r *request) error {
	ep, err := s.Webhooks.RotateWebhookSecret(r.Context(), r.principal, r.env, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeResult(w, http.StatusOK, rotateResult{ID: ep.ID, Secret: ep.Secret, Expires: ep.OldSecretExpires})
	return nil
}

// testResult names the webhook.test event queued for the endpoint; its
// delivery shows in the endpoint's log under this event ID.
type testResult struct {
	EventID int64     `json:"event_id"`
	Type    string    `json:"type"`
	Created time.Time `json:"created_on"`
}

func (s *Server) handleWebhookTest(w http.ResponseWriter, r *request) error {
	ev, err := s.Webhooks.TestWebhook(r.Context(), r.principal, r.env, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeResult(w, http.StatusAccepted, testResult{EventID: ev.ID, Type: ev.Type, Created: ev.CreatedAt})
	return nil
}

// attemptResult is an entry of an endpoint's delivery log.
type attemptResult struct {
	DeliveryID int64     `json:"delivery_id"`
	EventID    int64     `json:"event_id"`
	EventType  string    `json:"event_type"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code"`
	LatencyMS  int64     `json:"latency_ms"`
	Error      string    `json:"error"`
	At         time.Time `json:"at"`
}

// maxAttemptsListed bounds a delivery log's page.
const maxAttemptsListed = 100

func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, r *request) error {
	as, err := s.Webhooks.WebhookAttempts(r.Context(), r.principal, r.env, r.PathValue("id"), maxAttemptsListed)
	if err != nil {
		return err
	}
	out := make([]attemptResult, len(as))
	for i, a := range as {
		out[i] = attemptResult{DeliveryID: a.DeliveryID, EventID: a.EventID, EventType: a.EventType, Attempt: a.Attempt,
			StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(), Error: a.Error, At: a.At}
	}
	writeResult(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleWebhookRedeliver(w http.ResponseWriter, r *request) error {
	d, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil || d <= 0 {
		return registrar.Errorf(registrar.KindNotFound, "httpapi.handleWebhookRedeliver", "delivery %q not found", r.PathValue("delivery"))
	}
	if err := s.Webhooks.Redeliver(r.Context(), r.principal, r.env, r.PathValue("id"), d); err != nil {
		return err
	}
	writeResult(w, http.StatusAccepted, struct {
		DeliveryID int64 `json:"delivery_id"`
	}{d})
	return nil
}
