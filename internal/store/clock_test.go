package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// fixedClock is a base clock standing still.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestClock: an environment's clock moves only forward, only when
// shiftable, keeps its offset across SetClockShiftable, and a
// ShiftedClock sees each change once on Refresh; a clock made
// unshiftable runs on real time whatever offset is stored.
func TestClock(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := t.Context()
		db := storetest.Open(t, b)
		base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		sandbox := db.NewShiftedClock(registrar.EnvSandbox, fixedClock(base))
		other := db.NewShiftedClock(registrar.EnvSandbox, fixedClock(base)) // another replica's

		if _, err := db.AdvanceClock(ctx, registrar.EnvSandbox, time.Hour); !registrar.IsKind(err, registrar.KindConflict) {
			t.Errorf("AdvanceClock before any server set the clock = %v, want a conflict", err)
		}
		for _, env := range []registrar.Env{registrar.EnvSandbox, registrar.EnvLive} {
			if err := db.SetClockShiftable(ctx, env, env == registrar.EnvSandbox); err != nil {
				t.Fatal(err)
			}
		}
		if changed, err := sandbox.Refresh(ctx); err != nil || changed {
			t.Errorf("Refresh of an unmoved clock = %v, %v; want unchanged", changed, err)
		}

		year := 335 * 24 * time.Hour
		off, err := db.AdvanceClock(ctx, registrar.EnvSandbox, year)
		if err != nil || off != year {
			t.Fatalf("AdvanceClock(335d) = %s, %v; want %s", off, err, year)
		}
		if off, err = db.AdvanceClock(ctx, registrar.EnvSandbox, 12*time.Hour); err != nil || off != year+12*time.Hour {
			t.Fatalf("AdvanceClock(12h) = %s, %v", off, err)
		}
		for _, c := range []*store.ShiftedClock{sandbox, other} {
			if changed, err := c.Refresh(ctx); err != nil || !changed {
				t.Errorf("Refresh after an advance = %v, %v; want changed", changed, err)
			}
			if got, want := c.Now(), base.Add(year+12*time.Hour); !got.Equal(want) {
				t.Errorf("Now() = %s, want %s", got, want)
			}
		}
		if changed, _ := sandbox.Refresh(ctx); changed {
			t.Error("a second Refresh reported a change")
		}

		_, err = db.AdvanceClock(ctx, registrar.EnvLive, time.Hour)
		if !registrar.IsKind(err, registrar.KindConflict) || !strings.Contains(err.Error(), "real time with real registries") {
			t.Errorf("AdvanceClock(live) when not shiftable = %v, want the real-time refusal", err)
		}
		for _, d := range []time.Duration{0, -time.Hour, store.MaxClockAdvance + time.Hour} {
			if _, err := db.AdvanceClock(ctx, registrar.EnvSandbox, d); !registrar.IsKind(err, registrar.KindInvalid) {
				t.Errorf("AdvanceClock(%s) = %v, want invalid", d, err)
			}
		}
		for range 5 {
			db.AdvanceClock(ctx, registrar.EnvSandbox, store.MaxClockAdvance)
		}
		if off, _, _ := db.ClockOffset(ctx, registrar.EnvSandbox); off > store.MaxClockOffset {
			t.Errorf("offset %s past the most, %s", off, store.MaxClockOffset)
		}

		// Made unshiftable (a restart with real registries, for live): the
		// offset stays stored, and the clock ignores it.
		if err := db.SetClockShiftable(ctx, registrar.EnvSandbox, false); err != nil {
			t.Fatal(err)
		}
		off, shiftable, err := db.ClockOffset(ctx, registrar.EnvSandbox)
		if err != nil || shiftable || off == 0 {
			t.Errorf("ClockOffset after SetClockShiftable(false) = %s, %v, %v; want the offset kept, not shiftable", off, shiftable, err)
		}
		if changed, err := sandbox.Refresh(ctx); err != nil || !changed || !sandbox.Now().Equal(base) {
			t.Errorf("Refresh of an unshiftable clock = %v, %v, Now %s; want changed to real time %s", changed, err, sandbox.Now(), base)
		}
	})
}
