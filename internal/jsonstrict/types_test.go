package jsonstrict

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Test destination types modelled on a domain registration request.

type Address struct {
	Street      []string `json:"street"`
	City        string   `json:"city"`
	PostalCode  string   `json:"postal_code,omitempty"`
	CountryCode string   `json:"country_code"`
}

type PostalInfo struct {
	Name    string  `json:"name"`
	Org     *string `json:"org,omitempty"`
	Address Address `json:"address"`
}

type Contact struct {
	PostalInfo PostalInfo `json:"postal_info"`
	Email      string     `json:"email"`
	Phone      string     `json:"phone"`
}

type Contacts struct {
	Registrant Contact  `json:"registrant"`
	Admin      *Contact `json:"admin,omitempty"`
	Tech       *Contact `json:"tech,omitempty"`
}

type Nameserver struct {
	Host  string       `json:"host"`
	Addrs []netip.Addr `json:"addrs,omitempty"` // encoding.TextUnmarshaler elements
}

// Meta is embedded in Registration; its fields are promoted.
type Meta struct {
	RequestID string `json:"request_id,omitempty"`
}

type Registration struct {
	Meta
	Domains     []DomainName       `json:"domains"`
	Years       int                `json:"years"`
	AutoRenew   *bool              `json:"auto_renew,omitempty"`
	Privacy     uint8              `json:"privacy_level,omitempty"`
	Price       float64            `json:"price,omitempty"`
	Contacts    Contacts           `json:"contacts"`
	Nameservers []Nameserver       `json:"nameservers,omitempty"`
	Labels      map[Label]string   `json:"labels,omitempty"`
	Quotas      map[string]int16   `json:"quotas,omitempty"`
	Ports       map[int]bool       `json:"ports,omitempty"`
	Extra       any                `json:"extra,omitempty"`
	Note        OptionalString     `json:"note"`
	NotAfter    *time.Time         `json:"not_after,omitempty"`
	CreatedAt   time.Time          `json:"created_at,omitzero"`
	Serial      int64              `json:"serial,string,omitempty"`
	Hash        []byte             `json:"hash,omitempty"`
	Pair        [2]string          `json:"pair,omitempty"`
	Raw         json.RawMessage    `json:"raw,omitempty"`
	Attrs       map[string]*string `json:"attrs,omitempty"`
	Secret      string             `json:"-"`
	//lint:ignore SA5008 deliberate: encoding/json names this field "-", and so must jsonstrict
	Dash string `json:"-,"`
	//lint:ignore U1000 deliberate: an unexported field must be an unknown member
	internal int
}

// DomainName implements json.Unmarshaler: it must be a JSON string holding
// a plausible domain name, and is stored in lower case.
type DomainName string

func (d *DomainName) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("domain name must be a string")
	}
	if s == "" || strings.ContainsAny(s, " /_") {
		return fmt.Errorf("invalid domain name %q", s)
	}
	*d = DomainName(strings.ToLower(s))
	return nil
}

// OptionalString distinguishes an absent member, null, and a value.
type OptionalString struct {
	Set   bool
	Null  bool
	Value string
}

func (o *OptionalString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// Label implements encoding.TextUnmarshaler and is used as a map key; it is
// case-insensitive.
type Label string

func (l *Label) UnmarshalText(b []byte) error {
	if len(b) == 0 || len(b) > 32 {
		return errors.New("label must be 1 to 32 bytes")
	}
	*l = Label(strings.ToLower(string(b)))
	return nil
}

// cmpOpts compares the test types.
var cmpOpts = []cmp.Option{
	cmp.AllowUnexported(Registration{}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}
