package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// stamp formats the clock's time plus d the way the simulator does.
func (c *clock) stamp(d time.Duration) string { return c.Now().Add(d).Format(TimeLayout) }

const (
	keyProd    = "sk-prod"
	keyMulti   = "sk-multi"
	keyRogue   = "sk-rogue"
	wsProd     = "llm-prod"
	wsStaging  = "llm-staging"
	wsOther    = "llm-other"
	testPrefix = "/api/v1/deployments"
)

func testKeys() []Key {
	return []Key{
		{Key: keyProd, Workspaces: []string{wsProd}},
		{Key: keyMulti, Workspaces: []string{wsStaging, wsProd}},
		{Key: keyRogue, Workspaces: []string{wsStaging}, IgnoreWorkspaceHeader: true},
	}
}

func mu(ws, id string, base, capacity int) Deployment {
	return Deployment{WorkspaceID: ws, DeployedModel: id, ModelName: "qwen-plus", Plan: PlanMU,
		BaseCapacity: intPtr(base), Capacity: intPtr(capacity)}
}

func ptu(ws, id string, in, out int) Deployment {
	return Deployment{WorkspaceID: ws, DeployedModel: id, ModelName: "qwen-plus", Plan: PlanPTU,
		PTUCapacity: &PTUCapacity{InputTPM: in, OutputTPM: out}}
}

// fixture is a simulator behind a real listener.
type fixture struct {
	t     *testing.T
	sim   *Server
	srv   *httptest.Server
	clock *clock
}

func newFixture(t *testing.T, cfg Config, deps ...Deployment) *fixture {
	t.Helper()
	c := newClock()
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	s, err := New(cfg, Seed{Keys: testKeys(), Deployments: deps})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &fixture{t: t, sim: s, srv: srv, clock: c}
}

// request is one API call: key "" sends no Authorization, ws "" no
// workspace header.
type request struct {
	method, path, key, ws, body string
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixture) do(r request) response {
	f.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, f.srv.URL+r.path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.ws != "" {
		req.Header.Set("X-DashScope-WorkSpace", r.ws)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (f *fixture) get(key, id string) response {
	return f.do(request{method: "GET", path: testPrefix + "/" + id, key: key})
}

func (f *fixture) scale(key, id, body string) response {
	return f.do(request{method: "PUT", path: testPrefix + "/" + id + "/scale", key: key, body: body})
}

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// errorBody is the error envelope without its request id.
type errorBody struct {
	Status  int
	Code    string
	Message string
}

// apiError decodes an error envelope and checks its request id and
// content type.
func (f *fixture) apiError(r response) errorBody {
	f.t.Helper()
	var env errorEnvelope
	if err := strictDecode(r.body, &env); err != nil {
		f.t.Fatalf("error envelope: %v in %s", err, r.body)
	}
	f.checkEnvelope(r, env.RequestID)
	return errorBody{Status: r.status, Code: env.Code, Message: env.Message}
}

// output decodes a success envelope's output into v.
func (f *fixture) output(r response, v any) {
	f.t.Helper()
	if r.status != http.StatusOK {
		f.t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	var env struct {
		RequestID string          `json:"request_id"`
		Output    json.RawMessage `json:"output"`
	}
	if err := strictDecode(r.body, &env); err != nil {
		f.t.Fatalf("success envelope: %v in %s", err, r.body)
	}
	f.checkEnvelope(r, env.RequestID)
	if err := strictDecode(env.Output, v); err != nil {
		f.t.Fatalf("output: %v in %s", err, env.Output)
	}
}

func (f *fixture) checkEnvelope(r response, id string) {
	f.t.Helper()
	if !uuid4.MatchString(id) {
		f.t.Errorf("request_id %q is not a v4 UUID", id)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type = %q, want application/json", ct)
	}
}

func (f *fixture) deployment(r response) Deployment {
	f.t.Helper()
	var d Deployment
	f.output(r, &d)
	return d
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
