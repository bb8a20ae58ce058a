package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// workflowStatus is the API's WorkflowStatus object. encoding/json writes
// it: a hand-written encoder was ten times faster per call but made no
// measurable difference to status reads (docs/BENCHMARKS.md).
type workflowStatus struct {
	Completed bool            `json:"completed"`
	State     registrar.State `json:"state"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Links     statusLinks     `json:"links"`
	Context   json.RawMessage `json:"context"`
	Error     *statusError    `json:"error"`
	// AuthCode is ours: the new auth code (base64, RFC 4648 §4) in the
	// one answer of POST .../auth-code whose workflow succeeded within
	// it. Nothing stores it to show it again.
	AuthCode string `json:"auth_code,omitempty"`
}

type statusLinks struct {
	Self     string `json:"self"`
	Resource string `json:"resource"`
}

type statusError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusLinksOf returns a workflow's links, relative to the API's base URL
// as Cloudflare's are.
func statusLinksOf(wf *registrar.Workflow) statusLinks {
	resource := "/accounts/" + wf.AccountID + "/" + envPaths[wf.Env] + "/registrations/" + url.PathEscape(wf.Domain)
	switch wf.Kind {
	case registrar.WorkflowUpdate:
		return statusLinks{Self: resource + "/update-status", Resource: resource}
	case registrar.WorkflowTransferIn:
		return statusLinks{Self: resource + "/transfer-in-status", Resource: resource}
	case registrar.WorkflowTransferOut:
		return statusLinks{Self: resource + "/transfer-out-status", Resource: resource}
	case registrar.WorkflowRenewal:
		return statusLinks{Self: resource + "/renewal-status", Resource: resource}
	case registrar.WorkflowRestore:
		return statusLinks{Self: resource + "/restore-status", Resource: resource}
	}
	return statusLinks{Self: resource + "/registration-status", Resource: resource}
}

// status renders a workflow as the API's WorkflowStatus.
func status(wf *registrar.Workflow) workflowStatus {
	st := workflowStatus{
		Completed: wf.Completed(), State: wf.State, CreatedAt: wf.CreatedAt, UpdatedAt: wf.UpdatedAt,
		Links: statusLinksOf(wf), Context: wf.Context,
	}
	if wf.State == registrar.StateFailed {
		st.Error = &statusError{Code: wf.ErrorCode, Message: wf.ErrorMessage}
	}
	return st
}

// writeStatus writes a workflow status in the success envelope.
func writeStatus(w http.ResponseWriter, code int, wf *registrar.Workflow) {
	writeResult(w, code, status(wf))
}
