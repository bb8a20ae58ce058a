package eppregistry_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkEPP measures EPP round trips through the client's session pool
// to the sandbox registry over TLS on loopback: checks (a query) and
// creates (a transform: contact create plus domain create, two round
// trips, reported per round trip). Run with
//
//	go test -run '^$' -bench EPP -benchtime 5s ./internal/eppregistry/
func BenchmarkEPP(b *testing.B) {
	for _, sessions := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("check/sessions=%d", sessions), func(b *testing.B) {
			f := newPooledFixture(b, time.Millisecond, sessions, false)
			ctx := context.Background()
			f.reg.Check(ctx, []string{"warm.com"}) // open a session first
			b.SetParallelism(sessions)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := f.reg.Check(ctx, []string{"bench-check.com"}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
		})
		b.Run(fmt.Sprintf("create/sessions=%d", sessions), func(b *testing.B) {
			f := newPooledFixture(b, time.Millisecond, sessions, false)
			ctx := context.Background()
			f.reg.Check(ctx, []string{"warm.com"})
			var n atomic.Int64
			b.SetParallelism(sessions)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					req := createRequest(fmt.Sprintf("bench-%d-%d.com", sessions, i), fmt.Sprintf("OR-bench-%d-%d", sessions, i))
					if _, err := f.reg.Create(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(2*float64(b.N)/time.Since(start).Seconds(), "roundtrips/s")
		})
	}
}
