package registrar

import (
	"reflect"
	"testing"
)

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"ada@example.com", "a***@example.com"},
		{"a@example.com", "a***@example.com"},
		{"verify.ada@example.com", "v***@example.com"},
		{"émile@exemple.fr", "é***@exemple.fr"},
		{"we\"ird@x@example.com", "w***@example.com"},
		{"@example.com", "***@example.com"},
		{"not-an-address", "***"},
		{"", "***"},
	} {
		if got := MaskEmail(c.in); got != c.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBlocked(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		by, reason, detail string
	}{
		{BlockedByRegistry, "the registry is unreachable; retrying", "The registry is unreachable; retrying."},
		{BlockedByRegistry, "the registry is reviewing the registration", "The registry is reviewing the registration."},
		{BlockedByLosingRegistrar, "Awaiting the losing registrar.", "Awaiting the losing registrar."},
	} {
		got := Blocked(c.by, c.reason)
		want := StatusContext{BlockedBy: c.by, Detail: c.detail, WaitingOn: c.by, BlockedReason: c.reason}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Blocked(%q, %q) = %+v, want %+v", c.by, c.reason, got, want)
		}
	}
}
