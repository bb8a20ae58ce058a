package daemon

import (
	"strings"
	"testing"
)

func TestValidateSQLiteSynchronous(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, wantErr string
	}{
		{"full", ""},
		{"normal", ""},
		{"off", "--sqlite-synchronous"},
		{"FULL", "--sqlite-synchronous"},
	} {
		c := DefaultConfig()
		c.SQLiteSynchronous = tc.value
		err := c.Validate()
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("Validate with --sqlite-synchronous %q = %v, want an error naming %q", tc.value, err, tc.wantErr)
		}
	}
	if got := DefaultConfig().SQLiteSynchronous; got != "full" {
		t.Errorf("default --sqlite-synchronous = %q, want full", got)
	}
}
