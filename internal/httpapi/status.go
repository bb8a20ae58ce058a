package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// workflowStatus is the API's WorkflowStatus object. appendStatus writes
// the same JSON by hand for the hot path; TestAppendStatusMatchesJSON keeps
// the two equal.
type workflowStatus struct {
	Completed bool            `json:"completed"`
	State     registrar.State `json:"state"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Links     statusLinks     `json:"links"`
	Context   json.RawMessage `json:"context"`
	Error     *statusError    `json:"error"`
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
	if wf.Kind == registrar.WorkflowUpdate {
		return statusLinks{Self: resource + "/update-status", Resource: resource}
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
	b := make([]byte, 0, 512+len(wf.Context))
	b = append(b, `{"success":true,"errors":[],"messages":[],"result":`...)
	b = appendStatus(b, wf)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// appendStatus appends the WorkflowStatus JSON of wf. Every string it
// writes unescaped is ours and JSON-safe (IDs are hex, domains are ASCII
// letters, digits, dots and hyphens, states are constants); the context is
// JSON the engine stored; the error's strings are escaped.
func appendStatus(b []byte, wf *registrar.Workflow) []byte {
	links := statusLinksOf(wf)
	b = append(b, `{"completed":`...)
	b = strconv.AppendBool(b, wf.Completed())
	b = append(b, `,"state":"`...)
	b = append(b, wf.State...)
	b = append(b, `","created_at":"`...)
	b = wf.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","updated_at":"`...)
	b = wf.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","links":{"self":"`...)
	b = append(b, links.Self...)
	b = append(b, `","resource":"`...)
	b = append(b, links.Resource...)
	b = append(b, `"},"context":`...)
	if len(wf.Context) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, wf.Context...)
	}
	b = append(b, `,"error":`...)
	if wf.State == registrar.StateFailed {
		e, _ := json.Marshal(statusError{Code: wf.ErrorCode, Message: wf.ErrorMessage})
		b = append(b, e...)
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}
