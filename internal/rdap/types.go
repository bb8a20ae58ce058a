package rdap

// The JSON of RFC 9083 responses, with RFC 9537's redaction markers. Only
// the members this server sends are declared.

// Conformance values (RFC 9083 §4.1, ICANN gTLD RDAP Response Profile
// 2.1 and Technical Implementation Guide 1.2, RFC 9537 §4.1).
var conformance = []string{
	"rdap_level_0",
	"icann_rdap_response_profile_1",
	"icann_rdap_technical_implementation_guide_1",
	"redacted",
}

// Link is an RFC 9083 §4.2 link.
type Link struct {
	Value string `json:"value"`
	Rel   string `json:"rel"`
	Href  string `json:"href"`
	Type  string `json:"type,omitempty"`
}

// Notice is an RFC 9083 §4.3 notice or remark.
type Notice struct {
	Title       string   `json:"title,omitempty"`
	Description []string `json:"description"`
	Links       []Link   `json:"links,omitempty"`
}

// Event is an RFC 9083 §4.5 event; dates are RFC 3339 in UTC.
type Event struct {
	Action string `json:"eventAction"`
	Date   string `json:"eventDate"`
}

// PublicID is an RFC 9083 §4.8 public identifier.
type PublicID struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
}

// Entity is an RFC 9083 §5.1 entity.
type Entity struct {
	ObjectClassName string     `json:"objectClassName"`
	Handle          string     `json:"handle,omitempty"`
	VCardArray      []any      `json:"vcardArray,omitempty"`
	Roles           []string   `json:"roles"`
	PublicIDs       []PublicID `json:"publicIds,omitempty"`
	Entities        []Entity   `json:"entities,omitempty"`
}

// Nameserver is an RFC 9083 §5.2 nameserver, as a domain embeds it.
type Nameserver struct {
	ObjectClassName string `json:"objectClassName"`
	LDHName         string `json:"ldhName"`
	UnicodeName     string `json:"unicodeName,omitempty"`
}

// DSData is one delegation signer record (RFC 9083 §5.3).
type DSData struct {
	KeyTag     int    `json:"keyTag"`
	Algorithm  int    `json:"algorithm"`
	DigestType int    `json:"digestType"`
	Digest     string `json:"digest"`
}

// SecureDNS is a domain's DNSSEC information (RFC 9083 §5.3).
type SecureDNS struct {
	DelegationSigned bool     `json:"delegationSigned"`
	DSData           []DSData `json:"dsData,omitempty"`
}

// Redacted is one RFC 9537 §4.2 redaction marker.
type Redacted struct {
	Name     RedactedName   `json:"name"`
	PrePath  string         `json:"prePath,omitempty"`
	PostPath string         `json:"postPath,omitempty"`
	PathLang string         `json:"pathLang,omitempty"`
	Method   string         `json:"method"`
	Reason   RedactedReason `json:"reason"`
}

// RedactedName names a redacted field by its registered type (RFC 9537
// §4.2; the ICANN RDAP JSON Values registry's "redacted name" values).
type RedactedName struct {
	Type string `json:"type"`
}

// RedactedReason says why a field is redacted.
type RedactedReason struct {
	Description string `json:"description"`
}

// Domain is an RFC 9083 §5.3 domain response.
type Domain struct {
	Conformance     []string     `json:"rdapConformance"`
	ObjectClassName string       `json:"objectClassName"`
	Handle          string       `json:"handle"`
	LDHName         string       `json:"ldhName"`
	UnicodeName     string       `json:"unicodeName,omitempty"`
	Status          []string     `json:"status"`
	Events          []Event      `json:"events"`
	Nameservers     []Nameserver `json:"nameservers,omitempty"`
	SecureDNS       SecureDNS    `json:"secureDNS"`
	Entities        []Entity     `json:"entities"`
	Links           []Link       `json:"links"`
	Notices         []Notice     `json:"notices"`
	Redacted        []Redacted   `json:"redacted"`
}

// Help is the /help response (RFC 9083 §7).
type Help struct {
	Conformance []string `json:"rdapConformance"`
	Notices     []Notice `json:"notices"`
}

// Error is an RFC 9083 §6 error response.
type Error struct {
	Conformance []string `json:"rdapConformance"`
	ErrorCode   int      `json:"errorCode"`
	Title       string   `json:"title"`
	Description []string `json:"description"`
	Notices     []Notice `json:"notices,omitempty"`
}
