package sim

import (
	"sync/atomic"
	"time"
)

// lateness corrects the server's latency timers for how late they fire.
// A timer set for d fires a few hundred microseconds after d on an idle
// machine, and more when the CPU is busy, so a server that sleeps exactly
// its latency answers slower than configured. Every answer reports how
// late it was against its due time, and the correction moves by 1/64 of
// that, so it settles where answers are on time on average: the mean time
// from a request's arrival to its answer is the configured latency.
type lateness struct {
	ns atomic.Int64 // the correction, never negative
}

// correction is how much earlier than due a timer should be set.
func (l *lateness) correction() time.Duration { return time.Duration(l.ns.Load()) }

// observe folds in that an answer went out late past its due time
// (negative: early).
func (l *lateness) observe(late time.Duration) {
	for {
		old := l.ns.Load()
		next := max(0, old+int64(late)/64)
		if l.ns.CompareAndSwap(old, next) {
			return
		}
	}
}
