package ratelimit

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told to or when the limiter
// sleeps on it, so the tests see exact times and never wait.
type fakeClock struct {
	t     time.Time
	slept time.Duration
}

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	c.slept += d
	return nil
}

func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newFake returns a limiter on a fake clock.
func newFake(limit float64, burst int) (*Adaptive, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	a := New(limit, burst)
	a.now, a.sleep = c.now, c.sleep
	return a, c
}

// overload fills the limiter's memory of answers with throttles, as a
// server far over its quota would, so the next Throttled may cut. It does
// not count as Throttled calls.
func overload(a *Adaptive) {
	for range outcomeSize {
		a.outcome(true)
	}
}

// waitN calls Wait n times and fails the test on an error.
func waitN(t *testing.T, a *Adaptive, n int) {
	t.Helper()
	for i := range n {
		if err := a.Wait(context.Background()); err != nil {
			t.Fatalf("Wait %d: %v", i, err)
		}
	}
}

func TestWaitPaces(t *testing.T) {
	tests := map[string]struct {
		limit     float64
		burst, n  int
		wantSlept time.Duration
	}{
		"burst goes at once":        {limit: 10, burst: 5, n: 5, wantSlept: 0},
		"then one per 1/limit":      {limit: 10, burst: 5, n: 15, wantSlept: time.Second},
		"burst 1 spaces every call": {limit: 200, burst: 1, n: 201, wantSlept: time.Second},
		"burst 0 means 1":           {limit: 4, burst: 0, n: 3, wantSlept: 500 * time.Millisecond},
		"no limit never waits":      {limit: 0, burst: 1, n: 10000, wantSlept: 0},
		"negative is no limit":      {limit: -3, burst: 1, n: 100, wantSlept: 0},
		"infinite is no limit":      {limit: math.Inf(1), burst: 1, n: 100, wantSlept: 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, c := newFake(tt.limit, tt.burst)
			waitN(t, a, tt.n)
			if c.slept != tt.wantSlept {
				t.Errorf("%d waits slept %v, want %v", tt.n, c.slept, tt.wantSlept)
			}
		})
	}
}

func TestWaitCancelled(t *testing.T) {
	a, c := newFake(1, 1)
	waitN(t, a, 1) // takes the only token
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context = %v, want context.Canceled", err)
	}
	// A wait cut short gives its turn back: the next request waits one
	// interval, not two.
	a2, c2 := newFake(1, 1)
	waitN(t, a2, 1)
	a2.sleep = func(context.Context, time.Duration) error { return context.DeadlineExceeded }
	if err := a2.Wait(context.Background()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait whose sleep failed = %v, want that error", err)
	}
	a2.sleep = c2.sleep
	waitN(t, a2, 1)
	if c2.slept != time.Second {
		t.Errorf("after a cancelled wait the next one slept %v, want 1s", c2.slept)
	}
	if c.slept != 0 {
		t.Errorf("a cancelled wait slept %v", c.slept)
	}
}

func TestThrottledCutsOncePerWindow(t *testing.T) {
	a, c := newFake(100, 1)
	overload(a)
	a.Throttled()
	if got, want := a.Rate(), 100*decrease; !near(got, want) {
		t.Fatalf("rate after a throttle = %v, want %v", got, want)
	}
	// More 429s of the same overload, within the window: no further cut.
	c.advance(cutWindow / 2)
	a.Throttled()
	a.Throttled()
	if got, want := a.Rate(), 100*decrease; !near(got, want) {
		t.Errorf("rate after throttles within the window = %v, want %v", got, want)
	}
	c.advance(cutWindow)
	a.Throttled()
	if got, want := a.Rate(), 100*decrease*decrease; !near(got, want) {
		t.Errorf("rate after a throttle past the window = %v, want %v", got, want)
	}
	if got := a.Throttles(); got != 4 {
		t.Errorf("Throttles() = %d, want 4 (every 429 counts)", got)
	}
}

