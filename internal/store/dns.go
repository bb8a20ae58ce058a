package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openregistrar/registrar/internal/registrar"
)

// jsonListInto scans a nullable JSON array column (nameservers).
type jsonListInto struct{ l *[]string }

func (m jsonListInto) Scan(v any) error {
	*m.l = nil
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("store: cannot scan %T as a JSON list", v)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, m.l)
}

// SetRegistrationDNS records the name servers and DNSSEC data the registry
// holds for a registration (issue 14): nil leaves a column as it is. An
// empty DNSSEC (no DS records) is stored as such: DNSSEC off. On
// PostgreSQL the update goes out with the transaction's next statement
// (see pgTx).
func (tx *Tx) SetRegistrationDNS(ctx context.Context, env registrar.Env, domain string, nameservers []string, dnssec *registrar.DNSSEC) error {
	const op = "store.SetRegistrationDNS"
	var ns, ds *string
	if nameservers != nil {
		b, _ := json.Marshal(nameservers)
		s := string(b)
		ns = &s
	}
	if dnssec != nil {
		d := *dnssec
		if d.DSRecords == nil {
			d.DSRecords = []registrar.DSRecord{}
		}
		b, _ := json.Marshal(d)
		s := string(b)
		ds = &s
	}
	return tx.deferExec(ctx, `UPDATE registrations SET nameservers = COALESCE($1, nameservers), dnssec = COALESCE($2, dnssec) WHERE env = $3 AND domain = $4`,
		[]any{ns, ds, env, domain}, func(n int64, err error) error {
			if err != nil {
				return dbErr(op, err)
			}
			if n == 0 {
				return registrar.Errorf(registrar.KindNotFound, op, "registration of %s not found", domain)
			}
			return nil
		})
}
