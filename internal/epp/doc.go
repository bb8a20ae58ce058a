// Package epp is the protocol layer of EPP, the Extensible Provisioning
// Protocol (RFC 5730-5734), with the registry fee extension (RFC 8748),
// RGP (RFC 3915) and DNSSEC's DS data interface (secDNS-1.1, RFC 5910:
// <secDNS:update> on a domain update, <secDNS:infData> in a domain info):
// framing and the messages, both ways, for our EPP client and for the
// sandbox registry's EPP server.
//
// # Framing
//
// ReadFrame and WriteFrame implement the RFC 5734 §4 data unit: a 4-byte
// big-endian total length that counts itself, then one XML document.
//
// # Messages
//
// Command (client to server), Greeting and Response (server to client)
// are plain structs. Marshal writes a complete document with explicit
// prefixes (the epp namespace as default; domain:, contact:, host:, fee:
// declared on the object element, as in the RFC examples); every document
// it writes validates against the EPP schemas. ParseCommand,
// ParseGreeting, ParseResponse and ParseServerMessage are namespace-aware:
// elements are matched on namespace URI and local name, whatever the
// prefixes, default namespaces included.
//
// Both directions apply the same checks (lengths, patterns and
// enumerations of the schemas, plus a few cheap semantic ones), so a
// message that parses also marshals, and Parse(Marshal(m)) == m. Nothing
// is normalised silently on output: a value the schema would change (for
// example an xs:token with leading white space) is an error naming the
// field. On input the schema's white-space rules are applied (xs:token
// values are collapsed), as a validating parser would.
//
// Conventions:
//   - An empty string, a nil pointer or slice, or a zero time.Time means
//     "absent" for an optional element or attribute.
//   - Dates are time.Time in UTC, written as xs:dateTime (RFC 3339);
//     DomainRenew.CurExpDate is an xs:date (calendar date in UTC).
//   - Fee amounts are decimal strings, never floats.
//   - authInfo is the <pw> form only.
//
// Commands are parsed strictly (unknown elements inside <command> and in
// the object elements are errors) but element order is not enforced, and
// extensions other than fee, RGP, secDNS and NeuLevel's are ignored. Host
// objects have every command but transfer (there is none); secDNS key
// data and maxSigLife are refused (2102). Responses and
// greetings are parsed leniently: unknown elements, resData and extensions
// are skipped.
//
// # Errors
//
// Parse and Marshal failures are *FormatError, carrying the result code a
// server should answer a bad command with (Code) and, from ParseCommand,
// the command's clTRID. A server's own failure answer (result code 2000 or
// above) is not a parse error: Response.Err turns it into an *Error.
// Mapping result codes to application errors is left to the caller.
package epp
