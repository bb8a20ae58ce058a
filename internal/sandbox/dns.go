package sandbox

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// What makes a domain of the sandbox registry resolve (issue 14): its
// name servers (host objects, RFC 5732), their glue, and DS records
// (RFC 5910).

// The sandbox registry's default name servers: external hosts it creates
// itself (schema version 7), sponsored by the registry (HostSponsor), so
// that every registrar may delegate to them and none may change or
// delete them. A domain created without name servers has none: the
// registrar sends these defaults when its user gives none.
const (
	DefaultNameserver1 = registrar.BuiltinNameserver1
	DefaultNameserver2 = registrar.BuiltinNameserver2
	// RegistrySponsor is the clID of the hosts the registry owns.
	RegistrySponsor = "sandbox-registry"
)

// DefaultNameservers returns the sandbox registry's default name servers.
func DefaultNameservers() []string { return []string{DefaultNameserver1, DefaultNameserver2} }

// MaxDSRecords bounds a domain's DS records.
const MaxDSRecords = 8

// dsAlgorithms are the DNSSEC algorithms a DS record may name: those RFC
// 8624 §3.1 does not forbid for signing (RSASHA1 5, RSASHA1-NSEC3-SHA1 7,
// RSASHA256 8, RSASHA512 10, ECDSAP256SHA256 13, ECDSAP384SHA384 14,
// ED25519 15, ED448 16).
var dsAlgorithms = map[int]bool{5: true, 7: true, 8: true, 10: true, 13: true, 14: true, 15: true, 16: true}

// dsDigestLengths are the digest types a DS record may have (RFC 8624
// §3.3: SHA-1, SHA-256, SHA-384; GOST is forbidden) and their digests'
// lengths in bytes.
var dsDigestLengths = map[int]int{1: 20, 2: 32, 4: 48}

// CheckDS checks a DS record as the registry does: a known algorithm and
// digest type, a key tag of 16 bits and a hex digest of the type's length
// (2306 otherwise, 2005 for a digest that is not hex). It returns the
// record with its digest in upper case.
func CheckDS(d registrar.DSRecord) (registrar.DSRecord, error) {
	switch {
	case d.KeyTag < 0 || d.KeyTag > 65535:
		return d, failf(CodeRangeError, "key tag %d outside 0 to 65535", d.KeyTag)
	case !dsAlgorithms[d.Algorithm]:
		return d, failf(CodePolicyError, "DS algorithm %d is not accepted (RFC 8624)", d.Algorithm)
	case dsDigestLengths[d.DigestType] == 0:
		return d, failf(CodePolicyError, "DS digest type %d is not accepted (RFC 8624)", d.DigestType)
	}
	b, err := hex.DecodeString(d.Digest)
	if err != nil {
		return d, failf(CodeSyntaxError, "DS digest is not hex")
	}
	if want := dsDigestLengths[d.DigestType]; len(b) != want {
		return d, failf(CodePolicyError, "DS digest of type %d has %d bytes, want %d", d.DigestType, len(b), want)
	}
	d.Digest = strings.ToUpper(d.Digest)
	return d, nil
}

// cleanAddrs checks host addresses and returns them in canonical form,
// without duplicates.
func cleanAddrs(addrs []HostAddr) ([]HostAddr, error) {
	clean := make([]HostAddr, 0, len(addrs))
	seen := make(map[netip.Addr]bool)
	for _, a := range addrs {
		kind := a.IP
		if kind == "" {
			kind = "v4"
		}
		ip, err := netip.ParseAddr(a.Addr)
		switch {
		case kind != "v4" && kind != "v6":
			return nil, failf(CodeSyntaxError, "address type %q, want v4 or v6", a.IP)
		case err != nil || ip.Zone() != "" || kind == "v4" && !ip.Is4() || kind == "v6" && (!ip.Is6() || ip.Is4In6()):
			return nil, failf(CodeSyntaxError, "invalid %s address %q", kind, a.Addr)
		case seen[ip]:
			continue
		}
		seen[ip] = true
		clean = append(clean, HostAddr{IP: kind, Addr: ip.String()})
	}
	return clean, nil
}

