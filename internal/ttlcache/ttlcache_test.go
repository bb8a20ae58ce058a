package ttlcache

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// op is one step of a table case: a Put of key=value, or a Get of key
// expecting value ("" for a miss), at t0 plus at.
type op struct {
	put   bool
	key   string
	value string
	at    time.Duration
}

func TestCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		size    int
		ops     []op
		wantLen int
	}{
		{"hit before the ttl", 10, []op{{put: true, key: "a", value: "1"}, {key: "a", value: "1", at: time.Minute - time.Nanosecond}}, 1},
		{"miss at the ttl", 10, []op{{put: true, key: "a", value: "1"}, {key: "a", at: time.Minute}}, 1},
		{"miss for an unknown key", 10, []op{{put: true, key: "a", value: "1"}, {key: "b"}}, 1},
		{"a put replaces the value and the expiry", 10, []op{
			{put: true, key: "a", value: "1"},
			{put: true, key: "a", value: "2", at: 30 * time.Second},
			{key: "a", value: "2", at: 80 * time.Second},
			{key: "a", at: 90 * time.Second},
		}, 1},
		{"a full cache drops the expired entries first", 8, []op{
			{put: true, key: "old", value: "1"},
			{put: true, key: "k1", value: "1", at: 40 * time.Second},
			{put: true, key: "k2", value: "1", at: 40 * time.Second},
			{put: true, key: "k3", value: "1", at: 40 * time.Second},
			{put: true, key: "k4", value: "1", at: 40 * time.Second},
			{put: true, key: "k5", value: "1", at: 40 * time.Second},
			{put: true, key: "k6", value: "1", at: 40 * time.Second},
			{put: true, key: "k7", value: "1", at: 40 * time.Second},
			{put: true, key: "new", value: "1", at: 70 * time.Second}, // "old" expired at 60s
			{key: "k1", value: "1", at: 70 * time.Second},
			{key: "k7", value: "1", at: 70 * time.Second},
			{key: "new", value: "1", at: 70 * time.Second},
		}, 8},
		{"a full cache with nothing expired drops down to seven eighths, then adds", 8, []op{
			{put: true, key: "k1", value: "1"}, {put: true, key: "k2", value: "1"}, {put: true, key: "k3", value: "1"},
			{put: true, key: "k4", value: "1"}, {put: true, key: "k5", value: "1"}, {put: true, key: "k6", value: "1"},
			{put: true, key: "k7", value: "1"}, {put: true, key: "k8", value: "1"},
			{put: true, key: "new", value: "2"},
			{key: "new", value: "2"},
		}, 8},
		{"a put of a held key into a full cache drops nothing", 2, []op{
			{put: true, key: "a", value: "1"}, {put: true, key: "b", value: "1"},
			{put: true, key: "a", value: "2"},
			{key: "a", value: "2"}, {key: "b", value: "1"},
		}, 2},
		{"size below one holds one", 0, []op{{put: true, key: "a", value: "1"}, {put: true, key: "b", value: "2"}, {key: "b", value: "2"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := New[string, string](time.Minute, tt.size)
			for i, o := range tt.ops {
				if o.put {
					c.Put(o.key, o.value, t0.Add(o.at))
					continue
				}
				got, ok := c.Get(o.key, t0.Add(o.at))
				if want := o.value != ""; ok != want || got != o.value {
					t.Errorf("op %d: Get(%q, t0+%s) = %q, %t; want %q, %t", i, o.key, o.at, got, ok, o.value, want)
				}
			}
			if got := c.Len(); got != tt.wantLen {
				t.Errorf("Len() = %d, want %d", got, tt.wantLen)
			}
		})
	}
}

// TestCacheBounded: however many keys are put, the cache never holds more
// than its size, and the key just put is always there.
func TestCacheBounded(t *testing.T) {
	t.Parallel()
	for _, size := range []int{1, 7, 100} {
		c := New[int, int](time.Minute, size)
		for i := range 10 * size {
			c.Put(i, i, t0)
			if n := c.Len(); n > size {
				t.Fatalf("size %d: after %d puts Len() = %d", size, i+1, n)
			}
			if v, ok := c.Get(i, t0); !ok || v != i {
				t.Fatalf("size %d: Get(%d) after Put = %d, %t; want %d, true", size, i, v, ok, i)
			}
		}
	}
}

// TestCacheConcurrent runs Puts and Gets from many goroutines (run it with
// -race): every hit returns the value put under that key, and the bound
// holds throughout.
func TestCacheConcurrent(t *testing.T) {
	t.Parallel()
	const size, keys, goroutines, rounds = 64, 200, 8, 2000
	c := New[string, string](time.Minute, size)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				k := fmt.Sprint((g*rounds + i*7) % keys)
				now := t0.Add(time.Duration(i) * time.Millisecond * 50) // some entries expire
				if i%3 == 0 {
					c.Put(k, "v"+k, now)
				} else if v, ok := c.Get(k, now); ok && v != "v"+k {
					t.Errorf("Get(%q) = %q, want %q", k, v, "v"+k)
				}
				if n := c.Len(); n > size {
					t.Errorf("Len() = %d, over the size %d", n, size)
				}
			}
		})
	}
	wg.Wait()
}
