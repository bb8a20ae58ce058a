package registrar

import (
	"strings"
	"time"
)

// Policy is how an environment treats registrations: whose email is
// verified before a domain is created, whether a request may leave the
// registrant to the account's default contact, and whether success is
// billed. Which extensions an environment registers is its routes'
// business (Router), not the policy's. The
// daemon chooses each environment's policy (docs/ARCHITECTURE.md,
// "Environments"); the workflows follow it and know no environment rules of
// their own.
type Policy struct {
	// Verify says which registrant email addresses are verified before a
	// domain is created.
	Verify VerifyRule
	// Billed says whether a successful registration writes a charge.
	Billed bool
	// RegistrantRequired turns Cloudflare's Registration Express Mode off:
	// a request must carry contacts.registrant, and the account's default
	// contact never stands in (the sandbox's rule).
	RegistrantRequired bool
}

// Messages of the registrant rules, as Cloudflare's API reference words
// its missing_contact error (the sandbox's adds why the default contact
// does not count).
const (
	MsgNoRegistrant        = "No registrant contact provided and no default address book entry found for this account."
	MsgRegistrantRequired  = "No registrant contact provided: the sandbox has no express mode, so contacts.registrant is required and the account's default address book entry is not used."
	MsgExtensionNotOffered = "Registration is not supported for this extension"
)

// VerifyRule says which registrant email addresses must be verified.
type VerifyRule string

// The verification rules.
const (
	// VerifyScenario asks only addresses whose local part starts with
	// "verify": the sandbox registry's deterministic rule, kept in demo
	// mode so that demos and tests behave the same every time.
	VerifyScenario VerifyRule = "scenario"
	// VerifyNewAddresses asks every address the account has not verified
	// before, as ICANN's Registrar Accreditation Agreement (WHOIS accuracy
	// program specification) requires of a registrar.
	VerifyNewAddresses VerifyRule = "new_addresses"
)

// ScenarioVerifies reports whether the scenario rule asks email to be
// verified: its local part starts with "verify", in any case.
func ScenarioVerifies(email string) bool {
	local, _, _ := strings.Cut(email, "@")
	return strings.HasPrefix(strings.ToLower(local), "verify")
}

// The limits of sending a registration's verification email again
// (Workflows.ResendVerification): at most MaxVerificationResends times,
// and no sooner than VerificationResendInterval after the previous resend,
// so that the API cannot be used to flood an address.
const (
	MaxVerificationResends     = 5
	VerificationResendInterval = time.Minute
)
