package daemon

import (
	"net/url"
	"os"
	"path/filepath"
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

// TestValidateRDAP: the registrar entity's IANA ID is a number and its
// abuse address a bare address, or the server does not start.
func TestValidateRDAP(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ianaID, abuse, wantErr string
	}{
		{"", "", ""},
		{"1910", "abuse@registrar.example", ""},
		{"IANA-1910", "", "--rdap-iana-id"},
		{"", "Abuse <abuse@registrar.example>", "--rdap-abuse-email"},
		{"", "not an address", "--rdap-abuse-email"},
	} {
		c := DefaultConfig()
		c.RDAP.IANAID, c.RDAP.AbuseEmail = tc.ianaID, tc.abuse
		err := c.Validate()
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("Validate with IANA ID %q, abuse %q = %v, want an error naming %q", tc.ianaID, tc.abuse, err, tc.wantErr)
		}
	}
}

// TestSMTPPasswordFile: the SMTP password can be kept off the command line,
// in a file; its final newline is not part of it.
func TestSMTPPasswordFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, smtpURL, file, want, wantErr string
	}{
		{"no file", "smtp://u:p@mail.test:587?from=a@b.test", "", "smtp://u:p@mail.test:587?from=a@b.test", ""},
		{"file with newline", "smtp://u@mail.test:587?from=a@b.test", write("pw", "s3cret:/@x\n"), "s3cret:/@x", ""},
		{"file replaces the URL's", "smtp://u:old@mail.test:587?from=a@b.test", write("pw2", "new"), "new", ""},
		{"empty file", "smtp://u@mail.test:587", write("empty", "\n"), "", "is empty"},
		{"missing file", "smtp://u@mail.test:587", filepath.Join(dir, "nope"), "", "--smtp-password-file"},
		{"no user", "smtp://mail.test:587", write("pw3", "x"), "", "needs a user name"},
	} {
		c := Config{SMTPURL: tc.smtpURL, SMTPPasswordFile: tc.file}
		got, err := c.smtpURL()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: smtpURL() = %q, %v; want an error with %q", tc.name, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		pw, _ := u.User.Password()
		if tc.file == "" && got != tc.want || tc.file != "" && (pw != tc.want || u.User.Username() != "u" || u.Host != "mail.test:587") {
			t.Errorf("%s: smtpURL() = %q (password %q), want password %q", tc.name, got, pw, tc.want)
		}
	}
	c := DefaultConfig()
	c.SMTPPasswordFile = "/x"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--smtp-password-file needs --smtp-url") {
		t.Errorf("Validate with a password file and no --smtp-url = %v", err)
	}
}
