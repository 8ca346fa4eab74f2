package dashscope

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetrySucceeds(t *testing.T) {
	good := step{body: ok(muDeployment("x", 3))}
	tests := map[string]struct {
		first []step
	}{
		"after 429":             {[]step{{status: 429, body: apiError("Throttling", "slow down")}}},
		"after 500":             {[]step{{status: 500, body: apiError("InternalError", "oops")}}},
		"after html 503":        {[]step{{status: 503, body: "<html>busy</html>"}}},
		"after 502 and 504":     {[]step{{status: 502}, {status: 504}}},
		"after dropped conn":    {[]step{{drop: true}}},
		"after two drops":       {[]step{{drop: true}, {drop: true}}},
		"after a cut-off body":  {[]step{{header: map[string]string{"Content-Length": "500"}, body: `{"output":{"depl`}}},
		"after mixed failures ": {[]step{{drop: true}, {status: 429}, {status: 503}}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, append(tt.first, good)...)
			c, fs := newTestClient(t, srv.URL, nil)
			got, n, err := c.Get(context.Background(), testWS, "x")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if got.Capacity != 3 {
				t.Errorf("Capacity = %d, want 3", got.Capacity)
			}
			want := len(tt.first) + 1
			if n != want || len(s.requests()) != want {
				t.Errorf("attempts = %d, requests = %d, want %d", n, len(s.requests()), want)
			}
			if w := fs.recorded(); len(w) != len(tt.first) {
				t.Errorf("waited %d times, want %d", len(w), len(tt.first))
			}
		})
	}
}

func TestGiveUp(t *testing.T) {
	s, srv := newStub(t, step{status: 503, body: apiError("ModelUnavailable", "later")})
	c, fs := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 3 })
	_, n, err := c.Scale(context.Background(), testWS, "x", muCap(2))
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("error = %v, want the last 503 *Error", err)
	}
	if n != 4 || len(s.requests()) != 4 {
		t.Errorf("attempts = %d, requests = %d, want 4", n, len(s.requests()))
	}
	want := "scale llm-test/x: gave up after 4 attempts: 503 ModelUnavailable: later (request_id req-err)"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	// Full jitter below an exponential ceiling: 1ms, 2ms, 4ms (BackoffMax).
	ceilings := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}
	waits := fs.recorded()
	if len(waits) != len(ceilings) {
		t.Fatalf("waits = %v, want %d of them", waits, len(ceilings))
	}
	for i, w := range waits {
		if w < 0 || w >= ceilings[i] {
			t.Errorf("wait %d = %v, want in [0, %v)", i, w, ceilings[i])
		}
	}
}

func TestNoRetryWhenMaxRetriesIsZero(t *testing.T) {
	s, srv := newStub(t, step{status: 429})
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 0 })
	_, n, err := c.Get(context.Background(), testWS, "x")
	if err == nil || n != 1 || len(s.requests()) != 1 {
		t.Errorf("attempts = %d, requests = %d, err = %v; want one failed attempt", n, len(s.requests()), err)
	}
	if strings.Contains(err.Error(), "gave up") {
		t.Errorf("error %q speaks of giving up after a single attempt", err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		retryAfter string
		want       time.Duration
	}{
		"seconds":   {"2", 2 * time.Second},
		"http date": {"Thu, 26 Nov 2026 12:00:07 GMT", 7 * time.Second},
		"capped":    {"86400", MaxRetryAfter},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, srv := newStub(t,
				step{status: 429, header: map[string]string{"Retry-After": tt.retryAfter}, body: apiError("Throttling", "x")},
				step{body: ok(muDeployment("x", 1))})
			c, fs := newTestClient(t, srv.URL, func(o *Options) { o.now = func() time.Time { return now } })
			if _, _, err := c.Get(context.Background(), testWS, "x"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, fs.recorded()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	s, srv := newStub(t, step{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.sleep = func(ctx context.Context, _ time.Duration) error {
			cancel() // Ctrl-C arrives while the client waits to retry
			<-ctx.Done()
			return ctx.Err()
		}
	})
	_, n, err := c.Get(ctx, testWS, "x")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if n != 1 || len(s.requests()) != 1 {
		t.Errorf("attempts = %d, requests = %d, want 1", n, len(s.requests()))
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true for a cancelled call", err)
	}
	if !strings.Contains(err.Error(), "get llm-test/x: context canceled after 1 attempts (last: 503") {
		t.Errorf("error = %q", err)
	}
}

func TestCancelDuringRequest(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, fs := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, n, err := c.Get(ctx, testWS, "x")
	if !errors.Is(err, context.Canceled) || n != 1 || len(fs.recorded()) != 0 {
		t.Errorf("err = %v, attempts = %d, waits = %v; want context.Canceled after 1 attempt, no wait", err, n, fs.recorded())
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	s, srv := newStub(t, step{body: ok(muDeployment("x", 1))})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, n, err := c.Get(ctx, testWS, "x")
	if !errors.Is(err, context.Canceled) || n != 0 || len(s.requests()) != 0 {
		t.Errorf("err = %v, attempts = %d, requests = %d; want context.Canceled and nothing sent", err, n, len(s.requests()))
	}
}

// An attempt that outlives RequestTimeout is abandoned and retried; the
// error it leaves is not the caller's context.DeadlineExceeded.
func TestAttemptTimeout(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		hang := calls == 1
		mu.Unlock()
		if hang {
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte(ok(muDeployment("x", 1))))
	}))
	defer srv.Close()
	var infos []AttemptInfo
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.RequestTimeout = 20 * time.Millisecond
		o.OnAttempt = func(a AttemptInfo) { infos = append(infos, a) }
	})
	_, n, err := c.Get(context.Background(), testWS, "x")
	if err != nil || n != 2 {
		t.Fatalf("err = %v, attempts = %d; want success on attempt 2", err, n)
	}
	first := infos[0].Err
	if !IsRetryable(first) || errors.Is(first, context.DeadlineExceeded) || !strings.Contains(first.Error(), "attempt timed out after 20ms") {
		t.Errorf("first attempt error = %v", first)
	}
}

