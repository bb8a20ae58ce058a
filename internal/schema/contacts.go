package schema

import (
	"fmt"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Contacts validates the contacts member of a PATCH registrations body
// (raw JSON) against the contacts schema of ext's registration schema
// (registrar.Extension.ContactsSchema): one set of contact rules for
// registration and change. Pointers are relative to the contacts object.
func (v *Validator) Contacts(ext registrar.Extension, raw []byte) ([]registrar.FieldError, error) {
	sch, err := v.get(ext.ContactsSchema())
	if err != nil {
		return nil, fmt.Errorf("contacts schema of .%s: %w", ext.Name, err)
	}
	return validate(sch, ext, raw)
}
