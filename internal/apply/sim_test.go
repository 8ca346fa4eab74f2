// This end-to-end test lives in the external package apply_test: it wires the
// real HTTP client to the simulator, which package apply itself must never
// import.
package apply_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/dashscope"
	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
	"github.com/capctl/capctl/internal/sim"
)

func simIntp(n int) *int { return &n }

// TestRunAgainstSimulator applies a fleet through the real client and the
// simulator, with injected 429s and 5xx, and checks on the server side that
// every deployment reached its target, each with one accepted scale call,
// and that the server never saw more requests at once than Parallelism.
func TestRunAgainstSimulator(t *testing.T) {
	const n, parallelism = 120, 6
	workspaces := []string{"llm-a", "llm-b", "llm-c"}
	seed := sim.Seed{Keys: []sim.Key{{Key: "sk-test", Workspaces: workspaces}}}
	var changes []plan.Change
	for i := range n {
		ws, id := workspaces[i%3], fmt.Sprintf("emo-%03d", i)
		seed.Deployments = append(seed.Deployments, sim.Deployment{
			WorkspaceID: ws, DeployedModel: id, ModelName: "qwen-plus", Plan: "mu",
			BaseCapacity: simIntp(1), Capacity: simIntp(1),
		})
		changes = append(changes, plan.Change{
			Workspace: ws, DeployedModel: id, Plan: deploy.PlanMU, Action: plan.ScaleUp,
			Before: plan.State{Capacity: simIntp(1)}, After: plan.State{Capacity: simIntp(1 + i%4 + 1)},
		})
	}
	srv, err := sim.New(sim.Config{Latency: time.Millisecond, P429: 0.05, P5xx: 0.05, UpdateDelay: 3 * time.Millisecond, RandSeed: 1}, seed)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	eps := map[string]dashscope.Endpoint{}
	for _, ws := range workspaces {
		eps[ws] = dashscope.Endpoint{BaseURL: hs.URL, Key: "sk-test"}
	}
	c, err := dashscope.New(dashscope.Options{Workspaces: eps, MaxRetries: 8, Parallelism: parallelism,
		BackoffBase: time.Millisecond, BackoffMax: 4 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	p := plan.Plan{FormatVersion: plan.FormatVersion, Changes: changes}
	rep := apply.Run(context.Background(), c, p, apply.Options{
		Parallelism: parallelism, CheckBefore: true, Wait: true,
		PollInterval: time.Millisecond, PollMax: 8 * time.Millisecond,
	})
	if rep.Summary.Succeeded != n {
		for _, r := range rep.Results {
			if r.Status != apply.Succeeded {
				t.Errorf("%v: %s %q", r.Key(), r.Status, r.Error)
			}
		}
		t.Fatalf("summary = %+v, want %d succeeded", rep.Summary, n)
	}
	stats := srv.Stats()
	if stats.MaxInFlight > parallelism {
		t.Errorf("server saw %d requests at once, want at most %d", stats.MaxInFlight, parallelism)
	}
	want := map[string]int{}
	for _, ch := range changes {
		want[ch.Key().String()] = *ch.After.Capacity
	}
	for _, d := range srv.Dump() {
		k := d.WorkspaceID + "/" + d.DeployedModel
		if d.Capacity == nil || *d.Capacity != want[k] || d.Status != deploy.StatusRunning {
			t.Errorf("%s: status %s capacity %v, want RUNNING %d", k, d.Status, d.Capacity, want[k])
		}
		if stats.Scales[k] != 1 {
			t.Errorf("%s: %d scale calls reached the server, want 1", k, stats.Scales[k])
		}
	}
}

// TestBackoffGivesUpTheSlot runs two changes at parallelism 1 through the
// real client. The first scale to arrive, of either deployment, is
// answered 503, and its retry is held back until the other deployment's
// scale has reached the server. That can only happen if the first gave its
// call slot back while waiting to retry; if it kept it, the held retry
// gives up waiting after a while and the test sees the wrong order. The
// server never sees two requests at once.
func TestBackoffGivesUpTheSlot(t *testing.T) {
	seed := sim.Seed{Keys: []sim.Key{{Key: "sk-test", Workspaces: []string{"llm-a"}}}}
	var changes []plan.Change
	for _, id := range []string{"emo-a", "emo-b"} {
		seed.Deployments = append(seed.Deployments, sim.Deployment{
			WorkspaceID: "llm-a", DeployedModel: id, ModelName: "qwen-plus", Plan: "mu",
			BaseCapacity: simIntp(1), Capacity: simIntp(1),
		})
		changes = append(changes, plan.Change{
			Workspace: "llm-a", DeployedModel: id, Plan: deploy.PlanMU, Action: plan.ScaleUp,
			Before: plan.State{Capacity: simIntp(1)}, After: plan.State{Capacity: simIntp(2)},
		})
	}
	srv, err := sim.New(sim.Config{}, seed)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		order    []string
		inFlight int
		most     int
		first    string
		other    = make(chan struct{}) // closed once the other one's scale is served
	)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/deployments/"), "/scale")
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		n := len(order)
		order = append(order, id)
		if n == 0 {
			first = id
		}
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		switch {
		case n == 0:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"request_id":"r1","code":"ServiceUnavailable","message":"busy"}`)
			return
		case id == first:
			select {
			case <-other:
			case <-time.After(5 * time.Second): // the other never came: the slot was kept
			}
		}
		srv.ServeHTTP(w, r)
		if id != first {
			close(other)
		}
	}))
	defer hs.Close()
	c, err := dashscope.New(dashscope.Options{Parallelism: 1, MaxRetries: 2,
		Workspaces:  map[string]dashscope.Endpoint{"llm-a": {BaseURL: hs.URL, Key: "sk-test"}},
		BackoffBase: time.Millisecond, BackoffMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rep := apply.Run(context.Background(), c, plan.Plan{FormatVersion: plan.FormatVersion, Changes: changes},
		apply.Options{Parallelism: 1})
	if rep.Summary.Succeeded != 2 {
		t.Fatalf("summary = %+v, want 2 succeeded", rep.Summary)
	}
	second := map[string]string{"emo-a": "emo-b", "emo-b": "emo-a"}[first]
	if want := []string{first, second, first}; !slices.Equal(order, want) {
		t.Errorf("server saw scales of %v, want %v", order, want)
	}
	if most != 1 {
		t.Errorf("server saw %d requests at once, want 1", most)
	}
	for _, d := range srv.Dump() {
		if *d.Capacity != 2 {
			t.Errorf("%s: capacity %d, want 2", d.DeployedModel, *d.Capacity)
		}
	}
}
