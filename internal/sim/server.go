package sim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Config tunes a [Server]: latency, faults, rate limit and timing. The zero
// Config is a fast, faultless, unlimited server whose scales settle at the
// next read.
type Config struct {
	// Latency is added to every API request (not to /_sim/ requests), plus
	// a uniformly random extra in [0, LatencyJitter). The wait ends early
	// when the client gives up.
	Latency, LatencyJitter time.Duration
	// P429, P5xx and PDrop are the probabilities, per API request, of an
	// injected 429, an injected 5xx and a dropped connection. They are
	// exclusive outcomes of one draw, so their sum must not exceed 1.
	// Injected 5xx answers cycle through JSON envelopes with 500, 502, 503
	// and 504 and an HTML 503 page, as a gateway in front of the API would.
	P429, P5xx, PDrop float64
	// RetryAfter is sent, in whole seconds rounded up (at least 1), with
	// injected 429s. Zero sends no Retry-After header.
	RetryAfter time.Duration
	// RateLimit, when > 0, is a server-side token bucket over API requests
	// in requests per second, with Burst tokens (at least 1). A request
	// beyond it gets 429 Throttling.RateQuota and a Retry-After.
	RateLimit float64
	Burst     int
	// UpdateDelay is how long a scale stays UPDATING before it settles
	// (RUNNING or UPDATING_FAILED); also how long a create stays PENDING
	// and a delete DELETING. Zero settles at the next read.
	UpdateDelay time.Duration
	// RandSeed seeds the fault and jitter decisions, so a run is repeatable.
	RandSeed int64
	// Now, when set, is the simulator's clock (for tests); otherwise time.Now.
	Now func() time.Time
}

// Stats counts what the simulator was asked. Calls counts every API
// request, including those answered by fault injection or refused by
// authentication; Scales and Gets count the requests that reached the scale
// and get handlers (so after faults and authentication), refused or not.
type Stats struct {
	// Calls counts requests by route: "GET /api/v1/deployments",
	// "POST /api/v1/deployments", "GET /api/v1/deployments/{id}",
	// "DELETE /api/v1/deployments/{id}", "PUT /api/v1/deployments/{id}/scale";
	// a path that matches no route counts as "<METHOD> (unmatched)".
	Calls map[string]int `json:"calls"`
	// Scales counts scale calls per "workspace/deployed_model".
	Scales map[string]int `json:"scales"`
	// Gets counts get-one calls per "workspace/deployed_model".
	Gets map[string]int `json:"gets"`
	// MaxInFlight is the most API requests handled at once, counted from
	// arrival to response, latency included.
	MaxInFlight int `json:"max_in_flight"`
	// Injected429, Injected5xx and Dropped count injected faults;
	// RateLimited counts requests refused by the rate limit.
	Injected429 int `json:"injected_429"`
	Injected5xx int `json:"injected_5xx"`
	Dropped     int `json:"dropped"`
	RateLimited int `json:"rate_limited"`
	// Waited counts API requests that waited the configured latency, and
	// WaitedNanos sums their time from arrival to the end of that wait:
	// WaitedNanos/Waited is the latency the simulator actually served.
	Waited      int   `json:"waited"`
	WaitedNanos int64 `json:"waited_ns"`
}

// MeanLatency is the mean latency the simulator actually served, from a
// request's arrival to the end of its wait; 0 if no request waited.
func (st Stats) MeanLatency() time.Duration {
	if st.Waited == 0 {
		return 0
	}
	return time.Duration(st.WaitedNanos / int64(st.Waited))
}

// Server is the simulator: an [http.Handler] over an in-memory store. It is
// safe for concurrent use.
type Server struct {
	cfg  Config
	now  func() time.Time
	keys map[string]Key

	mu  sync.Mutex // guards wss and every record in it
	wss map[string]*workspace

	faultMu  sync.Mutex // guards rng, limiter and next5xx
	rng      *mrand.Rand
	limiter  *rate.Limiter
	next5xx  int
	statsMu  sync.Mutex // guards stats and inFlight
	stats    Stats
	inFlight int
	late     lateness // how much earlier wait sets its timers
}

// maxBody bounds request bodies; the API's bodies are a few hundred bytes.
const maxBody = 1 << 20

// New returns a simulator serving seed. It checks cfg and the seed and
// reports every problem it finds.
func New(cfg Config, seed Seed) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := seed.validate(); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	s := &Server{
		cfg:  cfg,
		now:  cfg.Now,
		keys: make(map[string]Key, len(seed.Keys)),
		wss:  make(map[string]*workspace),
		rng:  mrand.New(mrand.NewPCG(uint64(cfg.RandSeed), 0x5eed)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), max(cfg.Burst, 1))
	}
	s.resetStats()
	for _, k := range seed.Keys {
		k.Workspaces = slices.Clone(k.Workspaces)
		s.keys[k.Key] = k
	}
	now := s.now()
	stamp := now.UTC().Format(TimeLayout)
	for _, d := range seed.Deployments {
		r := &record{d: seedDefaults(d.clone(), stamp)}
		w := s.workspace(d.WorkspaceID)
		switch r.d.Status {
		case StatusUpdating, StatusPending, "DEPLOYING":
			r.due = now.Add(cfg.UpdateDelay)
			if r.d.ScaleOutcome == StatusUpdatingFailed && r.d.PTUCapacity != nil {
				r.prevPTU = r.d.PTUCapacity
			}
		}
		// Append and sort once below rather than insert one by one.
		w.byID[r.d.DeployedModel] = r
		w.sorted = append(w.sorted, r)
		w.byPlan[r.d.Plan] = append(w.byPlan[r.d.Plan], r)
		if r.d.Status == StatusDeleting {
			w.startDelete(r, now.Add(cfg.UpdateDelay))
		}
	}
	for _, w := range s.wss {
		slices.SortFunc(w.sorted, compareRecords)
		for _, idx := range w.byPlan {
			slices.SortFunc(idx, compareRecords)
		}
	}
	return s, nil
}

