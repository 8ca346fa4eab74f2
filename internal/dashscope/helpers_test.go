package dashscope

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/deploy"
)

const (
	testKey = Secret("sk-test-0123456789abcdef")
	testWS  = "llm-test"
)

// fakeSleep records the waits the client asks for and returns at once
// (or with ctx's error once ctx has ended).
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	// onSleep, if set, is called at every wait, before it returns.
	onSleep func()
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	if f.onSleep != nil {
		f.onSleep()
	}
	return ctx.Err()
}

func (f *fakeSleep) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// newTestClient returns a client for testWS at baseURL with tiny backoff
// and a recording sleep. edit, if not nil, adjusts the options first.
func newTestClient(t *testing.T, baseURL string, edit func(*Options)) (*Client, *fakeSleep) {
	t.Helper()
	fs := &fakeSleep{}
	opts := Options{
		Workspaces:  map[string]Endpoint{testWS: {BaseURL: baseURL, Key: testKey}},
		MaxRetries:  DefaultMaxRetries,
		UserAgent:   "capctl/test",
		BackoffBase: time.Millisecond,
		BackoffMax:  4 * time.Millisecond,
		sleep:       fs.sleep,
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, fs
}

// step is one scripted answer of a stub server.
type step struct {
	status int
	header map[string]string
	body   string
	drop   bool // hijack the connection and close it without answering
}

// seen is what a stub server recorded about one request.
type seen struct {
	Method, Path, RawPath, Query, Body string
	Header                             http.Header
}

// stub answers requests with its steps in order, repeating the last one.
type stub struct {
	mu    sync.Mutex
	steps []step
	reqs  []seen
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	i := min(len(s.reqs), len(s.steps)-1)
	s.reqs = append(s.reqs, seen{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath, Query: r.URL.RawQuery,
		Body: string(body), Header: r.Header.Clone(),
	})
	st := s.steps[i]
	s.mu.Unlock()
	if st.drop {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("stub: cannot hijack")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	if st.status == 0 {
		st.status = http.StatusOK
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *stub) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// newStub starts a server answering with steps.
func newStub(t *testing.T, steps ...step) (*stub, *httptest.Server) {
	t.Helper()
	s := &stub{steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

// ok wraps output in a success envelope.
func ok(output any) string {
	b, err := json.Marshal(map[string]any{"request_id": "req-ok", "output": output})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// apiError is an error envelope.
func apiError(code, message string) string {
	return fmt.Sprintf(`{"request_id":"req-err","code":%q,"message":%q}`, code, message)
}

// muDeployment is a minimal running mu deployment on the wire.
func muDeployment(id string, capacity int) map[string]any {
	return map[string]any{
		"deployed_model": id, "plan": "mu", "status": "RUNNING", "model_name": "qwen-plus",
		"capacity": capacity, "ready_capacity": capacity, "base_capacity": 1,
		"workspace_id": testWS, "gmt_modified": "2025-06-17T11:00:38",
	}
}

// muCap is a mu scale target.
func muCap(units int) deploy.Capacity { return deploy.Capacity{Plan: deploy.PlanMU, Units: units} }
