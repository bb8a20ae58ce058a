package registrar

import (
	"encoding/json"
	"time"
)

// Event is an entry of an account's event feed (GET .../registrar/events,
// ours): something that happened to one of its resources, written in the
// same transaction as the change it describes, so that none is lost or
// invented. IDs grow in commit order: a reader resumes after the last ID
// it saw.
type Event struct {
	ID        int64
	AccountID string
	Env       Env
	Type      string
	// Domain is the domain the event is about.
	Domain    string
	CreatedAt time.Time
	// Data is the resource as the API renders it (a workflow status, a
	// registration), as JSON.
	Data json.RawMessage
}

// Event types (Event.Type), listed in docs/API.md.
const (
	// EventWorkflowChanged: a workflow was started or changed state
	// (Data: its status). One per change a status poller could see.
	EventWorkflowChanged = "workflow.state_changed"
	// EventRegistrationChanged: a registration's status changed (Data:
	// the registration).
	EventRegistrationChanged = "registration.status_changed"
	// EventReconciliationDrift: reconciliation found the registry and
	// our records disagreeing (Data: what differed).
	EventReconciliationDrift = "registration.drift_found"
	// EventTransferOutRequested: another registrar asked for one of the
	// account's domains (Data: the outbound transfer workflow's status).
	EventTransferOutRequested = "transfer_out.requested"
	// EventWebhookDisabled: a webhook endpoint failed every delivery for
	// its disable period and was turned off (Data: the endpoint).
	EventWebhookDisabled = "webhook.endpoint_disabled"
	// EventWebhookTest: sent by `registrar webhooks test` (Data: a note).
	EventWebhookTest = "webhook.test"
)
