package daemon

import (
	"fmt"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/store"
)

// sessionGate returns the gate that makes a file registry's pool_size the
// deployment's total: on PostgreSQL, slots shared by every replica of the
// database (store.SessionSlots); on SQLite, where one process holds the
// data dir, none. The daemon closes it after the EPP clients.
func (d *Daemon) sessionGate(registry string, poolSize int) (epp.SessionGate, error) {
	if !d.db.IsPostgres() {
		return nil, nil
	}
	slots, err := d.db.SessionSlots(store.SessionSlotsConfig{Registry: registry, Slots: poolSize,
		Logger: d.cfg.Logger.With("registry", registry)})
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", registry, err)
	}
	d.slots = append(d.slots, slots)
	return slots, nil
}
