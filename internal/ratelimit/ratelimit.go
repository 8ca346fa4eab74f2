// Package ratelimit paces API requests under a budget that adapts to the
// server: a token bucket whose rate is cut multiplicatively when the server
// answers "too many requests" and raised additively while it does not
// (AIMD, as TCP does with its congestion window), never above a configured
// ceiling.
//
// The point is to spend the API's rate quota on requests that succeed. A
// fleet-wide rescale sent as fast as the connections allow draws a 429 for
// most requests, and every 429 parks its request for the server's
// Retry-After; paced at the rate the server grants, the same rescale runs
// at that rate with almost no 429 at all.
package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/capctl/capctl/internal/pause"
)

// The AIMD constants. They suit a server that refills its quota
// continuously (a token bucket) or every second (a fixed window).
const (
	// decrease is what a throttle multiplies the rate by. A gentler cut
	// than TCP's halving keeps the average closer to the server's rate;
	// the sawtooth between decrease×R and R averages (1+decrease)/2×R.
	decrease = 0.85
	// firstDecrease is the first cut when no limit applied yet. The rate
	// requests went out at until then says little about the server's
	// rate, which it may exceed severalfold, so this cut is deeper, as
	// TCP halves its window on leaving slow start.
	firstDecrease = 0.5
	// recovery is the share of the rate before the last cut that is won
	// back per second of successful requests: with 0.1 a cut to 0.85 is
	// recovered in a second and a half.
	recovery = 0.1
	// cutWindow is how long after a cut further throttles are taken as
	// echoes of the same overload (requests sent before the cut coming
	// back) and do not cut again.
	cutWindow = 250 * time.Millisecond
	// minRate is the floor of the rate, in requests per second, unless the
	// ceiling is lower still.
	minRate = 1.0
	// unknownRate is the rate a throttle cuts from when no limit applied
	// yet and too few requests were sent to measure their rate.
	unknownRate = 10.0
	// meterSize is how many recent request times the sending rate is
	// measured over.
	meterSize = 64
	// overloadShare is the share of throttled answers among the latest
	// outcomeSize that marks an overload worth a cut. A server over its
	// quota throttles most requests sent past it; one that throttles a
	// steady few whatever the rate (a flaky gateway, another tenant) is
	// not helped by slowing down, and cutting on every such 429 would
	// drive the rate to the floor.
	overloadShare = 0.25
	// outcomeSize is how many recent answers the share is taken over. No
	// cut is made before that many answers are in: a 429 among the first
	// few says nothing about the rate (a gateway that throttles one
	// request in ten throttles one of the first eight in more than half of
	// all runs), while a server really over its quota keeps throttling,
	// and at any parallelism 40 answers take a few round trips.
	outcomeSize = 40
)

// Adaptive is a request rate limiter that slows down on throttling (see
// the package comment). Call Wait before every request, then Throttled if
// the server answered 429 or Succeeded if it answered without throttling.
// It is safe for concurrent use.
type Adaptive struct {
	ceiling float64 // configured limit; +Inf when none
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error

	lim *rate.Limiter // synchronised on its own

	mu        sync.Mutex // guards the fields below
	rate      float64    // current limit; +Inf while no limit applies
	step      float64    // additive increase, requests/s gained per second
	lastCut   time.Time  // zero before the first cut
	throttles int
	sent      [meterSize]time.Time // ring of the latest grant times
	nSent     int                  // grants so far
	outcomes  [outcomeSize]bool    // ring of the latest answers: true = throttled
	nOut      int                  // answers so far
}

// New returns a limiter of at most limit requests per second with bursts
// of up to burst requests (at least 1). A limit of 0 (or less) configures
// no ceiling: requests go unpaced until the first throttle, and are paced
// by AIMD alone from then on.
func New(limit float64, burst int) *Adaptive {
	ceiling := math.Inf(1)
	if limit > 0 && !math.IsInf(limit, 1) {
		ceiling = limit
	}
	return &Adaptive{
		ceiling: ceiling,
		now:     time.Now,
		sleep:   pause.For,
		lim:     rate.NewLimiter(limitOf(ceiling), max(burst, 1)),
		rate:    ceiling,
	}
}

