// Package eppregistry implements the core's Registry interface over EPP,
// for real registries and the sandbox registry alike. It is the only place
// where EPP result codes become error kinds (the table kinds).
package eppregistry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/registrar"
)

// Doer sends EPP commands: an *epp.Client.
type Doer interface {
	Do(ctx context.Context, cmd *epp.Command) (*epp.Response, error)
}

// Registry is a registry reached over EPP.
type Registry struct {
	name     string
	c        Doer
	clientID string
	log      *slog.Logger
	// CheckBatch is how many names go into one <check> [50].
	CheckBatch int
	// ContactExtensions is how the registry takes a registrant's contact
	// extensions; FormNone refuses a create that carries any.
	ContactExtensions ContactExtensionForm
}

// ContactExtensionForm is how a registry takes contact extensions
// (registrar.CreateRequest.RegistrantExtensions).
type ContactExtensionForm string

// The forms.
const (
	// FormNone: the registry takes none.
	FormNone ContactExtensionForm = ""
	// FormNeuLevel: NeuLevel's key=value extension (epp.KeyValue) on the
	// registrant's contact create, as the .us registry takes the nexus.
	FormNeuLevel ContactExtensionForm = "neulevel"
)

var (
	_ registrar.Registry   = (*Registry)(nil)
	_ registrar.Transfers  = (*Registry)(nil)
	_ registrar.Lifecycler = (*Registry)(nil)
)

// New returns the registry called name (for logs), reached through c,
// where we are clientID.
func New(name string, c Doer, clientID string, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registry{name: name, c: c, clientID: clientID, log: log.With("registry", name), CheckBatch: 50}
}

// do sends cmd. A command without a transaction ID of its own, made
// for an API request (or a workflow one started), gets a generated ID
// that ends with the request's ID, so that the registry's records lead
// back to the request.
func (r *Registry) do(ctx context.Context, cmd *epp.Command) (*epp.Response, error) {
	if cmd.ClTRID == "" {
		tagger, ok := r.c.(interface{ TaggedClTRID(tag string) string })
		if id := registrar.RequestID(ctx); id != "" && ok {
			cmd.ClTRID = tagger.TaggedClTRID(id)
		}
	}
	return r.c.Do(ctx, cmd)
}

