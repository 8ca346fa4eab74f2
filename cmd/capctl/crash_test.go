package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/journal"
	"github.com/capctl/capctl/internal/sim"
)

// TestCrashJournalIsTruthful kills apply with SIGKILL in the middle of a
// run and checks what --report leaves behind: the journal names only
// deployments that really are at their target, and a second apply, which
// appends to the same journal, converges without scaling any deployment
// twice.
func TestCrashJournalIsTruthful(t *testing.T) {
	const changes, unchanged = 40, 5
	dir := t.TempDir()
	seed, want := procFleet(t, dir, changes, unchanged)
	s := newProcSim(t, sim.Config{Latency: 100 * time.Millisecond}, seed)
	report := filepath.Join(dir, "report.json")
	jpath := report + journal.Suffix
	args := []string{"apply", "--auto-approve", "--parallelism", "2", "--report", report, "fleet"}

	// A report of an earlier run must not survive to be mistaken for this one's.
	if err := os.WriteFile(report, []byte(`{"stale": true}`), 0o600); err != nil {
		t.Fatal(err)
	}

	p := startCapctl(t, dir, s.URL, nil, args...)
	waitUntil(t, p, "10 succeeded lines in the journal", func() bool {
		data, _ := os.ReadFile(jpath)
		return bytes.Count(data, []byte(`"status":"succeeded"`)) >= 10
	})
	p.signal(t, syscall.SIGKILL)
	if code := p.wait(t); code != -1 {
		t.Fatalf("capctl exited %d, want killed by SIGKILL", code)
	}
	if _, err := os.Stat(report); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after the kill, %s exists (%v): a stale or partial report must not be there", report, err)
	}

	// Nothing in the journal is a lie.
	lines, err := journal.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	live := s.Capacities()
	done := map[string]bool{}
	succeeded := 0
	for _, r := range lines {
		key := r.Workspace + "/" + r.DeployedModel
		if done[key] {
			t.Errorf("%s: journaled twice", key)
		}
		done[key] = true
		switch r.Status {
		case apply.Succeeded:
			succeeded++
		case apply.Skipped:
		default:
			t.Errorf("%s: journaled %s (%s), want succeeded or skipped", key, r.Status, r.Error)
			continue
		}
		if r.After.Capacity == nil || live[key] != *r.After.Capacity {
			t.Errorf("%s: journal says %s to %v, the server has capacity %d", key, r.Status, r.After.Capacity, live[key])
		}
	}
	if succeeded == changes {
		t.Fatalf("all %d changes were journaled before the kill: the test did not kill mid-run", changes)
	}
	t.Logf("killed after %d of %d changes were journaled", succeeded, changes)
	scalesBefore := s.Stats().Scales

	// Run again: it converges, journals after the old lines, and leaves
	// only the complete report.
	p2, code := runCapctl(t, dir, s.URL, nil, args...)
	if code != 0 {
		t.Fatalf("second apply exited %d\nstdout:\n%s\nstderr:\n%s", code, p2.stdout, p2.stderr)
	}
	if !strings.Contains(p2.stderr.String(), "earlier run") {
		t.Errorf("second apply did not mention the earlier run's journal; stderr:\n%s", p2.stderr)
	}
	if _, err := os.Stat(jpath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal still there after a complete run: %v", err)
	}
	var rep apply.Report
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report: %v", err)
	}
	if len(rep.Results) != changes+unchanged || rep.Summary.Failed+rep.Summary.Interrupted+rep.Summary.Conflict != 0 {
		t.Errorf("second report: %d results, summary %+v", len(rep.Results), rep.Summary)
	}

	// Converged, with exactly one scale call per change over both runs
	// (a call in flight at the kill either reached the server, and the
	// re-plan sees it done, or it did not and is made again), none for
	// the unchanged, and none again for what the journal recorded.
	got := s.Capacities()
	scales := s.Stats().Scales
	for key, c := range want {
		if got[key] != c {
			t.Errorf("%s: capacity %d, want %d", key, got[key], c)
		}
		wantScales := 1
		if c == 3 {
			wantScales = 0
		}
		if scales[key] != wantScales {
			t.Errorf("%s: %d scale calls over both runs, want %d", key, scales[key], wantScales)
		}
		if done[key] && scales[key] != scalesBefore[key] {
			t.Errorf("%s: journaled as done, yet scaled again", key)
		}
	}
}
