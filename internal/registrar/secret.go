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
