package registrar

import (
	"strings"
	"testing"
)

// TestNewAuthCode: every code has the length registries bound pwType to
// and all four character classes, and codes do not repeat.
func TestNewAuthCode(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 2000 {
		c := NewAuthCode()
		if len(c) != AuthCodeLength {
			t.Fatalf("NewAuthCode() = %q, %d characters, want %d", c, len(c), AuthCodeLength)
		}
		for _, class := range []string{authUpper, authLower, authDigit, authSpecial} {
			if !strings.ContainsAny(c, class) {
				t.Fatalf("NewAuthCode() = %q, none of %q", c, class)
			}
		}
		if strings.Trim(c, authUpper+authLower+authDigit+authSpecial) != "" {
			t.Fatalf("NewAuthCode() = %q, a character outside the alphabets", c)
		}
		if seen[c] {
			t.Fatalf("NewAuthCode() = %q twice", c)
		}
		seen[c] = true
	}
}