func (c Config) validate() error {
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{{"P429", c.P429}, {"P5xx", c.P5xx}, {"PDrop", c.PDrop}} {
		if !(p.v >= 0 && p.v <= 1) {
			errs = append(errs, fmt.Errorf("config: %s = %v, want a probability in [0, 1]", p.name, p.v))
		}
	}
	if sum := c.P429 + c.P5xx + c.PDrop; sum > 1+1e-9 {
		errs = append(errs, fmt.Errorf("config: P429 + P5xx + PDrop = %v, want at most 1", sum))
	}
	if c.Latency < 0 || c.LatencyJitter < 0 || c.RetryAfter < 0 || c.UpdateDelay < 0 {
		errs = append(errs, errors.New("config: durations must not be negative"))
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) || c.Burst < 0 {
		errs = append(errs, errors.New("config: RateLimit and Burst must be finite and not negative"))
	}
	return errors.Join(errs...)
}

// seedDefaults fills in what a seed may leave out.
func seedDefaults(d Deployment, stamp string) Deployment {
	if d.Status == "" {
		d.Status = StatusRunning
	}
	if d.Name == "" {
		d.Name = d.ModelName
	}
	if d.BaseModel == "" {
		d.BaseModel = d.ModelName
	}
	if d.ChargeType == "" {
		d.ChargeType = "post_paid"
	}
	if d.GmtCreate == "" {
		d.GmtCreate = stamp
	}
	if d.GmtModified == "" {
		d.GmtModified = d.GmtCreate
	}
	if d.ReadyCapacity == nil && d.Capacity != nil {
		if d.Status == StatusPending || d.Status == "DEPLOYING" {
			d.ReadyCapacity = intPtr(0)
		} else {
			d.ReadyCapacity = intPtr(*d.Capacity)
		}
	}
	return d
}

// workspace returns the workspace named id, creating it. Call with s.mu held
// (or before the server is shared).
func (s *Server) workspace(id string) *workspace {
	w := s.wss[id]
	if w == nil {
		w = newWorkspace()
		s.wss[id] = w
	}
	return w
}

// ServeHTTP serves the API under /api/v1/deployments and the control
// surface under /_sim/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveControl(w, r)
		return
	}
	s.serveAPI(w, r)
}

// Dump returns every deployment as the API would show it now, sorted by
// workspace_id then deployed_model. The x_ seed controls are left out.
func (s *Server) Dump() []Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ids := make([]string, 0, len(s.wss))
	n := 0
	for id, w := range s.wss {
		w.settleDeletions(now)
		ids = append(ids, id)
		n += len(w.sorted)
	}
	slices.Sort(ids)
	out := make([]Deployment, 0, n)
	for _, id := range ids {
		for _, r := range s.wss[id].sorted {
			out = append(out, r.view(now))
		}
	}
	return out
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	c := s.stats
	c.Calls = cloneCounts(c.Calls)
	c.Scales = cloneCounts(c.Scales)
	c.Gets = cloneCounts(c.Gets)
	return c
}

// ResetStats zeroes the counters. MaxInFlight restarts from the number of
// requests in flight now.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.resetStats()
	s.stats.MaxInFlight = s.inFlight
}

func (s *Server) resetStats() {
	s.stats = Stats{Calls: map[string]int{}, Scales: map[string]int{}, Gets: map[string]int{}}
}

func cloneCounts(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// count updates the stats under the stats lock.
func (s *Server) count(f func(st *Stats)) {
	s.statsMu.Lock()
	f(&s.stats)
	s.statsMu.Unlock()
}

// enter and leave bracket an API request for MaxInFlight.
func (s *Server) enter(route string) {
	s.statsMu.Lock()
	s.inFlight++
	s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.inFlight)
	s.stats.Calls[route]++
	s.statsMu.Unlock()
}

func (s *Server) leave() {
	s.statsMu.Lock()
	s.inFlight--
	s.statsMu.Unlock()
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var h [36]byte
	hex.Encode(h[0:8], b[0:4])
	h[8] = '-'
	hex.Encode(h[9:13], b[4:6])
	h[13] = '-'
	hex.Encode(h[14:18], b[6:8])
	h[18] = '-'
	hex.Encode(h[19:23], b[8:10])
	h[23] = '-'
	hex.Encode(h[24:], b[10:])
	return string(h[:])
}

// writeJSON writes v with the given status as application/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeOutput(w http.ResponseWriter, output any) {
	writeJSON(w, http.StatusOK, successEnvelope{RequestID: newRequestID(), Output: output})
}

func writeError(w http.ResponseWriter, e *APIError) {
	writeJSON(w, e.Status, errorEnvelope{RequestID: newRequestID(), Code: e.Code, Message: e.Message})
}

func apiErr(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}
