package store

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// The bounds of AdvanceClock: one advance moves an environment's clock
// at most MaxClockAdvance, and the clock runs at most MaxClockOffset ahead
// of real time in all (so that times stay far from overflowing).
const (
	MaxClockAdvance = 20 * 365 * 24 * time.Hour
	MaxClockOffset  = 100 * 365 * 24 * time.Hour
)

// ClockOffset returns how far env's clock runs ahead of real time and
// whether it may be shifted. An environment the daemon never set has no
// offset and is not shiftable.
func (db *DB) ClockOffset(ctx context.Context, env registrar.Env) (offset time.Duration, shiftable bool, err error) {
	var us int64
	err = db.read.queryRow(ctx, `SELECT offset_us, shiftable FROM clocks WHERE env = $1`, string(env)).Scan(&us, &shiftable)
	if isNoRows(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, dbErr("store.ClockOffset", err)
	}
	return time.Duration(us) * time.Microsecond, shiftable, nil
}

// SetClockShiftable says whether env's clock may be shifted, keeping its
// offset: the daemon writes it at every start, from its configuration.
func (db *DB) SetClockShiftable(ctx context.Context, env registrar.Env, shiftable bool) error {
	_, err := db.write.exec(ctx, `INSERT INTO clocks (env, offset_us, shiftable, updated_at) VALUES ($1, 0, $2, $3)
		ON CONFLICT (env) DO UPDATE SET shiftable = excluded.shiftable, updated_at = excluded.updated_at`,
		string(env), shiftable, micros(time.Now()))
	return dbErr("store.SetClockShiftable", err)
}

// AdvanceClock moves env's clock d ahead and returns its new offset. It
// refuses (KindInvalid) a d that is not positive or is over
// MaxClockAdvance, an offset past MaxClockOffset, and (KindConflict) an
// environment that is not shiftable: the live environment with real
// registries runs on real time.
func (db *DB) AdvanceClock(ctx context.Context, env registrar.Env, d time.Duration) (time.Duration, error) {
	const op = "store.AdvanceClock"
	switch {
	case d <= 0:
		return 0, registrar.Errorf(registrar.KindInvalid, op, "the clock only moves forward: %s is not a positive duration", d)
	case d > MaxClockAdvance:
		return 0, registrar.Errorf(registrar.KindInvalid, op, "one advance moves the clock at most 20 years, not %s", d)
	}
	var us int64
	err := db.write.queryRow(ctx, `UPDATE clocks SET offset_us = offset_us + $2, updated_at = $3
		WHERE env = $1 AND shiftable AND offset_us + $2 <= $4 RETURNING offset_us`,
		string(env), d.Microseconds(), micros(time.Now()), MaxClockOffset.Microseconds()).Scan(&us)
	if isNoRows(err) {
		off, shiftable, rerr := db.ClockOffset(ctx, env)
		switch {
		case rerr != nil:
			return 0, rerr
		case shiftable:
			return 0, registrar.Errorf(registrar.KindInvalid, op, "the %s clock is %s ahead already; it runs at most 100 years ahead", env, off)
		case env == registrar.EnvLive:
			return 0, registrar.Errorf(registrar.KindConflict, op, "the live clock cannot be shifted: the live environment runs on real time with real registries")
		}
		return 0, registrar.Errorf(registrar.KindConflict, op, "the %s clock cannot be shifted (no server has started on this database yet)", env)
	}
	if err != nil {
		return 0, dbErr(op, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// ShiftedClock is an environment's business clock: a base clock (the
// wall clock) plus the environment's offset, as Refresh last read it. It
// implements registrar.Clock; Now is safe for concurrent use.
type ShiftedClock struct {
	db     *DB
	env    registrar.Env
	base   registrar.Clock
	offset atomic.Int64 // nanoseconds
}

// NewShiftedClock returns env's clock on base, with no offset until
// Refresh reads it.
func (db *DB) NewShiftedClock(env registrar.Env, base registrar.Clock) *ShiftedClock {
	return &ShiftedClock{db: db, env: env, base: base}
}

// Now returns the base clock's time plus the offset.
func (c *ShiftedClock) Now() time.Time {
	return c.base.Now().Add(time.Duration(c.offset.Load()))
}

// Offset returns how far the clock runs ahead of its base.
func (c *ShiftedClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Env is the clock's environment.
func (c *ShiftedClock) Env() registrar.Env { return c.env }

// Refresh reads the environment's offset (none when it is not
// shiftable) and reports whether it changed.
func (c *ShiftedClock) Refresh(ctx context.Context) (changed bool, err error) {
	off, shiftable, err := c.db.ClockOffset(ctx, c.env)
	if err != nil {
		return false, err
	}
	if !shiftable {
		off = 0
	}
	return c.offset.Swap(int64(off)) != int64(off), nil
}
