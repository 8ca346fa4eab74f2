package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/sim"
)

// soakScale sizes the soak test. The default run applies 2,000 deployments
// once, with short latency spikes, to stay within the test suite's budget;
// the long run (CAPCTL_SOAK=long, as `make soak` sets) rescales them in
// several rounds with longer spikes.
type soakScale struct {
	deployments, workspaces, rounds, parallelism int
	latency, jitter                              time.Duration
}

func soakSize() soakScale {
	if os.Getenv("CAPCTL_SOAK") == "long" {
		return soakScale{deployments: 2000, workspaces: 20, rounds: 2, parallelism: 10,
			latency: 2 * time.Millisecond, jitter: 20 * time.Millisecond}
	}
	return soakScale{deployments: 2000, workspaces: 20, rounds: 1, parallelism: 10,
		latency: time.Millisecond, jitter: 4 * time.Millisecond}
}

// soakDeployment is one deployment of the generated fleet.
type soakDeployment struct {
	ws, id string
	ptu    bool
	base   int
}

// TestSoak applies a generated fleet (see soakSize) through the real command
// path (CUE files, client, plan, executor, report) against a simulator that
// answers 15% of requests with 429, 5% with 5xx, drops 2% of connections
// and adds latency spikes. Each round must converge exactly, with one scale
// call per changed deployment and none for the others, never more calls in
// flight than --parallelism, and one reported result per deployment.
func TestSoak(t *testing.T) {
	size := soakSize()
	fleet := soakFleet(size)
	srv, err := sim.New(sim.Config{
		Latency: size.latency, LatencyJitter: size.jitter,
		P429: 0.15, P5xx: 0.05, PDrop: 0.02,
		RandSeed: 7,
	}, soakSeed(fleet, size.workspaces))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	getenv := func(k string) string {
		if n, ok := strings.CutPrefix(k, "SOAK_KEY_"); ok {
			return "sk-soak-" + n
		}
		return ""
	}
	dir := t.TempDir()
	for round := 1; round <= size.rounds; round++ {
		files := filepath.Join(dir, fmt.Sprintf("round%d", round))
		writeSoakFiles(t, files, fleet, round)
		changed := soakChanged(srv, fleet, round)
		srv.ResetStats()
		rep := soakApply(t, getenv, hs.URL, files, size.parallelism, filepath.Join(dir, fmt.Sprintf("report%d.json", round)))
		checkSoakRound(t, round, srv, fleet, changed, rep, size.parallelism)
	}
	// Applying the last round again finds nothing to do and calls nothing
	// but the list.
	srv.ResetStats()
	last := filepath.Join(dir, fmt.Sprintf("round%d", size.rounds))
	rep := soakApply(t, getenv, hs.URL, last, size.parallelism, filepath.Join(dir, "again.json"))
	if st := srv.Stats(); len(st.Scales) != 0 || rep.Summary.Skipped != len(fleet) {
		t.Errorf("second apply: %d deployments scaled, %d skipped; want 0 and %d", len(st.Scales), rep.Summary.Skipped, len(fleet))
	}
}

// soakFleet generates the deployments: one in five ptu, the rest mu with
// base_capacity 1 or 2, spread over the workspaces.
func soakFleet(size soakScale) []soakDeployment {
	out := make([]soakDeployment, size.deployments)
	for i := range out {
		out[i] = soakDeployment{
			ws:   fmt.Sprintf("llm-soak-%02d", i%size.workspaces),
			id:   fmt.Sprintf("d-%04d", i),
			ptu:  i%5 == 4,
			base: 1 + i%2,
		}
	}
	return out
}

// soakTarget is what round wants for deployment i (round 0 is the seed):
// mu capacity in base units, or ptu input and output tpm. One deployment
// in five keeps its seed value in every round, so each round has
// unchanged deployments as well as changed ones.
func soakTarget(i, round int) (capacity, in, out int) {
	step := round
	if i%5 == 0 {
		step = 0
	}
	return 1 + (i*7+step)%5, 1000 * (1 + (i+step)%4), 100 * (1 + (i+2*step)%3)
}

func soakSeed(fleet []soakDeployment, workspaces int) sim.Seed {
	var seed sim.Seed
	for w := range workspaces {
		seed.Keys = append(seed.Keys, sim.Key{
			Key: fmt.Sprintf("sk-soak-%02d", w), Workspaces: []string{fmt.Sprintf("llm-soak-%02d", w)},
		})
	}
	for i, d := range fleet {
		c, in, out := soakTarget(i, 0)
		sd := sim.Deployment{WorkspaceID: d.ws, DeployedModel: d.id, ModelName: "qwen3-8b", Status: sim.StatusRunning}
		if d.ptu {
			sd.Plan = sim.PlanPTU
			sd.PTUCapacity = &sim.PTUCapacity{InputTPM: in, OutputTPM: out}
		} else {
			sd.Plan = sim.PlanMU
			units, base := c*d.base, d.base
			sd.Capacity, sd.BaseCapacity = &units, &base
		}
		seed.Deployments = append(seed.Deployments, sd)
	}
	return seed
}