// HostDetails is what HostInfo reports of a host object.
type HostDetails struct {
	Name    string
	ROID    string
	Sponsor string
	// Superordinate is the domain of the registry the host is under, or
	// "" for an external host.
	Superordinate string
	Addrs         []HostAddr
	// Linked means a domain uses the host as a name server.
	Linked    bool
	CreatedAt time.Time
	UpdatedAt time.Time // zero if never updated
}

// HostAvail is one name of a host check.
type HostAvail struct {
	Name   string
	Avail  bool
	Reason string
}

type hostRow struct {
	rowid          int64
	sponsor, super string
	addrs          []HostAddr
	created        int64
	updated        sql.NullInt64
	linked         bool
}

// loadHost returns the host called name, or a 2303 failure.
func loadHost(ctx context.Context, tx *txn, name string) (*hostRow, error) {
	h := &hostRow{}
	var super sql.NullString
	var addrs string
	err := tx.QueryRowContext(ctx, `
		SELECT rowid, sponsor, superordinate, addrs, created_at, updated_at,
			EXISTS (SELECT 1 FROM domain_ns WHERE host = hosts.name)
		FROM hosts WHERE name = ?`, name).
		Scan(&h.rowid, &h.sponsor, &super, &addrs, &h.created, &h.updated, &h.linked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, failf(CodeObjectNotExists, "host %s", name)
	}
	if err != nil {
		return nil, err
	}
	h.super = super.String
	if err := json.Unmarshal([]byte(addrs), &h.addrs); err != nil {
		return nil, err
	}
	return h, nil
}

// HostCheck reports which host names are free to create.
func (e *Engine) HostCheck(ctx context.Context, clientID, clTRID string, names []string) ([]HostAvail, Response, error) {
	cmd := &command{name: "host:check", clientID: clientID, clTRID: clTRID}
	var out []HostAvail
	resp, err := e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		out = out[:0]
		for _, n := range names {
			n = normalizeName(n)
			if !validName(n) {
				return 0, failf(CodeSyntaxError, "invalid host name %q", n)
			}
			var c int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hosts WHERE name = ?`, n).Scan(&c); err != nil {
				return 0, err
			}
			a := HostAvail{Name: n, Avail: c == 0}
			if !a.Avail {
				a.Reason = "In use"
			}
			out = append(out, a)
		}
		return CodeOK, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// HostInfo returns a host object; anyone may see it.
func (e *Engine) HostInfo(ctx context.Context, clientID, clTRID, name string) (HostDetails, Response, error) {
	name = normalizeName(name)
	cmd := &command{name: "host:info", clientID: clientID, clTRID: clTRID, domain: name}
	var out HostDetails
	resp, err := e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		h, err := loadHost(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		out = HostDetails{Name: name, ROID: "H" + strconv.FormatInt(h.rowid, 10) + roidSuffix, Sponsor: h.sponsor,
			Superordinate: h.super, Addrs: h.addrs, Linked: h.linked, CreatedAt: time.UnixMicro(h.created).UTC()}
		if h.updated.Valid {
			out.UpdatedAt = time.UnixMicro(h.updated.Int64).UTC()
		}
		return CodeOK, nil
	})
	if err != nil {
		return HostDetails{}, resp, err
	}
	return out, resp, nil
}

// HostUpdate adds and removes addresses of a host sponsored by clientID
// (2201 otherwise). Only a subordinate host may have addresses (2306),
// and one that a domain uses keeps at least one (2306). Adding an
// address it has, or removing one it has not, is not an error.
func (e *Engine) HostUpdate(ctx context.Context, clientID, clTRID, name string, add, rem []HostAddr) (Response, error) {
	name = normalizeName(name)
	cmd := &command{name: "host:update", clientID: clientID, clTRID: clTRID, domain: name}
	return e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		add, err := cleanAddrs(add)
		if err != nil {
			return 0, err
		}
		rem, err := cleanAddrs(rem)
		if err != nil {
			return 0, err
		}
		h, err := loadHost(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		if h.sponsor != clientID {
			return 0, fail(CodeAuthorization, "")
		}
		addrs := slices.DeleteFunc(h.addrs, func(a HostAddr) bool { return slices.Contains(rem, a) })
		for _, a := range add {
			if !slices.Contains(addrs, a) {
				addrs = append(addrs, a)
			}
		}
		switch {
		case h.super == "" && len(addrs) > 0:
			return 0, fail(CodePolicyError, "addresses are only allowed for hosts under a domain of this registry")
		case h.super != "" && h.linked && len(addrs) == 0:
			return 0, fail(CodePolicyError, "a name server under its domain needs an address (glue)")
		}
		b, err := json.Marshal(addrs)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE hosts SET addrs = ?, updated_at = ? WHERE name = ?`, string(b), now.UnixMicro(), name); err != nil {
			return 0, err
		}
		return CodeOK, nil
	})
}