func TestOnAttempt(t *testing.T) {
	// Connection: close makes the drop happen on a fresh connection; on a
	// reused one net/http would silently resend the GET itself.
	_, srv := newStub(t,
		step{status: 429, header: map[string]string{"Retry-After": "1", "Connection": "close"}},
		step{drop: true},
		step{body: ok(muDeployment("x", 1))})
	var infos []AttemptInfo
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.OnAttempt = func(a AttemptInfo) { infos = append(infos, a) } })
	if _, _, err := c.Get(context.Background(), testWS, "x"); err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Op, Method, URL string
		Attempt, Status int
		Failed, Retry   bool
	}
	var got []brief
	for _, a := range infos {
		got = append(got, brief{a.Operation, a.Method, a.URL, a.Attempt, a.StatusCode, a.Err != nil, a.Retry})
	}
	u := srv.URL + "/api/v1/deployments/x"
	want := []brief{
		{"get", "GET", u, 1, 429, true, true},
		{"get", "GET", u, 2, 0, true, true},
		{"get", "GET", u, 3, 200, false, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attempts mismatch (-want +got):\n%s", diff)
	}
	if infos[0].Wait != time.Second {
		t.Errorf("first Wait = %v, want the Retry-After of 1s", infos[0].Wait)
	}
}

// A refusal after a retried failure is returned as it is, with the attempt
// it came on; it is not "giving up".
func TestRefusalAfterRetry(t *testing.T) {
	s, srv := newStub(t, step{status: 503}, step{status: 404, body: apiError("NotFound", "Not found.")})
	c, _ := newTestClient(t, srv.URL, nil)
	_, n, err := c.Get(context.Background(), testWS, "x")
	want := "get llm-test/x: attempt 2: 404 NotFound: Not found. (request_id req-err)"
	if err == nil || err.Error() != want || n != 2 || len(s.requests()) != 2 {
		t.Errorf("err = %v, attempts = %d; want %q after 2", err, n, want)
	}
	var coded interface{ ErrorCode() string }
	if !errors.As(err, &coded) || coded.ErrorCode() != "NotFound" {
		t.Errorf("ErrorCode not reachable through %v", err)
	}
}

// TestYieldDuringBackoff checks that a call gives back what its caller
// holds for each wait between attempts, and takes it again before the next
// attempt, in that order.
func TestYieldDuringBackoff(t *testing.T) {
	s, srv := newStub(t, step{status: 503}, step{status: 429}, step{body: ok(muDeployment("x", 2))})
	var log []string
	c, fs := newTestClient(t, srv.URL, nil)
	fs.onSleep = func() { log = append(log, "sleep") }
	ctx := c.YieldDuringBackoff(context.Background(),
		func() { log = append(log, "release") },
		func(context.Context) error { log = append(log, "reacquire"); return nil })
	if _, n, err := c.Scale(ctx, testWS, "x", muCap(2)); err != nil || n != 3 {
		t.Fatalf("Scale = %d attempts, %v; want 3, nil", n, err)
	}
	want := []string{"release", "sleep", "reacquire", "release", "sleep", "reacquire"}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	if len(s.requests()) != 3 {
		t.Errorf("requests = %d, want 3", len(s.requests()))
	}
}

// TestYieldReacquireFails checks that a call whose slot cannot be taken
// back makes no further attempt and says why it stopped.
func TestYieldReacquireFails(t *testing.T) {
	s, srv := newStub(t, step{status: 503}, step{body: ok(muDeployment("x", 2))})
	c, _ := newTestClient(t, srv.URL, nil)
	ctx := c.YieldDuringBackoff(context.Background(), func() {},
		func(context.Context) error { return context.Canceled })
	_, n, err := c.Scale(ctx, testWS, "x", muCap(2))
	if !errors.Is(err, context.Canceled) || IsRetryable(err) {
		t.Fatalf("error = %v, want context.Canceled, not retryable", err)
	}
	if n != 1 || len(s.requests()) != 1 {
		t.Errorf("attempts = %d, requests = %d, want 1", n, len(s.requests()))
	}
}
