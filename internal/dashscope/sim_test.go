package dashscope

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/sim"
	"github.com/google/go-cmp/cmp"
)

// These tests run the client against the simulator, which speaks the
// documented wire format independently of the client's own test handlers.

func intp(v int) *int { return &v }

// newSim serves seed behind a real listener. Key testKey acts on testWS;
// "sk-rogue" is routed to llm-staging whatever the header says.
func newSim(t *testing.T, cfg sim.Config, deps ...sim.Deployment) (*sim.Server, string) {
	t.Helper()
	seed := sim.Seed{
		Keys: []sim.Key{
			{Key: testKey.reveal(), Workspaces: []string{testWS}},
			{Key: "sk-rogue", Workspaces: []string{"llm-staging"}, IgnoreWorkspaceHeader: true},
		},
		Deployments: deps,
	}
	s, err := sim.New(cfg, seed)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func simMU(ws, id string, capacity int) sim.Deployment {
	return sim.Deployment{WorkspaceID: ws, DeployedModel: id, ModelName: "qwen-plus", Plan: "mu",
		BaseCapacity: intp(1), Capacity: intp(capacity)}
}

func simFleet(n int) []sim.Deployment {
	var ds []sim.Deployment
	for i := range n {
		ds = append(ds, simMU(testWS, fmt.Sprintf("d-%04d", i), 1))
	}
	return ds
}

func TestSimListAndScale(t *testing.T) {
	deps := append(simFleet(450), sim.Deployment{WorkspaceID: testWS, DeployedModel: "p-1", ModelName: "qwen-plus",
		Plan: "ptu", PTUCapacity: &sim.PTUCapacity{InputTPM: 10000, OutputTPM: 1000}})
	s, url := newSim(t, sim.Config{}, deps...)
	c, _ := newTestClient(t, url, nil)
	ctx := context.Background()
	live, err := c.List(ctx, testWS)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(live) != 451 {
		t.Fatalf("List returned %d deployments, want 451", len(live))
	}
	if n := s.Stats().Calls["GET /api/v1/deployments"]; n != 3 {
		t.Errorf("list requests = %d, want 3", n)
	}
	got, _, err := c.Scale(ctx, testWS, "d-0007", muCap(3))
	if err != nil {
		t.Fatalf("Scale mu: %v", err)
	}
	if got.Capacity != 3 || got.Status != deploy.StatusUpdating || got.WorkspaceID != testWS {
		t.Errorf("Scale mu returned %+v", got)
	}
	want := deploy.PTU{InputTPM: 20000, OutputTPM: 2000}
	if _, _, err := c.Scale(ctx, testWS, "p-1", deploy.Capacity{Plan: deploy.PlanPTU, PTU: want}); err != nil {
		t.Fatalf("Scale ptu: %v", err)
	}
	p, _, err := c.Get(ctx, testWS, "p-1")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if p.PTU == nil || !p.PTU.Equal(want) {
		t.Errorf("ptu after scale = %v, want %v", p.PTU, want)
	}
	if _, err := ParseTime(p.GmtModified); err != nil {
		t.Errorf("simulator timestamp: %v", err)
	}
}

func TestSimErrors(t *testing.T) {
	_, url := newSim(t, sim.Config{}, simMU(testWS, "d-1", 1))
	tests := map[string]struct {
		key    Secret
		id     string
		status int
		code   string
	}{
		"unknown deployment": {testKey, "nope", 404, "NotFound"},
		"unknown key":        {"sk-wrong", "d-1", 401, "InvalidApiKey"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, url, func(o *Options) { o.Workspaces[testWS] = Endpoint{BaseURL: url, Key: tt.key} })
			_, n, err := c.Get(context.Background(), testWS, tt.id)
			var apiErr *Error
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Code != tt.code || n != 1 {
				t.Errorf("Get: err = %v, attempts = %d; want %d %s after 1 attempt", err, n, tt.status, tt.code)
			}
		})
	}
}

// A key routed to another workspace shows in WorkspaceID, for the plan to
// catch before any scale.
func TestSimMisroutedKey(t *testing.T) {
	_, url := newSim(t, sim.Config{}, simMU("llm-staging", "d-1", 1))
	c, _ := newTestClient(t, url, func(o *Options) { o.Workspaces[testWS] = Endpoint{BaseURL: url, Key: "sk-rogue"} })
	live, err := c.List(context.Background(), testWS)
	if err != nil {
		t.Fatal(err)
	}
	want := []deploy.Key{{Workspace: testWS, ID: "d-1"}}
	var keys []deploy.Key
	for _, l := range live {
		keys = append(keys, l.Key)
		if l.WorkspaceID != "llm-staging" {
			t.Errorf("WorkspaceID = %q, want llm-staging", l.WorkspaceID)
		}
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys mismatch (-want +got):\n%s", diff)
	}
}

// Under injected 429s, 5xx answers and dropped connections every call
// still converges, and the 429s carry the simulator's Retry-After.
func TestSimFaults(t *testing.T) {
	s, url := newSim(t, sim.Config{P429: 0.2, P5xx: 0.2, PDrop: 0.1, RetryAfter: time.Second, RandSeed: 7}, simFleet(300)...)
	c, fs := newTestClient(t, url, func(o *Options) { o.MaxRetries = 20 })
	ctx := context.Background()
	live, err := c.List(ctx, testWS)
	if err != nil || len(live) != 300 {
		t.Fatalf("List: %d deployments, err %v", len(live), err)
	}
	total := 0
	for i := range 30 {
		_, n, err := c.Scale(ctx, testWS, fmt.Sprintf("d-%04d", i), muCap(2))
		if err != nil {
			t.Fatalf("Scale: %v", err)
		}
		total += n
	}
	st := s.Stats()
	if st.Injected429 == 0 || st.Injected5xx == 0 || st.Dropped == 0 {
		t.Errorf("faults injected: %+v; want some of each", st)
	}
	if total <= 30 || st.Scales["llm-test/d-0000"] == 0 {
		t.Errorf("total attempts = %d for 30 scales; stats %+v", total, st)
	}
	retryAfterSeen := false
	for _, w := range fs.recorded() {
		retryAfterSeen = retryAfterSeen || w == time.Second
	}
	if !retryAfterSeen {
		t.Errorf("no wait of the simulator's Retry-After (1s) among %v", fs.recorded())
	}
	for _, d := range s.Dump() {
		var i int
		if _, err := fmt.Sscanf(d.DeployedModel, "d-%d", &i); err == nil && i < 30 && *d.Capacity != 2 {
			t.Errorf("%s: capacity %d after scale, want 2", d.DeployedModel, *d.Capacity)
		}
	}
}