// Check implements registrar.Registry with one <check> per batch of names,
// asking the fee extension for each name's create price.
func (r *Registry) Check(ctx context.Context, names []string) ([]registrar.Availability, error) {
	out := make([]registrar.Availability, 0, len(names))
	for start := 0; start < len(names); start += r.CheckBatch {
		batch := names[start:min(start+r.CheckBatch, len(names))]
		resp, err := r.do(ctx, &epp.Command{DomainCheck: &epp.DomainCheck{
			Names: batch,
			Fee:   &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeCreate, Period: &epp.Period{Value: 1, Unit: epp.PeriodYears}}}},
		}})
		if err != nil {
			return nil, r.fail("check", err)
		}
		if resp.DomainCheck == nil {
			return nil, registrar.Errorf(registrar.KindInternal, "eppregistry.Check", "registry %s answered a check without chkData", r.name)
		}
		fees := map[string]epp.FeeCD{}
		currency := ""
		if resp.FeeCheck != nil {
			currency = resp.FeeCheck.Currency
			for _, cd := range resp.FeeCheck.CDs {
				fees[strings.ToLower(cd.ObjID)] = cd
			}
		}
		for _, cd := range resp.DomainCheck.CDs {
			a := registrar.Availability{Name: strings.ToLower(cd.Name), Available: cd.Avail, Reason: cd.Reason}
			if fee, ok := fees[a.Name]; ok {
				a.Premium = fee.Class != "" && !strings.EqualFold(fee.Class, "standard")
				for _, cmd := range fee.Commands {
					if cmd.Name == epp.FeeCreate && len(cmd.Fees) > 0 {
						a.Currency, a.CreatePrice = currency, cmd.Fees[0].Amount
					}
				}
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// contactID derives the registry contact ID for a role of one registration
// from its auth code: stable across retries (a repeated create finds the
// contact made the first time), unique per registration, 16 characters.
func contactID(authInfo, role string) string {
	sum := sha256.Sum256([]byte(authInfo + "\x00" + role))
	return "or" + hex.EncodeToString(sum[:7])
}

// Create implements registrar.Registry: the contacts first (an existing one
// of ours is reused), then the domain with req.TransactionID as its clTRID,
// so that a pending create's poll message can be matched.
func (r *Registry) Create(ctx context.Context, req registrar.CreateRequest) (registrar.CreateResult, error) {
	const op = "eppregistry.Create"
	var unspec []epp.KeyValue
	if len(req.RegistrantExtensions) > 0 {
		if r.ContactExtensions != FormNeuLevel {
			return registrar.CreateResult{}, registrar.Errorf(registrar.KindInvalid, op,
				"registry %s is not configured to receive contact extensions", r.name)
		}
		for _, kv := range req.RegistrantExtensions {
			unspec = append(unspec, epp.KeyValue{Key: kv.Key, Value: kv.Value})
		}
	}
	registrant, err := r.ensureContact(ctx, req.AuthInfo, "registrant", req.Registrant, unspec)
	if err != nil {
		return registrar.CreateResult{}, err
	}
	// Registries that require admin and tech contacts get the registrant
	// when the request names none.
	contacts := []epp.DomainContact{}
	for _, role := range []struct {
		typ string
		c   *registrar.Contact
	}{{epp.ContactAdmin, req.Admin}, {epp.ContactTech, req.Tech}, {epp.ContactBilling, req.Billing}} {
		id := registrant
		if role.c != nil {
			if id, err = r.ensureContact(ctx, req.AuthInfo, role.typ, *role.c, nil); err != nil {
				return registrar.CreateResult{}, err
			}
		} else if role.typ == epp.ContactBilling {
			continue
		}
		contacts = append(contacts, epp.DomainContact{Type: role.typ, ID: id})
	}
	resp, err := r.do(ctx, &epp.Command{ClTRID: req.TransactionID, DomainCreate: &epp.DomainCreate{
		Name: req.Name, Period: &epp.Period{Value: req.Years, Unit: epp.PeriodYears},
		Registrant: registrant, Contacts: contacts, AuthInfo: req.AuthInfo,
	}})
	if err != nil {
		return registrar.CreateResult{}, r.fail("create", err)
	}
	res := registrar.CreateResult{Pending: resp.Code() == epp.CodePending, ServerTransactionID: resp.SvTRID}
	if cre := resp.DomainCreate; cre != nil {
		res.CreatedAt, res.ExpiresAt = cre.CrDate, cre.ExDate
	}
	if !res.Pending && res.CreatedAt.IsZero() {
		r.log.Warn("create answered without creData", "op", op, "domain", req.Name, "code", resp.Code())
	}
	return res, nil
}

// ensureContact creates the contact for a role unless it exists already
// (an earlier attempt of the same registration made it), with the
// NeuLevel values given.
func (r *Registry) ensureContact(ctx context.Context, authInfo, role string, c registrar.Contact, unspec []epp.KeyValue) (string, error) {
	return r.createContact(ctx, contactID(authInfo, role), authInfo, c, unspec)
}

// createContact creates contact id with auth code authInfo, or finds it made
// already by an earlier attempt (2302).
func (r *Registry) createContact(ctx context.Context, id, authInfo string, c registrar.Contact, unspec []epp.KeyValue) (string, error) {
	pi := epp.PostalInfo{Type: epp.PostalInt, Name: c.PostalInfo.Name, Org: c.PostalInfo.Organization,
		City: c.PostalInfo.Address.City, SP: c.PostalInfo.Address.State, PC: c.PostalInfo.Address.PostalCode, CC: c.PostalInfo.Address.CountryCode}
	if c.PostalInfo.Address.Street != "" {
		pi.Street = []string{c.PostalInfo.Address.Street}
	}
	_, err := r.do(ctx, &epp.Command{ContactCreate: &epp.ContactCreate{
		ID: id, PostalInfo: []epp.PostalInfo{pi}, Voice: c.Phone, Fax: c.Fax, Email: c.Email, AuthInfo: authInfo, Unspec: unspec,
	}})
	var ee *epp.Error
	if errors.As(err, &ee) && ee.Code == epp.CodeObjectExists {
		return id, nil
	}
	if err != nil {
		return "", r.fail("contact create", err)
	}
	return id, nil
}

// Info implements registrar.Registry.
func (r *Registry) Info(ctx context.Context, name string) (registrar.DomainInfo, error) {
	resp, err := r.do(ctx, &epp.Command{DomainInfo: &epp.DomainInfo{Name: name}})
	if err != nil {
		return registrar.DomainInfo{}, r.fail("info", err)
	}
	return r.domainInfo("eppregistry.Info", resp)
}

// domainInfo converts an info's answer.
func (r *Registry) domainInfo(op string, resp *epp.Response) (registrar.DomainInfo, error) {
	inf := resp.DomainInfo
	if inf == nil {
		return registrar.DomainInfo{}, registrar.Errorf(registrar.KindInternal, op, "registry %s answered an info without infData", r.name)
	}
	d := registrar.DomainInfo{
		Name: strings.ToLower(inf.Name), Sponsored: inf.ClID == r.clientID, AuthInfo: inf.AuthInfo,
		Statuses: inf.Statuses, CreatedAt: inf.CrDate, ExpiresAt: inf.ExDate,
		Sponsor: inf.ClID, RegistrantID: inf.Registrant,
	}
	if resp.RGPInfo != nil {
		d.RGPStatuses = resp.RGPInfo.Statuses
	}
	for _, ns := range inf.NS {
		d.Nameservers = append(d.Nameservers, strings.ToLower(ns))
	}
	for _, h := range inf.Hosts {
		d.Hosts = append(d.Hosts, strings.ToLower(h))
	}
	if resp.SecDNSInfo != nil {
		d.DSRecords = dsRecords(resp.SecDNSInfo.DS)
	}
	for _, s := range inf.Statuses {
		if s == "pendingCreate" {
			d.Pending = true
		}
	}
	return d, nil
}

// TransferInfo implements registrar.Transfers with a domain info quoting
// the auth code (RFC 5731 section 3.1.2). Errors carry a transfer reason
// in registrar.Error.Reason (the table kinds): 2303 is KindNotFound with
// domain_not_exists, 2202 KindRejected with invalid_auth_code.
func (r *Registry) TransferInfo(ctx context.Context, name, authInfo string) (registrar.DomainInfo, error) {
	resp, err := r.do(ctx, &epp.Command{DomainInfo: &epp.DomainInfo{Name: name, AuthInfo: authInfo}})
	if err != nil {
		return registrar.DomainInfo{}, r.failTransfer("info", err)
	}
	return r.domainInfo("eppregistry.TransferInfo", resp)
}

// TransferPrice implements registrar.Transfers with a domain check asking
// the fee extension (RFC 8748) for the transfer and the renewal of one
// year. A class other than "standard" is premium. A registry that gives no
// transfer fee for the name is KindRejected.
func (r *Registry) TransferPrice(ctx context.Context, name string) (registrar.TransferPrice, error) {
	const op = "eppregistry.TransferPrice"
	year := &epp.Period{Value: 1, Unit: epp.PeriodYears}
	resp, err := r.do(ctx, &epp.Command{DomainCheck: &epp.DomainCheck{
		Names: []string{name},
		Fee:   &epp.FeeCheck{Commands: []epp.FeeCommand{{Name: epp.FeeTransfer, Period: year}, {Name: epp.FeeRenew, Period: year}}},
	}})
	if err != nil {
		return registrar.TransferPrice{}, r.failTransfer("check", err)
	}
	if resp.FeeCheck == nil {
		return registrar.TransferPrice{}, registrar.Errorf(registrar.KindInternal, op, "registry %s answered a fee check without fee:chkData", r.name)
	}
	for _, cd := range resp.FeeCheck.CDs {
		if !strings.EqualFold(cd.ObjID, name) {
			continue
		}
		if !cd.Avail {
			return registrar.TransferPrice{}, registrar.Errorf(registrar.KindRejected, op, "registry %s gives no transfer price for %s: %s", r.name, name, cd.Reason)
		}
		p := registrar.TransferPrice{Currency: resp.FeeCheck.Currency, Premium: cd.Class != "" && !strings.EqualFold(cd.Class, "standard")}
		for _, c := range cd.Commands {
			switch {
			case len(c.Fees) == 0:
			case c.Name == epp.FeeTransfer:
				p.Transfer = c.Fees[0].Amount
			case c.Name == epp.FeeRenew:
				p.Renewal = c.Fees[0].Amount
			}
		}
		if p.Transfer == "" {
			return registrar.TransferPrice{}, registrar.Errorf(registrar.KindRejected, op, "registry %s gives no transfer price for %s", r.name, name)
		}
		return p, nil
	}
	return registrar.TransferPrice{}, registrar.Errorf(registrar.KindInternal, op, "registry %s answered a fee check without %s", r.name, name)
}

// Transfer implements registrar.Transfers with a <transfer> (RFC 5731
// section 3.2.4), req.TransactionID as its clTRID; a request carries the
// period (req.Years, 1 if zero) and the auth code, a query the auth code
// when given. 1001 is Pending. Errors are the table kinds' for a transfer
// command, with registrar.Error.Reason: 2202 KindRejected
// invalid_auth_code; 2304 KindRejected domain_locked when the registry
// names a *TransferProhibited status, registry_status otherwise; 2106
// KindRejected domain_outside_transfer_window; 2303 KindNotFound
// domain_not_exists; 2300 (a transfer is pending) and 2301 (none is)
// KindConflict; 2201 (we are not the side that may act) KindForbidden.
// A request's KindUnavailable is settled with a query, not a new request.
func (r *Registry) Transfer(ctx context.Context, req registrar.TransferRequest) (registrar.TransferResult, error) {
	const op = "eppregistry.Transfer"
	t := &epp.DomainTransfer{Op: string(req.Op), Name: req.Name}
	switch req.Op {
	case registrar.TransferOpRequest:
		years := req.Years
		if years == 0 {
			years = 1
		}
		t.Period, t.AuthInfo = &epp.Period{Value: years, Unit: epp.PeriodYears}, req.AuthInfo
	case registrar.TransferOpQuery:
		t.AuthInfo = req.AuthInfo
	case registrar.TransferOpCancel, registrar.TransferOpApprove, registrar.TransferOpReject:
	default:
		return registrar.TransferResult{}, registrar.Errorf(registrar.KindInvalid, op, "unknown transfer operation %q", req.Op)
	}
	resp, err := r.do(ctx, &epp.Command{ClTRID: req.TransactionID, DomainTransfer: t})
	if err != nil {
		return registrar.TransferResult{}, r.failTransfer("transfer "+string(req.Op), err)
	}
	res := registrar.TransferResult{Name: strings.ToLower(req.Name), Pending: resp.Code() == epp.CodePending, ServerTransactionID: resp.SvTRID}
	if d := resp.DomainTransfer; d != nil {
		res = transferResult(d)
		res.Pending, res.ServerTransactionID = resp.Code() == epp.CodePending, resp.SvTRID
	} else if req.Op == registrar.TransferOpQuery {
		return registrar.TransferResult{}, registrar.Errorf(registrar.KindInternal, op, "registry %s answered a transfer query without trnData", r.name)
	}
	return res, nil
}

func transferResult(d *epp.DomainTrnData) registrar.TransferResult {
	return registrar.TransferResult{
		Name: strings.ToLower(d.Name), Status: d.TrStatus, RequestingID: d.ReID, ActingID: d.AcID,
		RequestedAt: d.ReDate, ActBy: d.AcDate, ExpiresAt: d.ExDate,
	}
}

// Renew implements registrar.Registry.
func (r *Registry) Renew(ctx context.Context, name string, curExpiry time.Time, years int) (time.Time, error) {
	resp, err := r.do(ctx, &epp.Command{DomainRenew: &epp.DomainRenew{Name: name, CurExpDate: curExpiry, Period: &epp.Period{Value: years, Unit: epp.PeriodYears}}})
	if err != nil {
		return time.Time{}, r.fail("renew", err)
	}
	if resp.DomainRenew == nil {
		return time.Time{}, nil
	}
	return resp.DomainRenew.ExDate, nil
}

// Update implements registrar.Registry: one <domain:update> with the
// statuses and name servers (hostObj) to add and remove, a <domain:chg>
// of the auth code and of the registrant when set, and a secDNS-1.1
// <secDNS:update> for the DS record changes (RemoveAllDS sends
// <secDNS:rem><secDNS:all>true</secDNS:all>, before any added). A new
// registrant's contact is created first, as Create does, with an ID
// derived from the domain and the contact's data (a retry reuses it).
// An update with only DS changes sends an empty <domain:chg/>.
func (r *Registry) Update(ctx context.Context, req registrar.DomainUpdate) error {
	if err := r.ensureHosts(ctx, req.Name, req.AddNameservers); err != nil {
		return err
	}
	u := &epp.DomainUpdate{Name: req.Name}
	if len(req.AddStatuses) > 0 || len(req.AddNameservers) > 0 {
		u.Add = &epp.DomainAddRem{Statuses: req.AddStatuses, NS: req.AddNameservers}
	}
	if len(req.RemoveStatuses) > 0 || len(req.RemoveNameservers) > 0 {
		u.Rem = &epp.DomainAddRem{Statuses: req.RemoveStatuses, NS: req.RemoveNameservers}
	}
	if req.AuthInfo != "" {
		u.Chg = &epp.DomainChg{AuthInfo: &req.AuthInfo}
	}
	if req.Registrant != nil {
		id, err := r.registrantContact(ctx, req.Name, *req.Registrant)
		if err != nil {
			return err
		}
		if u.Chg == nil {
			u.Chg = &epp.DomainChg{}
		}
		u.Chg.Registrant = &id
	}
	if req.RemoveAllDS || len(req.RemoveDS) > 0 || len(req.AddDS) > 0 {
		u.SecDNS = &epp.SecDNSUpdate{RemAll: req.RemoveAllDS, Add: dsData(req.AddDS)}
		if !req.RemoveAllDS {
			u.SecDNS.Rem = dsData(req.RemoveDS)
		}
		if u.Add == nil && u.Rem == nil && u.Chg == nil {
			u.Chg = &epp.DomainChg{}
		}
	}
	if _, err := r.do(ctx, &epp.Command{DomainUpdate: u}); err != nil {
		return r.fail("update", err)
	}
	return nil
}

// ensureHosts makes sure the registry has a host object for each name
// server an update of domain adds (RFC 5731 §1.1: <domain:hostObj> names
// one, or the registry answers 2303). An external host the registry
// lacks is created, without addresses, as registrars do for their users'
// name servers; one made already (by another registrar, or a lost
// answer's first attempt) is used as it is. A missing host under the
// domain is the user's glue host that was never created: that is refused
// as KindRejected rather than sent, so that its 2303 is not taken for
// the domain's own absence.
func (r *Registry) ensureHosts(ctx context.Context, domain string, hosts []string) error {
	for _, h := range hosts {
		_, _, err := r.HostInfo(ctx, h)
		switch {
		case err == nil:
			continue
		case !registrar.IsKind(err, registrar.KindNotFound):
			return err
		case registrar.InBailiwick(strings.ToLower(h), strings.ToLower(domain)):
			return registrar.Errorf(registrar.KindRejected, "eppregistry.Update",
				"name server %s is under %s and has no glue host: create it first", h, domain)
		}
		if err := r.CreateHost(ctx, registrar.Host{Name: h}); err != nil && !registrar.IsKind(err, registrar.KindConflict) {
			return err
		}
	}
	return nil
}

// registrantContact creates the contact of a new registrant of domain
// name and returns its ID: "or" and 14 hex digits of a hash of the domain
// and the contact's data, so that a retried change reuses the contact
// its first attempt made, and its auth code another hash of the same
// (registries require one; nobody quotes it).
func (r *Registry) registrantContact(ctx context.Context, name string, c registrar.Contact) (string, error) {
	key := strings.ToLower(name) + "\x00" + fmt.Sprintf("%+v", c)
	sum := sha256.Sum256([]byte("auth\x00" + key))
	return r.createContact(ctx, contactID(key, "registrant-change"), "OR"+hex.EncodeToString(sum[:6]), c, nil)
}

func dsData(ds []registrar.DSRecord) []epp.DSData {
	var out []epp.DSData
	for _, d := range ds {
		out = append(out, epp.DSData{KeyTag: d.KeyTag, Alg: d.Algorithm, DigestType: d.DigestType, Digest: strings.ToUpper(d.Digest)})
	}
	return out
}

func dsRecords(ds []epp.DSData) []registrar.DSRecord {
	var out []registrar.DSRecord
	for _, d := range ds {
		out = append(out, registrar.DSRecord{KeyTag: d.KeyTag, Algorithm: d.Alg, DigestType: d.DigestType, Digest: strings.ToUpper(d.Digest)})
	}
	return out
}

var _ registrar.HostRegistry = (*Registry)(nil)

// hostAddrs converts a host's addresses to EPP's (IPv4 first).
func hostAddrs(h registrar.Host) []epp.HostAddr {
	var out []epp.HostAddr
	for _, a := range h.IPv4 {
		out = append(out, epp.HostAddr{IP: epp.IPv4, Addr: a})
	}
	for _, a := range h.IPv6 {
		out = append(out, epp.HostAddr{IP: epp.IPv6, Addr: a})
	}
	return out
}

// CreateHost implements registrar.HostRegistry with a <host:create>.
func (r *Registry) CreateHost(ctx context.Context, h registrar.Host) error {
	if _, err := r.do(ctx, &epp.Command{HostCreate: &epp.HostCreate{Name: h.Name, Addrs: hostAddrs(h)}}); err != nil {
		return r.fail("host create", err)
	}
	return nil
}

// HostInfo implements registrar.HostRegistry with a <host:info>: linked
// is the host's linked status.
func (r *Registry) HostInfo(ctx context.Context, name string) (registrar.Host, bool, error) {
	resp, err := r.do(ctx, &epp.Command{HostInfo: &epp.HostInfo{Name: name}})
	if err != nil {
		return registrar.Host{}, false, r.fail("host info", err)
	}
	inf := resp.HostInfo
	if inf == nil {
		return registrar.Host{}, false, registrar.Errorf(registrar.KindInternal, "eppregistry.HostInfo",
			"registry %s answered a host info without infData", r.name)
	}
	h := registrar.Host{Name: strings.ToLower(inf.Name)}
	for _, a := range inf.Addrs {
		if a.IP == epp.IPv6 {
			h.IPv6 = append(h.IPv6, a.Addr)
		} else {
			h.IPv4 = append(h.IPv4, a.Addr)
		}
	}
	return h, slices.Contains(inf.Statuses, epp.HostStatusLinked), nil
}

// UpdateHost implements registrar.HostRegistry with a <host:update>
// adding and removing addresses; with none to change it sends nothing.
func (r *Registry) UpdateHost(ctx context.Context, name string, add, remove registrar.Host) error {
	u := &epp.HostUpdate{Name: name}
	if a := hostAddrs(add); len(a) > 0 {
		u.Add = &epp.HostAddRem{Addrs: a}
	}
	if a := hostAddrs(remove); len(a) > 0 {
		u.Rem = &epp.HostAddRem{Addrs: a}
	}
	if u.Add == nil && u.Rem == nil {
		return nil
	}
	if _, err := r.do(ctx, &epp.Command{HostUpdate: u}); err != nil {
		return r.fail("host update", err)
	}
	return nil
}

// DeleteHost implements registrar.HostRegistry with a <host:delete>; a
// host a domain uses is refused with 2305, KindConflict.
func (r *Registry) DeleteHost(ctx context.Context, name string) error {
	if _, err := r.do(ctx, &epp.Command{HostDelete: &epp.HostDelete{Name: name}}); err != nil {
		return r.fail("host delete", err)
	}
	return nil
}

// Delete implements registrar.Lifecycler with a <domain:delete>,
// transactionID as its clTRID. 1000 (purged) and 1001 (pendingDelete:
// redemption at a registry with RGP) are both success. Errors are the
// table's kinds for a command on a domain we sponsor: 2201 (another
// registrar sponsors it) is KindForbidden, 2304 (a *DeleteProhibited
// status, or deleted already) KindRejected with the registry's reason.
func (r *Registry) Delete(ctx context.Context, name, transactionID string) error {
	if _, err := r.do(ctx, &epp.Command{ClTRID: transactionID, DomainDelete: &epp.DomainDelete{Name: name}}); err != nil {
		return r.failAs("delete", err, modeSponsor)
	}
	return nil
}

// Restore implements registrar.Lifecycler (RFC 3915 section 4.2.5): an
// info first, then, when it shows redemptionPeriod, the restore request
// (clTRID req.TransactionID) and, when it shows or the request leaves
// pendingRestore, the report (clTRID req.TransactionID + "-report"). A
// domain showing neither is taken as restored already; one showing the
// RGP pendingDelete (past redemption) is KindRejected with Reason
// registrar.CodeNotRestorable. Each is a
// <domain:update> with an empty <domain:chg/> and the rgp extension.
func (r *Registry) Restore(ctx context.Context, req registrar.RestoreRequest) error {
	const op = "eppregistry.Restore"
	info, err := r.Info(ctx, req.Name)
	if err != nil {
		return err
	}
	if !info.Sponsored {
		return registrar.Errorf(registrar.KindForbidden, op, "registry %s: %s is sponsored by %s", r.name, req.Name, info.Sponsor)
	}
	rgp := func(s string) bool {
		for _, x := range info.RGPStatuses {
			if x == s {
				return true
			}
		}
		return false
	}
	pendingRestore := rgp(registrar.RGPPendingRestore)
	switch {
	case pendingRestore, rgp(registrar.RGPRedemption):
	case rgp(registrar.RGPPendingDelete):
		// Past redemption: nothing brings it back.
		return &registrar.Error{Kind: registrar.KindRejected, Op: op, Reason: registrar.CodeNotRestorable,
			Message: fmt.Sprintf("registry %s: %s is pendingDelete, past its redemption period", r.name, req.Name)}
	default:
		return nil
	}
	update := func(clTRID string, restore *epp.RGPRestore) (*epp.Response, error) {
		return r.do(ctx, &epp.Command{ClTRID: clTRID, DomainUpdate: &epp.DomainUpdate{Name: req.Name, Chg: &epp.DomainChg{}, RGP: restore}})
	}
	if !pendingRestore {
		resp, err := update(req.TransactionID, &epp.RGPRestore{Op: epp.RGPRestoreRequest})
		if err != nil {
			return r.failAs("restore request", err, modeSponsor)
		}
		// A registry that restores on the request alone says so in upData.
		if up := resp.RGPUpdate; up != nil && !slices.Contains(up.Statuses, registrar.RGPPendingRestore) {
			return nil
		}
	}
	reportID := ""
	if req.TransactionID != "" {
		reportID = req.TransactionID + "-report"
	}
	_, err = update(reportID, &epp.RGPRestore{Op: epp.RGPRestoreReport, Report: &epp.RGPReport{
		PreData: req.PreData, PostData: req.PostData, DelTime: req.DeletedAt, ResTime: req.RestoredAt,
		ResReason: req.Reason, Statements: []string{restoreStatement1, restoreStatement2},
	}})
	if err != nil {
		return r.failAs("restore report", err, modeSponsor)
	}
	return nil
}

// The two statements of a restore report (RFC 3915 section 4.2.5).
const (
	restoreStatement1 = "This registrar has not restored the Registered Name in order to assume the rights to use or sell the Registered Name for itself or for any third party."
	restoreStatement2 = "The information in this report is true to best of this registrar's knowledge, and this registrar acknowledges that intentionally supplying false information in this report shall constitute an incurable material breach of the Registry-Registrar Agreement."
)

// Poll implements registrar.Registry. A pending-action result (panData)
// carries the transaction ID of the command; a transfer message (trnData)
// fills Transfer, with Success set when the transfer was approved. Other
// messages come back without either; the caller acknowledges them after
// logging.
func (r *Registry) Poll(ctx context.Context) (*registrar.PollMessage, error) {
	resp, err := r.do(ctx, &epp.Command{Poll: &epp.Poll{Op: epp.PollReq}})
	if err != nil {
		return nil, r.fail("poll", err)
	}
	if resp.Code() == epp.CodeNoMessages || resp.MsgQ == nil {
		return nil, nil
	}
	m := &registrar.PollMessage{ID: resp.MsgQ.ID, Message: resp.MsgQ.Msg, Date: resp.MsgQ.QDate}
	if pan := resp.DomainPan; pan != nil {
		m.Domain, m.Success, m.TransactionID = strings.ToLower(pan.Name), pan.PaResult, pan.PaClTRID
		if !pan.PaDate.IsZero() {
			m.Date = pan.PaDate
		}
	}
	if trn := resp.DomainTransfer; trn != nil {
		t := transferResult(trn)
		m.Domain, m.Transfer = t.Name, &t
		m.Success = t.Status == registrar.TransferClientApproved || t.Status == registrar.TransferServerApproved
	}
	return m, nil
}

// Ack implements registrar.Registry.
func (r *Registry) Ack(ctx context.Context, id string) error {
	if _, err := r.do(ctx, &epp.Command{Poll: &epp.Poll{Op: epp.PollAck, MsgID: id}}); err != nil {
		return r.fail("ack", err)
	}
	return nil
}

// codeMapping is how a result code maps to an error kind: kind for
// every command, and for a transfer command (an info with an auth code, a
// <transfer>) xfer when set, with the registrar.TransferReason* the error
// carries in registrar.Error.Reason.
type codeMapping struct {
	kind   registrar.Kind
	xfer   *registrar.Kind
	reason string
	// sponsor, when set, is the kind in a command only the sponsor may
	// send on a domain (delete, restore).
	sponsor *registrar.Kind
}

// failure modes of failAs: which column of kinds applies.
type failMode int

const (
	modePlain failMode = iota
	modeTransfer
	modeSponsor
)

func kindPtr(k registrar.Kind) *registrar.Kind { return &k }

// kinds is the one table from EPP result codes to error kinds. Codes not
// listed are protocol or configuration errors: KindInternal, logged loudly
// (except where a transfer command maps them).
var kinds = map[int]codeMapping{
	epp.CodeObjectExists:                  {kind: registrar.KindConflict},                                                                                         // 2302: the name is taken
	epp.CodeObjectDoesNotExist:            {kind: registrar.KindNotFound, reason: registrar.TransferReasonDomainNotExists},                                        // 2303
	epp.CodeParamPolicyError:              {kind: registrar.KindRejected},                                                                                         // 2306
	epp.CodeParamRangeError:               {kind: registrar.KindRejected},                                                                                         // 2004
	epp.CodeParamSyntaxError:              {kind: registrar.KindRejected},                                                                                         // 2005
	epp.CodeMissingParam:                  {kind: registrar.KindRejected},                                                                                         // 2003: e.g. a premium create or transfer without a fee
	epp.CodeBillingFailure:                {kind: registrar.KindRejected},                                                                                         // 2104
	epp.CodeStatusProhibitsOperation:      {kind: registrar.KindRejected, reason: registrar.TransferReasonRegistryStatus},                                         // 2304: a *TransferProhibited status makes it domain_locked (fail)
	epp.CodeAssociationProhibitsOperation: {kind: registrar.KindConflict},                                                                                         // 2305: a host in use, a domain with subordinate hosts
	epp.CodeDataMgmtPolicyViolation:       {kind: registrar.KindRejected},                                                                                         // 2308
	epp.CodeNotEligibleForRenewal:         {kind: registrar.KindRejected},                                                                                         // 2105
	epp.CodeNotEligibleForTransfer:        {kind: registrar.KindRejected, reason: registrar.TransferReasonOutsideTransferWindow},                                  // 2106: e.g. created or transferred less than 60 days ago
	epp.CodePendingTransfer:               {kind: registrar.KindConflict},                                                                                         // 2300: a transfer is pending already
	epp.CodeNotPendingTransfer:            {kind: registrar.KindConflict},                                                                                         // 2301: no pending transfer to cancel, approve, reject
	epp.CodeAuthorizationError:            {kind: registrar.KindInternal, xfer: kindPtr(registrar.KindForbidden), sponsor: kindPtr(registrar.KindForbidden)},      // 2201: in a transfer, we are not the side that may act; in a delete or restore, we do not sponsor the domain (any more)
	epp.CodeInvalidAuthInfo:               {kind: registrar.KindInternal, xfer: kindPtr(registrar.KindRejected), reason: registrar.TransferReasonInvalidAuthCode}, // 2202: the auth code is wrong
	epp.CodeCommandFailed:                 {kind: registrar.KindUnavailable},                                                                                      // 2400: outcome unknown, retry later
	epp.CodeCommandFailedClosing:          {kind: registrar.KindUnavailable},                                                                                      // 2500
	epp.CodeSessionLimitExceeded:          {kind: registrar.KindUnavailable},                                                                                      // 2502
}

// fail turns a client error into a core error.
func (r *Registry) fail(cmd string, err error) error { return r.failAs(cmd, err, modePlain) }

// failTransfer is fail for a transfer command: the table's transfer kinds
// apply, and the error carries the transfer reason.
func (r *Registry) failTransfer(cmd string, err error) error { return r.failAs(cmd, err, modeTransfer) }

func (r *Registry) failAs(cmd string, err error, mode failMode) error {
	transfer := mode == modeTransfer
	op := "eppregistry." + cmd
	var ee *epp.Error
	if errors.As(err, &ee) {
		msg := fmt.Sprintf("%d %s", ee.Code, ee.Msg)
		if ee.Reason != "" {
			msg += ": " + ee.Reason
		}
		m, ok := kinds[ee.Code]
		k := m.kind
		if transfer && m.xfer != nil {
			k = *m.xfer
		}
		if mode == modeSponsor && m.sponsor != nil {
			k = *m.sponsor
		}
		if ok && transfer {
			reason := m.reason
			if ee.Code == epp.CodeStatusProhibitsOperation && strings.Contains(ee.Reason+" "+ee.Msg, "TransferProhibited") {
				reason = registrar.TransferReasonDomainLocked
			}
			return &registrar.Error{Kind: k, Op: op, Message: msg, Reason: reason, Err: err}
		}
		if !ok || k == registrar.KindInternal {
			r.log.Error("registry refused a command: check the registry configuration (credentials, services, our command)",
				"command", cmd, "code", ee.Code, "message", ee.Msg, "reason", ee.Reason, "cltrid", ee.ClTRID, "svtrid", ee.SvTRID)
			k = registrar.KindInternal
		}
		return &registrar.Error{Kind: k, Op: op, Message: msg, Err: err}
	}
	var le *epp.LoginError
	if errors.As(err, &le) && le.ConfigError() {
		r.log.Error("the registry refused our login: check the client ID, password and certificate",
			"command", cmd, "code", le.Code, "message", le.Msg)
		return &registrar.Error{Kind: registrar.KindInternal, Op: op, Message: fmt.Sprintf("login refused: %d %s", le.Code, le.Msg), Err: err}
	}
	var te *epp.TransportError
	if errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		msg := "registry unreachable"
		if te != nil && te.Sent {
			msg = "no answer from the registry in time (the outcome is unknown)"
		}
		return &registrar.Error{Kind: registrar.KindUnavailable, Op: op, Message: msg, Err: err}
	}
	return &registrar.Error{Kind: registrar.KindInternal, Op: op, Err: err}
}
