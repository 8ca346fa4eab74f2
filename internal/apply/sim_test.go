// This end-to-end test lives in the external package apply_test: it wires the
// real HTTP client to the simulator, which package apply itself must never
// import.
package apply_test

import (
	"context"
	"fmt"
	"net/http/httptest"
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