func TestThrottledFloor(t *testing.T) {
	tests := map[string]struct {
		limit, want float64
	}{
		"floor is 1/s":                 {limit: 5, want: minRate},
		"a lower ceiling is the floor": {limit: 0.25, want: 0.25},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, c := newFake(tt.limit, 1)
			overload(a)
			for range 50 {
				a.Throttled()
				c.advance(cutWindow)
			}
			if got := a.Rate(); !near(got, tt.want) {
				t.Errorf("rate after many throttles = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSucceededRecoversToCeiling(t *testing.T) {
	a, c := newFake(100, 1)
	overload(a)
	a.Throttled() // 85/s, recovering 10/s per second
	// The rate grows by step/rate per success, so at a success rate equal
	// to the rate it gains step per second: 15/s takes 1.5 s, about 140
	// successes at 85-100/s.
	n := 0
	for a.Rate() < 100 {
		a.Succeeded()
		c.advance(10 * time.Millisecond)
		n++
		if n > 1000 {
			t.Fatalf("rate still %v after %d successes", a.Rate(), n)
		}
	}
	if n < 100 || n > 200 {
		t.Errorf("recovery took %d successes, want about 140", n)
	}
	for range 1000 {
		a.Succeeded()
	}
	if got := a.Rate(); got != 100 {
		t.Errorf("rate = %v, want the ceiling 100", got)
	}
}

func TestNoCeilingStartsUnlimited(t *testing.T) {
	a, c := newFake(0, 1)
	if got := a.Rate(); !math.IsInf(got, 1) {
		t.Fatalf("rate with no ceiling = %v, want +Inf", got)
	}
	a.Succeeded()
	if got := a.Rate(); !math.IsInf(got, 1) {
		t.Fatalf("rate after a success = %v, want +Inf still", got)
	}
	// 64 requests in 160 ms: 400/s were sent. The first throttle halves
	// what was sent, since no limit applied.
	for range meterSize {
		waitN(t, a, 1)
		c.advance(2500 * time.Microsecond)
	}
	overload(a)
	a.Throttled()
	if got, want := a.Rate(), 400*firstDecrease; !near(got, want) {
		t.Fatalf("rate after the first throttle = %v, want %v", got, want)
	}
	// From then on AIMD: successes raise the rate with no ceiling.
	for range 1000 {
		a.Succeeded()
		c.advance(time.Millisecond)
	}
	if got := a.Rate(); got <= 400*firstDecrease || math.IsInf(got, 1) {
		t.Errorf("rate after successes = %v, want above %v and finite", got, 400*firstDecrease)
	}
}

func TestThrottledCutsFromSentRate(t *testing.T) {
	// A ceiling far above what is sent: the cut starts from the rate the
	// requests went out at, not from the ceiling.
	a, c := newFake(1000, 1)
	for range 20 {
		waitN(t, a, 1)
		c.advance(20 * time.Millisecond)
	}
	overload(a)
	a.Throttled()
	if got, want := a.Rate(), 50*decrease; !near(got, want) {
		t.Errorf("rate = %v, want %v (50/s sent)", got, want)
	}
}

func TestThrottledWithNothingSent(t *testing.T) {
	a, _ := newFake(0, 1)
	overload(a)
	a.Throttled()
	if got, want := a.Rate(), unknownRate*firstDecrease; !near(got, want) {
		t.Errorf("rate = %v, want %v", got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6*max(1, math.Abs(b)) }

// TestConcurrentUse runs the methods from many goroutines, for the race
// detector, on the real clock at a rate high enough never to wait long.
func TestConcurrentUse(t *testing.T) {
	a := New(1e6, 100)
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := a.Wait(context.Background()); err != nil {
					t.Errorf("Wait: %v", err)
					return
				}
				if (w+i)%50 == 0 {
					a.Throttled()
				} else {
					a.Succeeded()
				}
				_ = a.Rate()
			}
		})
	}
	wg.Wait()
	if got, want := a.Throttles(), workers*each/50; got != want {
		t.Errorf("Throttles() = %d, want %d", got, want)
	}
}

func TestSteadyFewThrottlesDoNotCut(t *testing.T) {
	a, c := newFake(100, 1)
	for i := range 400 { // one answer in ten throttled, whatever the rate
		waitN(t, a, 1)
		if i%10 == 9 {
			a.Throttled()
		} else {
			a.Succeeded()
		}
		c.advance(300 * time.Millisecond) // past cutWindow every time
	}
	if got := a.Rate(); got != 100 {
		t.Errorf("Rate() = %v after steady 10%% throttles, want the ceiling 100", got)
	}
	if got := a.Throttles(); got != 40 {
		t.Errorf("Throttles() = %d, want 40", got)
	}
}

func TestOverloadCuts(t *testing.T) {
	a, c := newFake(100, 1)
	for range 30 {
		waitN(t, a, 1)
		a.Succeeded()
	}
	for range 10 { // a quarter of the latest answers throttled
		waitN(t, a, 1)
		a.Throttled()
		c.advance(300 * time.Millisecond)
	}
	if got := a.Rate(); got >= 100 {
		t.Errorf("Rate() = %v after an overload, want a cut below 100", got)
	}
}

func TestEarlyThrottlesWaitForAFullWindow(t *testing.T) {
	// The first answers throttled, as by a gateway that throttles a few
	// requests whatever the rate: no cut until outcomeSize answers are in.
	a, _ := newFake(100, 1)
	for range outcomeSize - 1 {
		waitN(t, a, 1) // paced at 100/s by the ceiling
		a.Throttled()
	}
	if got := a.Rate(); got != 100 {
		t.Fatalf("Rate() = %v after %d answers, want no cut yet", got, outcomeSize-1)
	}
	// The window is full and all of it throttled: a real overload.
	waitN(t, a, 1)
	a.Throttled()
	if got, want := a.Rate(), 100*decrease; !near(got, want) {
		t.Errorf("Rate() = %v once the window is full, want %v", got, want)
	}
}
