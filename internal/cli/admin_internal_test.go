package cli

import "testing"

// TestMailLink: the link of a mail's body, the one "outbox list" and
// "outbox show" print.
func TestMailLink(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"verification", "Hello Ada,\n\nPlease open this link:\n\nhttp://127.0.0.1:8080/verify-email/abc-DEF_1\n\nThe link expires.", "http://127.0.0.1:8080/verify-email/abc-DEF_1"},
		{"https, ending a sentence", "Open https://registrar.example/verify-email/x.", "https://registrar.example/verify-email/x"},
		{"the first of two", "https://a.example/1 and https://b.example/2", "https://a.example/1"},
		{"none", "Your domain was renewed.", ""},
		{"not a link", "see http:// or xhttps://a", ""},
	}
	for _, tt := range tests {
		if got := mailLink(tt.body); got != tt.want {
			t.Errorf("%s: mailLink(%q) = %q, want %q", tt.name, tt.body, got, tt.want)
		}
	}
}
