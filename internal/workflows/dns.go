package workflows

import (
	"context"
	"slices"
	"strings"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// What makes a domain resolve (issue 14): the update workflow's name
// server, DNSSEC and glue host changes, and a new registration's name
// servers. Like locked, each is settled against what the registry holds
// (an info first), so a retry after an unknown outcome sends only what is
// still missing, never the same change twice.

// dnsUpdate adds to u the difference between the name servers and DS
// records the registry holds (info) and those req asks for: hostObj
// add/rem, and secDNS add/rem, or rem all when req turns DNSSEC off.
func dnsUpdate(u *registrar.DomainUpdate, info registrar.DomainInfo, req registrar.UpdateRequest) {
	if req.Nameservers != nil {
		u.AddNameservers, u.RemoveNameservers = diff(lowerAll(info.Nameservers), req.Nameservers)
	}
	if req.DNSSEC != nil {
		have := make([]registrar.DSRecord, len(info.DSRecords))
		for i, r := range info.DSRecords {
			r.Digest = strings.ToUpper(r.Digest)
			have[i] = r
		}
		if len(req.DNSSEC.DSRecords) == 0 {
			u.RemoveAllDS = len(have) > 0
			return
		}
		u.AddDS, u.RemoveDS = diff(have, req.DNSSEC.DSRecords)
	}
}

// dnsChanges reports whether u changes name servers or DS records.
func dnsChanges(u registrar.DomainUpdate) bool {
	return len(u.AddNameservers)+len(u.RemoveNameservers)+len(u.AddDS)+len(u.RemoveDS) > 0 || u.RemoveAllDS
}

// diff returns what want has that have lacks, and what have has that
// want lacks, each in its list's order.
func diff[T comparable](have, want []T) (add, remove []T) {
	for _, w := range want {
		if !slices.Contains(have, w) {
			add = append(add, w)
		}
	}
	for _, h := range have {
		if !slices.Contains(want, h) {
			remove = append(remove, h)
		}
	}
	return add, remove
}

func lowerAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToLower(strings.TrimSuffix(v, "."))
	}
	return out
}

// recordDNS stores on g the name servers and DNSSEC data req set, now
// that the registry holds them.
func recordDNS(ctx context.Context, tx *store.Tx, g *registrar.Registration, req registrar.UpdateRequest) error {
	if req.Nameservers == nil && req.DNSSEC == nil {
		return nil
	}
	if req.Nameservers != nil {
		g.Nameservers = req.Nameservers
	}
	if req.DNSSEC != nil {
		g.DNSSEC = &registrar.DNSSEC{DSRecords: append([]registrar.DSRecord{}, req.DNSSEC.DSRecords...)}
	}
	return tx.SetRegistrationDNS(ctx, g.Env, g.DomainName, req.Nameservers, req.DNSSEC)
}

// dnsContext names an update's name server, DNSSEC and host changes in
// its public context: fields_updated nameservers, dnssec or hosts, and
// the values in changes (a host's name, operation and addresses).
func dnsContext(c *registrar.StatusContext, d updateData) {
	if d.Nameservers != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "nameservers")
		c.Changes["nameservers"] = d.Nameservers
	}
	if d.DNSSEC != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "dnssec")
		c.Changes["dnssec"] = *d.DNSSEC
	}
	if d.Host != nil {
		c.FieldsUpdated = append(c.FieldsUpdated, "hosts")
		c.Changes["hosts"] = *d.Host
	}
}

// StartHost implements registrar.Workflows: an update workflow that
// creates, updates or deletes a glue host of domain. Like every registry
// update, it waits for no other update of the domain (409 while one runs).
func (e *Engine) StartHost(ctx context.Context, p registrar.Principal, env registrar.Env, domain string, c registrar.HostChange) (*registrar.Workflow, error) {
	return e.startUpdate(ctx, p, env, domain, updateData{Host: &c})
}

