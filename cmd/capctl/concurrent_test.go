package main

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/sim"
)

// TestConcurrentApplies runs two applies of the same change at once against
// one API, whose scales stay UPDATING (so the later scale is refused with
// 409). Whatever the interleaving, the server accepts at most one scale call
// per deployment, every deployment ends at its target, and each run reports
// every deployment: with a saved plan the loser sees the moved deployment as
// a conflict (or, when its scale call met the winner's, finds the target in
// place and reports success); planning from the files, the loser's plan or
// its 409 shows the target already in place.
func TestConcurrentApplies(t *testing.T) {
	const changes = 20
	tests := map[string]struct {
		savedPlan bool
		allowed   []apply.Status // statuses either run may report
	}{
		"saved plan": {savedPlan: true, allowed: []apply.Status{apply.Succeeded, apply.Conflict}},
		"files":      {savedPlan: false, allowed: []apply.Status{apply.Succeeded, apply.Skipped}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			seed, want := procFleet(t, dir, changes, 0)
			s := newProcSim(t, sim.Config{Latency: 20 * time.Millisecond, UpdateDelay: time.Hour}, seed)
			source := []string{"fleet"}
			if tc.savedPlan {
				if p, code := runCapctl(t, dir, s.URL, nil, "plan", "--out", "saved.json", "fleet"); code != 0 {
					t.Fatalf("plan exited %d:\n%s", code, p.stderr)
				}
				source = []string{"--plan", "saved.json"}
			}
			var procs []*proc
			for _, r := range []string{"r1.json", "r2.json"} {
				args := append([]string{"apply", "--auto-approve", "--parallelism", "4", "--report", r}, source...)
				procs = append(procs, startCapctl(t, dir, s.URL, nil, args...))
			}
			statuses := map[string][]apply.Status{}
			for i, p := range procs {
				code := p.wait(t)
				rep := readReport(t, filepath.Join(dir, []string{"r1.json", "r2.json"}[i]))
				if len(rep.Results) != changes {
					t.Errorf("run %d: %d results, want %d", i+1, len(rep.Results), changes)
				}
				wantCode := 0
				if rep.Summary.Conflict > 0 {
					wantCode = 1
				}
				if code != wantCode {
					t.Errorf("run %d: exit %d with summary %+v, want %d\nstderr:\n%s", i+1, code, rep.Summary, wantCode, p.stderr)
				}
				for _, r := range rep.Results {
					key := r.Workspace + "/" + r.DeployedModel
					statuses[key] = append(statuses[key], r.Status)
					if !slices.Contains(tc.allowed, r.Status) {
						t.Errorf("run %d: %s %s (%s), want one of %v", i+1, key, r.Status, r.Error, tc.allowed)
					}
				}
			}
			got, accepted := s.Capacities(), s.Accepted()
			for key, c := range want {
				if got[key] != c {
					t.Errorf("%s: capacity %d, want %d", key, got[key], c)
				}
				if accepted[key] != 1 {
					t.Errorf("%s: %d scale calls accepted, want exactly 1", key, accepted[key])
				}
				if !slices.Contains(statuses[key], apply.Succeeded) {
					t.Errorf("%s: no run reports success: %v", key, statuses[key])
				}
			}
			t.Logf("scale calls received: %d for %d deployments", s.scalesArrived.Load(), changes)
		})
	}
}