// writeSoakFiles writes one CUE file per workspace for the round.
func writeSoakFiles(t *testing.T, dir string, fleet []soakDeployment, round int) {
	t.Helper()
	byWS := map[string]*strings.Builder{}
	for i, d := range fleet {
		b := byWS[d.ws]
		if b == nil {
			b = &strings.Builder{}
			key := strings.TrimPrefix(d.ws, "llm-soak-")
			fmt.Fprintf(b, "package capacity\n\nworkspaces: %q: {\n\tapi_key_env: \"SOAK_KEY_%s\"\n\tdeployments: {\n", d.ws, key)
			byWS[d.ws] = b
		}
		c, in, out := soakTarget(i, round)
		if d.ptu {
			fmt.Fprintf(b, "\t\t%q: {plan: \"ptu\", ptu_capacity: {input_tpm: %d, output_tpm: %d}}\n", d.id, in, out)
		} else {
			fmt.Fprintf(b, "\t\t%q: {plan: \"mu\", base_capacity: %d, capacity: %d}\n", d.id, d.base, c*d.base)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for ws, b := range byWS {
		b.WriteString("\t}\n}\n")
		if err := os.WriteFile(filepath.Join(dir, ws+".cue"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// soakChanged returns the deployments ("ws/id") whose live state differs
// from what round wants.
func soakChanged(srv *sim.Server, fleet []soakDeployment, round int) map[string]bool {
	live := map[string]sim.Deployment{}
	for _, d := range srv.Dump() {
		live[d.WorkspaceID+"/"+d.DeployedModel] = d
	}
	changed := map[string]bool{}
	for i, d := range fleet {
		if !soakMatches(live[d.ws+"/"+d.id], d, i, round) {
			changed[d.ws+"/"+d.id] = true
		}
	}
	return changed
}

// soakMatches reports whether a deployment is at round's target.
func soakMatches(l sim.Deployment, d soakDeployment, i, round int) bool {
	c, in, out := soakTarget(i, round)
	if d.ptu {
		p := l.PTUCapacity
		return p != nil && p.InputTPM == in && p.OutputTPM == out && p.ThinkingOutputTPM == nil
	}
	return l.Capacity != nil && *l.Capacity == c*d.base
}

// soakApply runs `capctl apply` in process and returns its report.
// The endpoint is a flag: kong reads CAPCTL_ENDPOINT from the process
// environment, not from getenv.
func soakApply(t *testing.T, getenv func(string) string, endpoint, files string, parallelism int, report string) apply.Report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{
		"apply", "--endpoint", endpoint, "--auto-approve", "--max-retries", "15", "--parallelism", strconv.Itoa(parallelism),
		"--report", report, "-o", "json", files,
	}, &env{getenv: getenv, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr})
	if code != 0 {
		t.Fatalf("capctl apply exited %d\nstderr:\n%s", code, tail(stderr.String(), 40))
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep apply.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	return rep
}

// checkSoakRound checks one round: the simulator's state equals the files,
// each changed deployment got exactly one scale call that reached the
// handler and the others none, the in-flight bound held, faults were
// injected, and the report has one result per deployment.
func checkSoakRound(t *testing.T, round int, srv *sim.Server, fleet []soakDeployment, changed map[string]bool, rep apply.Report, parallelism int) {
	t.Helper()
	st := srv.Stats()
	live := map[string]sim.Deployment{}
	for _, d := range srv.Dump() {
		live[d.WorkspaceID+"/"+d.DeployedModel] = d
	}
	results := map[string]apply.Result{}
	for _, r := range rep.Results {
		k := r.Workspace + "/" + r.DeployedModel
		if _, dup := results[k]; dup {
			t.Errorf("round %d: %s reported twice", round, k)
		}
		results[k] = r
	}
	if len(rep.Results) != len(fleet) {
		t.Errorf("round %d: report has %d results, want %d", round, len(rep.Results), len(fleet))
	}
	bad := 0
	for i, d := range fleet {
		k := d.ws + "/" + d.id
		wantScales, wantStatus := 0, apply.Status("skipped")
		if changed[k] {
			wantScales, wantStatus = 1, "succeeded"
		}
		r, ok := results[k]
		switch {
		case !soakMatches(live[k], d, i, round):
			t.Errorf("round %d: %s is %+v, not what the files say", round, k, live[k])
		case st.Scales[k] != wantScales:
			t.Errorf("round %d: %s got %d scale calls, want %d", round, k, st.Scales[k], wantScales)
		case !ok || r.Status != wantStatus:
			t.Errorf("round %d: %s reported %+v, want status %s", round, k, r, wantStatus)
		default:
			continue
		}
		if bad++; bad > 10 {
			t.Fatalf("round %d: too many mismatches", round)
		}
	}
	if len(st.Gets) != 0 {
		t.Errorf("round %d: %d deployments read one by one; apply needs the list only", round, len(st.Gets))
	}
	if st.MaxInFlight > parallelism {
		t.Errorf("round %d: %d requests in flight at once, --parallelism %d", round, st.MaxInFlight, parallelism)
	}
	if st.Injected429 == 0 || st.Injected5xx == 0 || st.Dropped == 0 {
		t.Errorf("round %d: faults injected: 429 %d, 5xx %d, dropped %d; want some of each", round, st.Injected429, st.Injected5xx, st.Dropped)
	}
	t.Logf("round %d: %d changed; %d requests, max %d in flight; injected 429 %d, 5xx %d, dropped %d",
		round, len(changed), soakRequests(st), st.MaxInFlight, st.Injected429, st.Injected5xx, st.Dropped)
}

func soakRequests(st sim.Stats) int {
	n := 0
	for _, c := range st.Calls {
		n += c
	}
	return n
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
