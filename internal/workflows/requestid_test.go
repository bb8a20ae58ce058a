package workflows

import (
	"strings"
	"testing"
)

func TestClTRIDWithRequest(t *testing.T) {
	t.Parallel()
	base := "OR-0123456789abcdef-1"
	for _, c := range []struct {
		name, requestID, want string
	}{
		{"none", "", base},
		{"short", "req-1", base + "-req-1"},
		{"longest API ID", strings.Repeat("a", 40), base + "-" + strings.Repeat("a", 40)},
		{"cut to 64", strings.Repeat("b", 60), base + "-" + strings.Repeat("b", 64-len(base)-1)},
	} {
		got := clTRIDWithRequest(base, c.requestID)
		if got != c.want || len(got) > 64 {
			t.Errorf("%s: clTRIDWithRequest(%q, %q) = %q (%d), want %q", c.name, base, c.requestID, got, len(got), c.want)
		}
	}
}
