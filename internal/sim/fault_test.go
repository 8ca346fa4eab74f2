package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestInjected429(t *testing.T) {
	tests := map[string]struct {
		retryAfter time.Duration
		want       string
	}{
		"no header":    {0, ""},
		"rounded up":   {1500 * time.Millisecond, "2"},
		"at least one": {time.Millisecond, "1"},
		"whole":        {3 * time.Second, "3"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Config{P429: 1, RetryAfter: tt.retryAfter})
			r := f.do(request{method: "GET", path: testPrefix, key: keyProd})
			if diff := cmp.Diff(errorBody{429, "Throttling", "Requests throttling triggered."}, f.apiError(r)); diff != "" {
				t.Errorf("429 mismatch (-want +got):\n%s", diff)
			}
			if got := r.header.Get("Retry-After"); got != tt.want {
				t.Errorf("Retry-After = %q, want %q", got, tt.want)
			}
			if got := f.sim.Stats().Injected429; got != 1 {
				t.Errorf("Injected429 = %d, want 1", got)
			}
		})
	}
}

func TestInjected5xx(t *testing.T) {
	// Faults come before authentication: even a bad key sees them.
	f := newFixture(t, Config{P5xx: 1}, mu(wsProd, "m", 1, 1))
	type answer struct {
		Status      int
		ContentType string
		Code        string
	}
	var got []answer
	for range 6 {
		r := f.do(request{method: "PUT", path: testPrefix + "/m/scale", key: "sk-bad", body: `{"capacity":2}`})
		a := answer{Status: r.status, ContentType: r.header.Get("Content-Type")}
		if a.ContentType == "application/json" {
			a.Code = f.apiError(r).Code
		} else if !strings.Contains(string(r.body), "503 Service Temporarily Unavailable") {
			t.Errorf("HTML body = %q", r.body)
		}
		got = append(got, a)
	}
	want := []answer{
		{500, "application/json", "InternalError"},
		{502, "application/json", "BadGateway"},
		{503, "application/json", "ServiceUnavailable"},
		{504, "application/json", "RequestTimeOut"},
		{503, "text/html", ""},
		{500, "application/json", "InternalError"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("5xx answers (-want +got):\n%s", diff)
	}
	st := f.sim.Stats()
	if st.Injected5xx != 6 || st.Scales["llm-prod/m"] != 0 {
		t.Errorf("Injected5xx = %d, scales = %v; want 6 and no scale handled", st.Injected5xx, st.Scales)
	}
	if d := f.sim.Dump()[0]; *d.Capacity != 1 {
		t.Errorf("capacity = %d after faulted scales, want 1", *d.Capacity)
	}
}

func TestDrop(t *testing.T) {
	f := newFixture(t, Config{PDrop: 1})
	req, _ := http.NewRequest("GET", f.srv.URL+testPrefix, nil)
	req.Header.Set("Authorization", "Bearer "+keyProd)
	resp, err := f.srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got status %d, want a transport error", resp.StatusCode)
	}
	if got := f.sim.Stats().Dropped; got != 1 {
		t.Errorf("Dropped = %d, want 1", got)
	}
}

func TestFaultMix(t *testing.T) {
	// With a fixed seed the mix is repeatable, and each class shows up.
	run := func() Stats {
		f := newFixture(t, Config{P429: 0.2, P5xx: 0.2, PDrop: 0.1, RandSeed: 7})
		for range 100 {
			req, _ := http.NewRequest("GET", f.srv.URL+testPrefix, nil)
			req.Header.Set("Authorization", "Bearer "+keyProd)
			if resp, err := f.srv.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		}
		return f.sim.Stats()
	}
	a, b := run(), run()
	if a.Injected429 == 0 || a.Injected5xx == 0 || a.Dropped == 0 {
		t.Errorf("fault mix %+v: want every class", a)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t, Config{RateLimit: 0.5, Burst: 2})
	list := func() response { return f.do(request{method: "GET", path: testPrefix, key: keyProd}) }
	for i := range 2 {
		if r := list(); r.status != 200 {
			t.Fatalf("request %d within burst: status %d", i, r.status)
		}
	}
	r := list()
	if diff := cmp.Diff(errorBody{429, "Throttling.RateQuota", "Requests rate limit exceeded, please try again later."}, f.apiError(r)); diff != "" {
		t.Errorf("rate limited answer (-want +got):\n%s", diff)
	}
	if got := r.header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want 2 (one token at 0.5/s)", got)
	}
	f.clock.Advance(2 * time.Second)
	if r := list(); r.status != 200 {
		t.Errorf("after a refill: status %d, want 200", r.status)
	}
	st := f.sim.Stats()
	if st.RateLimited != 1 || st.Calls["GET /api/v1/deployments"] != 4 {
		t.Errorf("RateLimited = %d, calls = %v; want 1 and 4 calls", st.RateLimited, st.Calls)
	}
}