// HostDelete deletes a host sponsored by clientID (2201 otherwise) that
// no domain uses (2305 otherwise).
func (e *Engine) HostDelete(ctx context.Context, clientID, clTRID, name string) (Response, error) {
	name = normalizeName(name)
	cmd := &command{name: "host:delete", clientID: clientID, clTRID: clTRID, domain: name}
	return e.exec(ctx, cmd, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		h, err := loadHost(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		switch {
		case h.sponsor != clientID:
			return 0, fail(CodeAuthorization, "")
		case h.linked:
			return 0, fail(CodeAssociation, "the host is a name server of a domain")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM hosts WHERE name = ?`, name); err != nil {
			return 0, err
		}
		return CodeOK, nil
	})
}

// DomainChange is a domain update over EPP: a registrar.DomainUpdate
// (its Registrant contact data is not used) and the new registrant's
// contact ID.
type DomainChange struct {
	registrar.DomainUpdate
	// RegistrantID is the new registrant's contact ID (<domain:chg>
	// <domain:registrant>), sponsored by the client; "" keeps it.
	RegistrantID string
}

// changeDNS applies the name server and DS record changes of an update
// to domain name, checking the registry's rules: name servers exist as
// host objects (2303), at most registrar.MaxNameservers of them (2306), a
// subordinate one with an address (2306); DS records as CheckDS, at most
// MaxDSRecords.
func changeDNS(ctx context.Context, tx *txn, name string, req registrar.DomainUpdate) error {
	for _, h := range req.RemoveNameservers {
		if _, err := tx.ExecContext(ctx, `DELETE FROM domain_ns WHERE domain = ? AND host = ?`, name, normalizeName(h)); err != nil {
			return err
		}
	}
	for _, h := range req.AddNameservers {
		h = normalizeName(h)
		host, err := loadHost(ctx, tx, h)
		if err != nil {
			return err
		}
		if host.super != "" && len(host.addrs) == 0 {
			return failf(CodePolicyError, "name server %s is under %s and has no address (glue)", h, host.super)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO domain_ns (domain, host) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, h); err != nil {
			return err
		}
	}
	if len(req.AddNameservers) > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM domain_ns WHERE domain = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > registrar.MaxNameservers {
			return failf(CodePolicyError, "%d name servers, at most %d", n, registrar.MaxNameservers)
		}
	}
	if req.RemoveAllDS {
		if _, err := tx.ExecContext(ctx, `DELETE FROM domain_ds WHERE domain = ?`, name); err != nil {
			return err
		}
	}
	for _, d := range req.RemoveDS {
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM domain_ds WHERE domain = ? AND key_tag = ? AND alg = ? AND digest_type = ? AND digest = ?`,
			name, d.KeyTag, d.Algorithm, d.DigestType, strings.ToUpper(d.Digest)); err != nil {
			return err
		}
	}
	for _, d := range req.AddDS {
		d, err := CheckDS(d)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO domain_ds (domain, key_tag, alg, digest_type, digest) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			name, d.KeyTag, d.Algorithm, d.DigestType, d.Digest); err != nil {
			return err
		}
	}
	if len(req.AddDS) > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM domain_ds WHERE domain = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > MaxDSRecords {
			return failf(CodePolicyError, "%d DS records, at most %d", n, MaxDSRecords)
		}
	}
	return nil
}

