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
	"github.com/capctl/capctl/internal/ratelimit"
	"github.com/capctl/capctl/internal/sim"
)

// These benchmarks run the executor through the real client against the
// simulator, so the numbers include HTTP, the limiter and the server's
// rate limit. Run them with
//
//	go test -run XXX -bench . -benchtime 1x ./internal/apply/
//
// ratio_to_ideal is the run's time over the least time the setting allows:
// ⌈changes/parallelism⌉ round trips when only latency bounds it,
// changes/rate when the server's rate limit does.

// benchLatency is the simulator's latency for every request.
const benchLatency = 20 * time.Millisecond

// benchWorkspaces spreads the fleet over a few workspaces, as a real one is.
var benchWorkspaces = []string{"llm-bench-0", "llm-bench-1", "llm-bench-2", "llm-bench-3"}

// benchFleet returns a seed of n mu deployments at capacity 1 and the plan
// scaling every one of them to 2.
func benchFleet(n int) (sim.Seed, plan.Plan) {
	seed := sim.Seed{Keys: []sim.Key{{Key: "sk-bench", Workspaces: benchWorkspaces}}}
	p := plan.Plan{FormatVersion: plan.FormatVersion}
	for i := range n {
		ws, id := benchWorkspaces[i%len(benchWorkspaces)], fmt.Sprintf("emo-%05d", i)
		seed.Deployments = append(seed.Deployments, sim.Deployment{
			WorkspaceID: ws, DeployedModel: id, ModelName: "qwen-plus", Plan: "mu",
			BaseCapacity: simIntp(1), Capacity: simIntp(1),
		})
		p.Changes = append(p.Changes, plan.Change{
			Workspace: ws, DeployedModel: id, Plan: deploy.PlanMU, Action: plan.ScaleUp,
			Before: plan.State{Capacity: simIntp(1)}, After: plan.State{Capacity: simIntp(2)},
		})
	}
	return seed, p
}

// benchCase is one benchmarked setting.
type benchCase struct {
	changes, parallelism int
	server               sim.Config
	// limit and limited: with limited, every attempt goes through a
	// ratelimit.Adaptive of limit requests per second (0: AIMD alone).
	limit   float64
	limited bool
	ideal   time.Duration
}

// runBench applies the case's plan b.N times, each time against a fresh
// simulator, and reports the mean ratio to ideal, the share of HTTP calls
// answered 429 and the deployments that failed.
func runBench(b *testing.B, bc benchCase) {
	b.Helper()
	seed, p := benchFleet(bc.changes)
	var elapsed time.Duration
	var calls, throttled, failed int
	var lastRate float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		srv, err := sim.New(bc.server, seed)
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		eps := map[string]dashscope.Endpoint{}
		for _, ws := range benchWorkspaces {
			eps[ws] = dashscope.Endpoint{BaseURL: hs.URL, Key: "sk-bench"}
		}
		opts := dashscope.Options{Workspaces: eps, MaxRetries: dashscope.DefaultMaxRetries, Parallelism: bc.parallelism}
		var lim *ratelimit.Adaptive
		if bc.limited {
			lim = ratelimit.New(bc.limit, 1)
			opts.Limiter = lim
		}
		c, err := dashscope.New(opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep := apply.Run(context.Background(), c, p, apply.Options{Parallelism: bc.parallelism})
		elapsed += time.Since(start)
		b.StopTimer()
		hs.Close()
		st := srv.Stats()
		for _, n := range st.Calls {
			calls += n
		}
		throttled += st.RateLimited + st.Injected429
		failed += rep.Summary.Failed + rep.Summary.Interrupted
		if lim != nil {
			lastRate = lim.Rate()
		}
	}
	b.ReportMetric(float64(elapsed)/float64(b.N)/float64(bc.ideal), "ratio_to_ideal")
	b.ReportMetric(100*float64(throttled)/float64(max(calls, 1)), "pct_429")
	b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
	if bc.limited {
		b.ReportMetric(lastRate, "final_rate")
	}
}

// BenchmarkApply measures how close the executor comes to the latency
// bound: 3,000 scale calls of 20 ms each, no rate limit.
func BenchmarkApply(b *testing.B) {
	const changes = 3000
	for _, parallelism := range []int{10, 50} {
		b.Run(fmt.Sprintf("parallelism=%d", parallelism), func(b *testing.B) {
			rounds := (changes + parallelism - 1) / parallelism
			runBench(b, benchCase{
				changes:     changes,
				parallelism: parallelism,
				server:      sim.Config{Latency: benchLatency, RandSeed: 1},
				ideal:       time.Duration(rounds) * benchLatency,
			})
		})
	}
}

// BenchmarkApplyRateLimited applies 5,000 changes against a server that
// grants 200 requests per second (burst 10) and answers the rest 429 with
// Retry-After: once paced at the server's rate (--rate 200) and once with
// no configured rate, AIMD alone finding it. The ideal is 5000/200 = 25 s.
func BenchmarkApplyRateLimited(b *testing.B) {
	const changes, serverRate, parallelism = 5000, 200, 10
	for _, limit := range []float64{serverRate, 0} {
		b.Run(fmt.Sprintf("rate=%g", limit), func(b *testing.B) {
			runBench(b, benchCase{
				changes:     changes,
				parallelism: parallelism,
				server:      sim.Config{Latency: benchLatency, RateLimit: serverRate, Burst: 10, RandSeed: 1},
				limit:       limit,
				limited:     true,
				ideal:       time.Duration(float64(changes) / serverRate * float64(time.Second)),
			})
		})
	}
}