func TestMaxInFlight(t *testing.T) {
	// Requests wait a long latency; the test counts them in, then cancels
	// them, which ends the wait (no wall-clock assertion involved).
	f := newFixture(t, Config{Latency: time.Hour})
	const n = 8
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+testPrefix, nil)
			if resp, err := f.srv.Client().Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	for f.sim.Stats().MaxInFlight < n {
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	if got := f.sim.Stats().MaxInFlight; got != n {
		t.Errorf("MaxInFlight = %d, want %d", got, n)
	}
	// Cancelled requests leave: the server counts none in flight after
	// they are all answered, so a reset starts from zero.
	for {
		f.sim.ResetStats()
		if f.sim.Stats().MaxInFlight == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStatsAndControl(t *testing.T) {
	f := newFixture(t, Config{}, mu(wsProd, "a", 1, 1), mu(wsProd, "b", 1, 1))
	f.get(keyProd, "a")
	f.get(keyProd, "a")
	f.get(keyProd, "nope")
	f.scale(keyProd, "a", `{"capacity":2}`)
	f.scale(keyProd, "b", `{"capacity":-1}`)
	f.do(request{method: "GET", path: testPrefix, key: keyProd})
	f.do(request{method: "DELETE", path: testPrefix + "/b", key: keyProd})
	f.do(request{method: "POST", path: testPrefix, key: keyProd, body: `{}`})
	f.do(request{method: "GET", path: "/api/v2/x", key: keyProd})
	f.do(request{method: "PATCH", path: testPrefix + "/a", key: keyProd})
	f.do(request{method: "GET", path: testPrefix, key: "sk-bad"})

	want := Stats{
		Calls: map[string]int{
			"GET /api/v1/deployments":            2,
			"POST /api/v1/deployments":           1,
			"GET /api/v1/deployments/{id}":       3,
			"DELETE /api/v1/deployments/{id}":    1,
			"PATCH /api/v1/deployments/{id}":     1,
			"PUT /api/v1/deployments/{id}/scale": 2,
			"GET (unmatched)":                    1,
		},
		Scales:      map[string]int{"llm-prod/a": 1, "llm-prod/b": 1},
		Gets:        map[string]int{"llm-prod/a": 2, "llm-prod/nope": 1},
		MaxInFlight: 1,
	}
	if diff := cmp.Diff(want, f.sim.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}

	// The control surface mirrors the Go API and is itself not counted.
	var stats Stats
	r := f.do(request{method: "GET", path: "/_sim/stats"})
	if err := strictDecode(r.body, &stats); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("/_sim/stats mismatch (-want +got):\n%s", diff)
	}
	var dump []Deployment
	r = f.do(request{method: "GET", path: "/_sim/dump"})
	if err := strictDecode(r.body, &dump); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.sim.Dump(), dump); diff != "" {
		t.Errorf("/_sim/dump mismatch (-Dump +http):\n%s", diff)
	}
	if r := f.do(request{method: "GET", path: "/_sim/reset-stats"}); r.status != 405 {
		t.Errorf("GET reset-stats: status %d, want 405", r.status)
	}
	if r := f.do(request{method: "GET", path: "/_sim/nope"}); r.status != 404 {
		t.Errorf("GET /_sim/nope: status %d, want 404", r.status)
	}
	if r := f.do(request{method: "POST", path: "/_sim/reset-stats"}); r.status != 204 {
		t.Errorf("POST reset-stats: status %d, want 204", r.status)
	}
	empty := Stats{Calls: map[string]int{}, Scales: map[string]int{}, Gets: map[string]int{}}
	if diff := cmp.Diff(empty, f.sim.Stats()); diff != "" {
		t.Errorf("after reset (-want +got):\n%s", diff)
	}
	b, _ := json.Marshal(empty)
	const wantJSON = `{"calls":{},"scales":{},"gets":{},"max_in_flight":0,"injected_429":0,"injected_5xx":0,"dropped":0,"rate_limited":0,"waited":0,"waited_ns":0}`
	if string(b) != wantJSON {
		t.Errorf("Stats JSON = %s, want %s", b, wantJSON)
	}
}

func TestControlNeverFaulted(t *testing.T) {
	f := newFixture(t, Config{P5xx: 1, Latency: time.Hour, RateLimit: 1e-9, Burst: 1})
	for _, path := range []string{"/_sim/dump", "/_sim/stats", "/_sim/stats"} {
		if r := f.do(request{method: "GET", path: path}); r.status != 200 {
			t.Errorf("GET %s: status %d, want 200", path, r.status)
		}
	}
	if diff := cmp.Diff(Stats{Calls: map[string]int{}, Scales: map[string]int{}, Gets: map[string]int{}}, f.sim.Stats()); diff != "" {
		t.Errorf("control calls were counted (-want +got):\n%s", diff)
	}
}
