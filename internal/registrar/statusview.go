package registrar

import (
	"encoding/json"
	"net/url"
	"time"
)

// WorkflowStatus is the API's WorkflowStatus object: the `result` of a
// status endpoint, and the data of a workflow.state_changed event.
// StatusView is its one rendering, so that the event feed and the API can
// never differ.
type WorkflowStatus struct {
	Completed bool            `json:"completed"`
	State     State           `json:"state"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Links     StatusLinks     `json:"links"`
	Context   json.RawMessage `json:"context"`
	Error     *StatusError    `json:"error"`
	// AuthCode is ours: the new auth code (base64, RFC 4648 §4) in the
	// one answer of POST .../auth-code whose workflow succeeded within
	// it. Nothing stores it to show it again.
	AuthCode string `json:"auth_code,omitempty"`
}

// StatusLinks are a workflow status's links, relative to the API's base
// URL as Cloudflare's are.
type StatusLinks struct {
	Self     string `json:"self"`
	Resource string `json:"resource"`
}

// StatusError is the error of a failed workflow's status.
type StatusError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// PathSegment is the environment's segment of API paths: "registrar" or
// "registrar-sandbox".
func (e Env) PathSegment() string {
	if e == EnvSandbox {
		return "registrar-sandbox"
	}
	return "registrar"
}

// statusPath is the status endpoint of a workflow kind, under the
// registration's path.
func statusPath(k WorkflowKind) string {
	switch k {
	case WorkflowUpdate:
		return "/update-status"
	case WorkflowTransferIn:
		return "/transfer-in-status"
	case WorkflowTransferOut:
		return "/transfer-out-status"
	case WorkflowRenewal:
		return "/renewal-status"
	case WorkflowRestore:
		return "/restore-status"
	}
	return "/registration-status"
}

// StatusView renders a workflow as the API's WorkflowStatus.
func StatusView(wf *Workflow) WorkflowStatus {
	resource := "/accounts/" + wf.AccountID + "/" + wf.Env.PathSegment() + "/registrations/" + url.PathEscape(wf.Domain)
	st := WorkflowStatus{
		Completed: wf.Completed(), State: wf.State, CreatedAt: wf.CreatedAt, UpdatedAt: wf.UpdatedAt,
		Links: StatusLinks{Self: resource + statusPath(wf.Kind), Resource: resource}, Context: wf.Context,
	}
	if wf.State == StateFailed {
		st.Error = &StatusError{Code: wf.ErrorCode, Message: wf.ErrorMessage}
	}
	return st
}

// StatusJSON is StatusView as the JSON the API sends.
func StatusJSON(wf *Workflow) (json.RawMessage, error) {
	return json.Marshal(StatusView(wf))
}
