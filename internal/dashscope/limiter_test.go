package dashscope

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/ratelimit"
	"github.com/capctl/capctl/internal/sim"
)

// countingLimiter counts what the client tells it and never waits.
type countingLimiter struct {
	mu                         sync.Mutex
	waits, throttled, answered int
	err                        error // returned by Wait when set
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	l.waits++
	return ctx.Err()
}

func (l *countingLimiter) Throttled() { l.mu.Lock(); l.throttled++; l.mu.Unlock() }
func (l *countingLimiter) Succeeded() { l.mu.Lock(); l.answered++; l.mu.Unlock() }

func (l *countingLimiter) counts() (waits, throttled, answered int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits, l.throttled, l.answered
}

// Every attempt, retries included, waits for the limiter; a 429 is reported
// as throttling and still waits its Retry-After; a 5xx and a dropped
// connection report nothing; an answer below 500 is reported as success.
func TestLimiterSeesEveryAttempt(t *testing.T) {
	s, srv := newStub(t,
		step{status: 429, header: map[string]string{"Retry-After": "3"}, body: apiError("Throttling.RateQuota", "slow down")},
		step{status: 503, body: apiError("ServiceUnavailable", "later")},
		step{drop: true},
		step{body: ok(muDeployment("x", 2))},
	)
	lim := &countingLimiter{}
	c, fs := newTestClient(t, srv.URL, func(o *Options) { o.Limiter = lim })
	if _, n, err := c.Scale(context.Background(), testWS, "x", muCap(2)); err != nil || n != 4 {
		t.Fatalf("Scale: %d attempts, err %v; want 4 attempts and success", n, err)
	}
	waits, throttled, answered := lim.counts()
	if reqs := len(s.requests()); waits != reqs || throttled != 1 || answered != 1 {
		t.Errorf("limiter saw %d waits, %d throttled, %d answered for %d requests; want %d, 1, 1", waits, throttled, answered, reqs, reqs)
	}
	if w := fs.recorded(); len(w) == 0 || w[0] != 3*time.Second {
		t.Errorf("waits between attempts = %v, want the Retry-After of 3s first", w)
	}

	// A refusal other than 429 is an answer too: the API is not throttling.
	_, srv404 := newStub(t, step{status: 404, body: apiError("NotFound", "no such deployment")})
	lim404 := &countingLimiter{}
	c404, _ := newTestClient(t, srv404.URL, func(o *Options) { o.Limiter = lim404 })
	if _, _, err := c404.Get(context.Background(), testWS, "x"); err == nil {
		t.Fatal("Get of a missing deployment succeeded")
	}
	if waits, throttled, answered := lim404.counts(); waits != 1 || throttled != 0 || answered != 1 {
		t.Errorf("after a 404 the limiter saw %d waits, %d throttled, %d answered; want 1, 0, 1", waits, throttled, answered)
	}
}

// A 429 about the account (an overdue bill) is neither retried nor taken
// as throttling: slowing down would not help, and no retry clears it.
func TestAccount429IsNotThrottling(t *testing.T) {
	s, srv := newStub(t, step{status: 429, body: apiError("PrepaidBillOverdue", "Your prepaid bill is overdue.")})
	lim := &countingLimiter{}
	c, fs := newTestClient(t, srv.URL, func(o *Options) { o.Limiter = lim })
	_, n, err := c.Scale(context.Background(), testWS, "x", muCap(2))
	if apiErr, ok := errors.AsType[*Error](err); !ok || apiErr.Code != "PrepaidBillOverdue" || IsRetryable(err) {
		t.Fatalf("Scale error = %v, want the 429 PrepaidBillOverdue, not retryable", err)
	}
	if n != 1 || len(s.requests()) != 1 || len(fs.recorded()) != 0 {
		t.Errorf("attempts = %d, requests = %d, waits = %v; want one attempt and no wait", n, len(s.requests()), fs.recorded())
	}
	if waits, throttled, answered := lim.counts(); waits != 1 || throttled != 0 || answered != 0 {
		t.Errorf("limiter saw %d waits, %d throttled, %d answered; want 1, 0, 0", waits, throttled, answered)
	}
}

// A limiter that refuses to wait ends the call before any request.
func TestLimiterWaitFails(t *testing.T) {
	errLimiter := errors.New("limiter closed")
	tests := map[string]struct {
		limiterErr error
		cancel     bool
		want       error
	}{
		"limiter error":     {limiterErr: errLimiter, want: errLimiter},
		"context cancelled": {cancel: true, want: context.Canceled},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{body: ok(muDeployment("x", 2))})
			lim := &countingLimiter{err: tt.limiterErr}
			c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Limiter = lim })
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			_, n, err := c.Scale(ctx, testWS, "x", muCap(2))
			if !errors.Is(err, tt.want) || n != 0 || len(s.requests()) != 0 {
				t.Errorf("Scale: err %v, %d attempts, %d requests; want %v before any request", err, n, len(s.requests()), tt.want)
			}
			if IsRetryable(err) {
				t.Errorf("error %v is retryable", err)
			}
		})
	}
}

// Against the simulator's rate limit, scales paced by ratelimit.Adaptive
// all succeed. Paced at the server's rate, fewer than 5 % of the requests
// are answered 429; with no rate configured, AIMD finds the rate after a
// few. Counts only: nothing here depends on how fast the machine is.
func TestSimRateLimited(t *testing.T) {
	const serverRate, n, workers = 200, 300, 8
	tests := map[string]struct {
		limit   float64
		maxPct  float64
		retries int
	}{
		"paced at the server's rate": {limit: serverRate, maxPct: 5, retries: DefaultMaxRetries},
		"AIMD alone":                 {limit: 0, maxPct: 15, retries: DefaultMaxRetries},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, url := newSim(t, sim.Config{Latency: 5 * time.Millisecond, RateLimit: serverRate, Burst: 10}, simFleet(n)...)
			lim := ratelimit.New(tt.limit, 1)
			c, _ := newTestClient(t, url, func(o *Options) {
				o.Limiter = lim
				o.Parallelism = workers
				o.MaxRetries = tt.retries
				o.sleep = nil // honour Retry-After for real: it is what lets the bucket refill
			})
			ids := make(chan string, n)
			for i := range n {
				ids <- fmt.Sprintf("d-%04d", i)
			}
			close(ids)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for id := range ids {
						if _, _, err := c.Scale(context.Background(), testWS, id, muCap(2)); err != nil {
							t.Errorf("Scale %s: %v", id, err)
						}
					}
				})
			}
			wg.Wait()
			st := s.Stats()
			calls := st.Calls["PUT /api/v1/deployments/{id}/scale"]
			t.Logf("%d calls, %d answered 429, rate now %.0f/s", calls, st.RateLimited, lim.Rate())
			if pct := 100 * float64(st.RateLimited) / float64(calls); pct >= tt.maxPct {
				t.Errorf("%d of %d calls answered 429 (%.1f%%), want under %g%%", st.RateLimited, calls, pct, tt.maxPct)
			}
			if got := lim.Throttles(); got != st.RateLimited {
				t.Errorf("limiter counted %d throttles, server refused %d", got, st.RateLimited)
			}
			if got := len(st.Scales); got != n {
				t.Errorf("%d deployments got a scale call, want %d", got, n)
			}
		})
	}
}
