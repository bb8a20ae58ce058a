package registrar

import "strings"

// Contact is a person or organisation named in a registration, in the API's
// shape. Phones are E.164 in EPP form: "+CC.NUMBER".
type Contact struct {
	Email      string     `json:"email"`
	Phone      string     `json:"phone"`
	Fax        string     `json:"fax,omitempty"`
	PostalInfo PostalInfo `json:"postal_info"`
}

// PostalInfo is a contact's name and address.
type PostalInfo struct {
	Name         string  `json:"name"`
	Organization string  `json:"organization,omitempty"`
	Address      Address `json:"address"`
}

// Address is a postal address.
type Address struct {
	Street      string `json:"street"`
	City        string `json:"city"`
	State       string `json:"state"`
	PostalCode  string `json:"postal_code"`
	CountryCode string `json:"country_code"`
}

// Contacts are the contact roles of a registration request.
type Contacts struct {
	Registrant    *Contact `json:"registrant,omitempty"`
	Administrator *Contact `json:"administrator,omitempty"`
	Technical     *Contact `json:"technical,omitempty"`
	Billing       *Contact `json:"billing,omitempty"`
}

// Normalize trims surrounding white space from every field and upper-cases
// the country code. The registration schema's contact rules
// (Extension.RegistrationSchema) validate the value as sent; Normalize
// comes after.
func (c *Contact) Normalize() {
	for _, p := range []*string{&c.Email, &c.Phone, &c.Fax, &c.PostalInfo.Name, &c.PostalInfo.Organization,
		&c.PostalInfo.Address.Street, &c.PostalInfo.Address.City, &c.PostalInfo.Address.State,
		&c.PostalInfo.Address.PostalCode, &c.PostalInfo.Address.CountryCode} {
		*p = strings.TrimSpace(*p)
	}
	c.PostalInfo.Address.CountryCode = strings.ToUpper(c.PostalInfo.Address.CountryCode)
}
