package eppregistry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
)

// failing answers every command with one error.
type failing struct{ err error }

func (f failing) Do(context.Context, *epp.Command) (*epp.Response, error) { return nil, f.err }

// TestResultCodesToKinds checks the table from EPP result codes (and
// transport failures) to error kinds, through a real command.
func TestResultCodesToKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err     error
		kind    registrar.Kind
		message string
	}{
		{&epp.Error{Code: 2302, Msg: "Object exists"}, registrar.KindConflict, "2302 Object exists"},
		{&epp.Error{Code: 2303, Msg: "Object does not exist"}, registrar.KindNotFound, "2303"},
		{&epp.Error{Code: 2306, Msg: "Parameter value policy error", Reason: "name reserved"}, registrar.KindRejected, "2306 Parameter value policy error: name reserved"},
		{&epp.Error{Code: 2004, Msg: "Parameter value range error"}, registrar.KindRejected, "2004"},
		{&epp.Error{Code: 2005, Msg: "Parameter value syntax error"}, registrar.KindRejected, "2005"},
		{&epp.Error{Code: 2003, Msg: "Required parameter missing"}, registrar.KindRejected, "2003"},
		{&epp.Error{Code: 2104, Msg: "Billing failure"}, registrar.KindRejected, "2104"},
		{&epp.Error{Code: 2305, Msg: "Object association prohibits operation"}, registrar.KindConflict, "2305"},
		{&epp.Error{Code: 2400, Msg: "Command failed"}, registrar.KindUnavailable, "2400"},
		{&epp.Error{Code: 2500, Msg: "Command failed; server closing connection"}, registrar.KindUnavailable, "2500"},
		{&epp.Error{Code: 2502, Msg: "Session limit exceeded; server closing connection"}, registrar.KindUnavailable, "2502"},
		{&epp.Error{Code: 2200, Msg: "Authentication error"}, registrar.KindInternal, "2200"},
		{&epp.Error{Code: 2201, Msg: "Authorization error"}, registrar.KindInternal, "2201"},
		{&epp.Error{Code: 2501, Msg: "Authentication error; server closing connection"}, registrar.KindInternal, "2501"},
		{&epp.TransportError{Op: "read", Err: errors.New("connection reset"), Sent: true}, registrar.KindUnavailable, "outcome is unknown"},
		{&epp.TransportError{Op: "connect", Err: errors.New("connection refused")}, registrar.KindUnavailable, "unreachable"},
		{&epp.TransportError{Op: "connect", Err: &epp.LoginError{Code: 2200, Msg: "Authentication error"}}, registrar.KindInternal, "login refused: 2200"},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), registrar.KindUnavailable, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			r := eppregistry.New("test", failing{tt.err}, "openregistrar", nil)
			_, err := r.Info(context.Background(), "example.com")
			e := registrar.AsError(err)
			if e == nil || e.Kind != tt.kind || !strings.Contains(e.Message, tt.message) {
				t.Errorf("Info with %v = %v, want kind %v with %q", tt.err, err, tt.kind, tt.message)
			}
		})
	}
}

// TestDeleteKinds checks the table's column for commands only the
// sponsor may send: 2201 means the domain is not ours (any more).
func TestDeleteKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		kind registrar.Kind
	}{
		{&epp.Error{Code: 2201, Msg: "Authorization error"}, registrar.KindForbidden},
		{&epp.Error{Code: 2304, Msg: "Object status prohibits operation", Reason: "clientDeleteProhibited"}, registrar.KindRejected},
		{&epp.Error{Code: 2303, Msg: "Object does not exist"}, registrar.KindNotFound},
	}
	for _, tt := range tests {
		r := eppregistry.New("test", failing{tt.err}, "openregistrar", nil)
		err := r.Delete(context.Background(), "example.com", "DEL-1")
		if e := registrar.AsError(err); e == nil || e.Kind != tt.kind {
			t.Errorf("Delete with %v = %v, want kind %v", tt.err, err, tt.kind)
		}
	}
}
