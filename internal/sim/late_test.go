package sim

import (
	"testing"
	"time"
)

func TestLatenessSettlesOnTheTimersDelay(t *testing.T) {
	// A timer that always fires 400µs late: each answer is late by that
	// minus the correction already applied.
	const timerDelay = 400 * time.Microsecond
	var l lateness
	for range 2000 {
		l.observe(timerDelay - l.correction())
	}
	if got := l.correction(); got < timerDelay*99/100 || got > timerDelay {
		t.Errorf("correction = %v, want about %v", got, timerDelay)
	}
}

func TestLatenessNeverNegative(t *testing.T) {
	var l lateness
	l.observe(time.Millisecond * 64)
	if got := l.correction(); got != time.Millisecond {
		t.Fatalf("correction = %v, want 1ms", got)
	}
	// Answers going out early (say, with no time left to sleep) shrink
	// the correction, but never below zero.
	for range 10 {
		l.observe(-time.Second)
	}
	if got := l.correction(); got != 0 {
		t.Errorf("correction = %v, want 0", got)
	}
}

func TestStatsCountServedLatency(t *testing.T) {
	f := newFixture(t, Config{Latency: time.Millisecond}, mu(wsProd, "dep-1", 1, 1))
	for range 3 {
		if r := f.do(request{method: "GET", path: testPrefix, key: keyProd}); r.status != 200 {
			t.Fatalf("list: status %d", r.status)
		}
	}
	f.do(request{method: "GET", path: "/_sim/stats"}) // control requests do not wait
	st := f.sim.Stats()
	if st.Waited != 3 || st.WaitedNanos <= 0 || st.MeanLatency() <= 0 {
		t.Errorf("Waited = %d, WaitedNanos = %d, MeanLatency = %v; want 3 and positive", st.Waited, st.WaitedNanos, st.MeanLatency())
	}
	if got := (Stats{}).MeanLatency(); got != 0 {
		t.Errorf("MeanLatency of no requests = %v, want 0", got)
	}
}
