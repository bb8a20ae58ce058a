package registrar

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// NewID returns a random identifier of 32 lower-case hex characters, the
// shape of Cloudflare's account and resource IDs.
func NewID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand contract since Go 1.24)
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// tokenPrefix marks OpenRegistrar API tokens, so that secret scanners and
// humans can recognise one.
const tokenPrefix = "orat_"

// NewSecret returns a new random secret (an API token or a verification
// code) with the given prefix and its hash for storage. The secret itself is
// shown once and never stored.
func NewSecret(prefix string) (secret, hash string) {
	var b [32]byte
	rand.Read(b[:])
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// NewToken returns a new API token and its hash.
func NewToken() (token, hash string) { return NewSecret(tokenPrefix) }

// HashSecret returns the hex SHA-256 of a secret. The secrets hashed here
// carry 256 random bits, so a fast hash is enough: there is nothing to
// guess, only to look up.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// LooksLikeToken reports whether s has the shape of a token from NewToken;
// a cheap filter before any lookup.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, tokenPrefix) && len(s) == len(tokenPrefix)+43
}

// Auth code alphabets: letters and digits without the look-alikes (0 O 1 l
// I), and specials that need no escaping in XML, JSON or a shell's double
// quotes.
const (
	authUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	authLower   = "abcdefghijkmnopqrstuvwxyz"
	authDigit   = "23456789"
	authSpecial = "-_.+=#%@"
)

// AuthCodeLength is the length of a code from NewAuthCode: the most that
// registries which bound the EPP pwType (6 to 16 characters) accept.
const AuthCodeLength = 16

// NewAuthCode returns a new random domain auth code (EPP <domain:pw>) that
// registries take: AuthCodeLength characters with at least one upper-case
// letter, lower-case letter, digit and special character, about 91 random
// bits. It is a secret: show it once, never log it.
func NewAuthCode() string {
	classes := []string{authUpper, authLower, authDigit, authSpecial}
	all := authUpper + authLower + authDigit + authSpecial
	b := make([]byte, AuthCodeLength)
	for i := range b {
		set := all
		if i < len(classes) {
			set = classes[i] // one of each class, then shuffled
		}
		b[i] = set[randIntn(len(set))]
	}
	for i := len(b) - 1; i > 0; i-- {
		j := randIntn(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// randIntn returns a uniform random int in [0, n), n <= 256, from
// crypto/rand, by rejection so that no value is likelier than another.
func randIntn(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