// updateHost makes a host workflow's change through the registry's
// registrar.HostRegistry, settled against the registry's host info:
// create when the host is missing (or converge its addresses when an
// earlier attempt made it), update with the addresses to add and remove,
// delete unless a domain uses it (linked: failed host_in_use), a host
// already gone being deleted. done is as for updateRegistry.
func (e *Engine) updateHost(ctx context.Context, wf *registrar.Workflow, d *updateData) (transition, bool, error) {
	_, ext, _ := strings.Cut(wf.Domain, ".")
	reg, _, err := e.Registries.Lookup(wf.Env, ext)
	if err != nil {
		return transition{}, true, err
	}
	hr, ok := reg.(registrar.HostRegistry)
	if !ok {
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry serving ."+ext+" does not manage host objects"), true, nil
	}
	c := d.Host
	have, linked, err := hr.HostInfo(ctx, c.Host.Name)
	switch {
	case registrar.IsKind(err, registrar.KindNotFound):
		switch c.Op {
		case registrar.HostDelete:
			return transition{}, false, nil // gone already: by us, before an answer was lost
		case registrar.HostUpdate:
			return e.fail(wf, registrar.CodeHostNotFound, "the registry has no host "+c.Host.Name), true, nil
		}
		err = hr.CreateHost(ctx, c.Host)
	case err != nil:
	case c.Op == registrar.HostDelete && linked:
		return e.fail(wf, registrar.CodeHostInUse, c.Host.Name+" is a name server of a domain; remove it from the domain's nameservers before deleting it"), true, nil
	case c.Op == registrar.HostDelete:
		err = hr.DeleteHost(ctx, c.Host.Name)
	default:
		var add, rem registrar.Host
		add.IPv4, rem.IPv4 = diff(have.IPv4, c.Host.IPv4)
		add.IPv6, rem.IPv6 = diff(have.IPv6, c.Host.IPv6)
		if len(add.IPv4)+len(add.IPv6)+len(rem.IPv4)+len(rem.IPv6) > 0 {
			err = hr.UpdateHost(ctx, c.Host.Name, add, rem)
		}
	}
	switch {
	case err == nil:
		return transition{}, false, nil
	case registrar.IsKind(err, registrar.KindUnavailable):
		return e.blockUpdate(wf, d, registrar.AsError(err).Message+"; retrying"), true, nil
	case ctx.Err() != nil:
		return e.blockUpdate(wf, d, "the registry did not answer in time; checking"), true, nil
	case c.Op == registrar.HostDelete && registrar.IsKind(err, registrar.KindConflict):
		return e.fail(wf, registrar.CodeHostInUse, c.Host.Name+" is a name server of a domain; remove it from the domain's nameservers before deleting it"), true, nil
	case registrar.IsKind(err, registrar.KindNotFound):
		return e.fail(wf, registrar.CodeHostNotFound, "the registry has no host "+c.Host.Name), true, nil
	case registrar.IsKind(err, registrar.KindRejected), registrar.IsKind(err, registrar.KindInvalid), registrar.IsKind(err, registrar.KindConflict):
		return e.fail(wf, registrar.CodeRegistryRejected, "the registry refused the host change: "+registrar.AsError(err).Message), true, nil
	}
	return transition{}, true, err
}

// createdNameservers sends a new registration's name servers (the
// request's, or the extension's defaults) once the registry has created
// it, as an update with what the registry lacks of them (have: what it
// holds). It returns the name servers the registry now has, or nil when
// there are none to send or the update failed: that is best effort, like
// the transfer lock, and the registration succeeds without them (the
// user can set them with PATCH).
func (e *Engine) createdNameservers(ctx context.Context, reg registrar.Registry, ext registrar.Extension, wf *registrar.Workflow, d *registrationData, have []string) []string {
	want := d.Nameservers
	if len(want) == 0 {
		want = ext.DefaultNameservers
	}
	if len(want) == 0 {
		return nil
	}
	u := registrar.DomainUpdate{Name: wf.Domain}
	u.AddNameservers, u.RemoveNameservers = diff(lowerAll(have), want)
	if !dnsChanges(u) {
		return want
	}
	if err := reg.Update(ctx, u); err != nil {
		e.Logger.Warn("could not set the name servers of a new registration; set them with PATCH", "workflow_id", wf.ID, "domain", wf.Domain, "error", err)
		return nil
	}
	return want
}
