package httpapi

import (
	"encoding/json"

	"github.com/openregistrar/registrar/internal/registrar"
)

// validateContacts checks the contacts of a PATCH registrations body
// (ours, issue 14: change of registrant) against the contacts schema of
// the domain's extension, the registration schema's: every contact rule
// lives there. The body was decoded strictly before; the contacts are
// validated as decoded, with pointers under /contacts.
func (s *Server) validateContacts(r *request, req *registrar.UpdateRequest) error {
	const op = "httpapi.validateContacts"
	if req.Contacts == nil {
		if req.TransferLockOptOut {
			return registrar.Invalid(op, "/transfer_lock_opt_out", "is only allowed with contacts")
		}
		return nil
	}
	n, err := pathName(r)
	if err != nil {
		return err
	}
	ext, err := s.extension(r.env, n.Extension)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(req.Contacts)
	if err != nil {
		return registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	errs, err := s.schemas.Contacts(ext, raw)
	if err != nil {
		return registrar.Wrap(registrar.KindInternal, op, err, "")
	}
	for i := range errs {
		errs[i].Pointer = "/contacts" + errs[i].Pointer
	}
	if *req.Contacts == (registrar.Contacts{}) {
		errs = append(errs, registrar.FieldError{Pointer: "/contacts", Message: "must name at least one contact role"})
	}
	if len(errs) > 0 {
		return &registrar.Error{Kind: registrar.KindInvalid, Op: op, Message: errs[0].Message, Fields: errs}
	}
	return nil
}