// Wait blocks until a request may be sent, or until ctx ends, in which case
// it returns ctx's error and gives its turn back.
func (a *Adaptive) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	now := a.now()
	// One token never exceeds the burst, so the reservation is always
	// granted; it only says when.
	res := a.lim.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	a.record(now.Add(delay))
	a.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	if err := a.sleep(ctx, delay); err != nil {
		res.CancelAt(a.now())
		return err
	}
	return nil
}

// Throttled reports a request the server refused as too many (HTTP 429).
// It cuts the rate to decrease (firstDecrease, when no limit applied yet)
// times the lower of the current rate and the rate requests were actually
// sent at, if the latest answers show an overload (a quarter of the latest
// outcomeSize throttled) and the last cut was at least cutWindow ago.
func (a *Adaptive) Throttled() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.throttles++
	a.outcome(true)
	now := a.now()
	if !a.lastCut.IsZero() && now.Sub(a.lastCut) < cutWindow {
		return
	}
	if !a.overloaded() {
		return
	}
	base, factor := a.rate, decrease
	if math.IsInf(base, 1) {
		factor = firstDecrease
	}
	if sent, ok := a.sentRate(now); ok {
		base = min(base, sent)
	}
	if math.IsInf(base, 1) {
		base = unknownRate
	}
	a.lastCut = now
	a.step = recovery * base
	a.set(now, max(factor*base, min(minRate, a.ceiling)))
}

// Succeeded reports a request the server answered without throttling. It
// raises the rate so that, while every request succeeds, the rate grows by
// a fixed amount per second, up to the ceiling.
func (a *Adaptive) Succeeded() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outcome(false)
	if a.rate >= a.ceiling {
		return // also when no limit applies yet: +Inf >= +Inf
	}
	a.set(a.now(), min(a.rate+a.step/a.rate, a.ceiling))
}

// Rate returns the current limit in requests per second, +Inf while no
// limit applies.
func (a *Adaptive) Rate() float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rate
}

// Throttles returns how many times Throttled was called: the 429 answers
// seen, each one counted even when it did not cut the rate.
func (a *Adaptive) Throttles() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.throttles
}

// outcome notes one answer. Call with a.mu held.
func (a *Adaptive) outcome(throttled bool) {
	a.outcomes[a.nOut%outcomeSize] = throttled
	a.nOut++
}

// overloaded reports whether the latest answers look like a server over
// its quota rather than a steady trickle of 429s (see overloadShare). Call
// with a.mu held.
func (a *Adaptive) overloaded() bool {
	if a.nOut < outcomeSize {
		return false
	}
	throttled := 0
	for i := range outcomeSize {
		if a.outcomes[i] {
			throttled++
		}
	}
	return float64(throttled) >= overloadShare*outcomeSize
}

// set changes the rate. Call with a.mu held.
func (a *Adaptive) set(now time.Time, r float64) {
	a.rate = r
	a.lim.SetLimitAt(now, limitOf(r))
}

// record notes that a request is sent at t. Call with a.mu held.
func (a *Adaptive) record(t time.Time) {
	a.sent[a.nSent%meterSize] = t
	a.nSent++
}

// sentRate measures the rate of the latest requests: how many were granted
// from the oldest remembered one until now (or the latest grant, if that
// lies ahead). It reports false when there is too little to measure. Call
// with a.mu held.
func (a *Adaptive) sentRate(now time.Time) (float64, bool) {
	n := min(a.nSent, meterSize)
	if n < 2 {
		return 0, false
	}
	oldest := a.sent[(a.nSent-n)%meterSize]
	newest := a.sent[(a.nSent-1)%meterSize]
	if newest.After(now) {
		now = newest
	}
	span := now.Sub(oldest)
	if span <= 0 {
		return 0, false
	}
	return float64(n) / span.Seconds(), true
}

// limitOf converts a rate to the limiter's type, +Inf to rate.Inf.
func limitOf(r float64) rate.Limit {
	if math.IsInf(r, 1) {
		return rate.Inf
	}
	return rate.Limit(r)
}