// loadDS returns a domain's DS records, sorted.
func loadDS(ctx context.Context, tx *txn, name string) ([]registrar.DSRecord, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT key_tag, alg, digest_type, digest FROM domain_ds WHERE domain = ? ORDER BY key_tag, alg, digest_type, digest`, name)
	if err != nil {
		return nil, err
	}
	var out []registrar.DSRecord
	for rows.Next() {
		var d registrar.DSRecord
		if err := rows.Scan(&d.KeyTag, &d.Algorithm, &d.DigestType, &d.Digest); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	return out, closeRows(rows)
}

// Holding is what the registry holds for a domain, as its operator sees
// it (Show).
type Holding struct {
	Name        string
	Sponsor     string
	Registrant  string // contact ID; "" for a domain created in process
	CreatedAt   time.Time
	ExpiresAt   time.Time
	Statuses    []string // EPP statuses
	RGPStatuses []string
	Nameservers []string // sorted
	// Hosts are the subordinate hosts, sorted by name, and the name
	// servers' hosts that are not subordinate.
	Hosts     []HostDetails
	DSRecords []registrar.DSRecord
}

// Show returns what the registry holds for a domain, without logging a
// command (for `registrar sandbox show`); a 2303 *Error when it has none.
func (e *Engine) Show(ctx context.Context, name string) (Holding, error) {
	name = normalizeName(name)
	tx, err := e.begin(ctx)
	if err != nil {
		return Holding{}, err
	}
	defer tx.tx.Rollback()
	d, err := loadDomain(ctx, tx, name)
	if err != nil {
		return Holding{}, err
	}
	now := e.now()
	out := Holding{Name: name, Sponsor: d.sponsor, CreatedAt: d.createdAt, ExpiresAt: d.expiresAt,
		Statuses: d.eppStatuses(), RGPStatuses: d.rgpStatuses(now, e.life)}
	var registrant sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT registrant_id FROM domains WHERE name = ?`, name).Scan(&registrant); err != nil {
		return Holding{}, err
	}
	out.Registrant = registrant.String
	if out.Nameservers, err = queryColumn[string](ctx, tx, `SELECT host FROM domain_ns WHERE domain = ? ORDER BY host`, name); err != nil {
		return Holding{}, err
	}
	hosts, err := queryColumn[string](ctx, tx, `
		SELECT name FROM hosts WHERE superordinate = ? OR name IN (SELECT host FROM domain_ns WHERE domain = ?) ORDER BY name`, name, name)
	if err != nil {
		return Holding{}, err
	}
	for _, h := range hosts {
		row, err := loadHost(ctx, tx, h)
		if err != nil {
			return Holding{}, err
		}
		hd := HostDetails{Name: h, ROID: "H" + strconv.FormatInt(row.rowid, 10) + roidSuffix, Sponsor: row.sponsor,
			Superordinate: row.super, Addrs: row.addrs, Linked: row.linked, CreatedAt: time.UnixMicro(row.created).UTC()}
		if row.updated.Valid {
			hd.UpdatedAt = time.UnixMicro(row.updated.Int64).UTC()
		}
		out.Hosts = append(out.Hosts, hd)
	}
	if out.DSRecords, err = loadDS(ctx, tx, name); err != nil {
		return Holding{}, err
	}
	return out, nil
}
