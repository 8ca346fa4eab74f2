package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/journal"
	"github.com/capctl/capctl/internal/sim"
)

// These tests interrupt the real command, with main's signal handling, at
// the moments that matter: before any change, in the middle of a run,
// while --wait polls, and twice in a row.

// TestSignalDuringList interrupts apply while it reads the live state: it
// exits 130 without a single scale call.
func TestSignalDuringList(t *testing.T) {
	dir := t.TempDir()
	seed, _ := procFleet(t, dir, 5, 0)
	s := newProcSim(t, sim.Config{Latency: 2 * time.Second}, seed)
	p := startCapctl(t, dir, s.URL, nil, "apply", "--auto-approve", "--report", "report.json", "fleet")
	waitUntil(t, p, "the list call", func() bool { return s.listsArrived.Load() > 0 })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, p.stderr)
	}
	if n := s.scalesArrived.Load(); n != 0 {
		t.Errorf("%d scale calls after an interrupt during the list", n)
	}
	if !strings.Contains(p.stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", p.stderr)
	}
	for _, f := range []string{"report.json", "report.json" + journal.Suffix} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s written although nothing was applied (%v)", f, err)
		}
	}
}

var applySummaryRE = regexp.MustCompile(`Apply: (\d+) succeeded, 0 failed, 0 conflict, (\d+) interrupted\.`)

// TestSignalMidRun interrupts apply after its first results: the calls in
// flight finish, nothing new starts, every deployment is reported (in the
// summary line and in a complete --report), and a second run converges.
func TestSignalMidRun(t *testing.T) {
	const changes = 20
	dir := t.TempDir()
	seed, want := procFleet(t, dir, changes, 0)
	s := newProcSim(t, sim.Config{Latency: 200 * time.Millisecond}, seed)
	args := []string{"apply", "--auto-approve", "--parallelism", "2", "--report", "report.json", "fleet"}
	p := startCapctl(t, dir, s.URL, nil, args...)
	waitUntil(t, p, "the first result", func() bool { return strings.Contains(p.stderr.String(), "ok llm-a/") })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, p.stdout, p.stderr)
	}
	m := applySummaryRE.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no summary line in stdout:\n%s", p.stdout)
	}
	n, _ := strconv.Atoi(m[1])
	interrupted, _ := strconv.Atoi(m[2])
	if n+interrupted != changes || n == 0 || interrupted == 0 {
		t.Errorf("summary %q: want N succeeded + M interrupted = %d, both > 0", m[0], changes)
	}

	rep := readReport(t, filepath.Join(dir, "report.json"))
	if len(rep.Results) != changes || rep.Summary.Succeeded != n || rep.Summary.Interrupted != interrupted {
		t.Errorf("report: %d results, summary %+v; want %d results, %d succeeded, %d interrupted",
			len(rep.Results), rep.Summary, changes, n, interrupted)
	}
	live := s.Capacities()
	for _, r := range rep.Results {
		key := r.Workspace + "/" + r.DeployedModel
		switch {
		case r.Status == apply.Succeeded && live[key] != 2:
			t.Errorf("%s: reported succeeded, capacity is %d", key, live[key])
		case r.Status == apply.Interrupted && (live[key] != 1 || s.Stats().Scales[key] != 0):
			t.Errorf("%s: reported %q, yet it was scaled", key, r.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "report.json"+journal.Suffix)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("journal left behind by a run that wrote its report: %v", err)
	}

	p2, code := runCapctl(t, dir, s.URL, nil, args...)
	if code != 0 {
		t.Fatalf("re-run exited %d\nstderr:\n%s", code, p2.stderr)
	}
	if !strings.Contains(p2.stdout.String(), "Apply: "+strconv.Itoa(interrupted)+" succeeded, 0 failed") {
		t.Errorf("re-run did not scale exactly the %d interrupted deployments:\n%s", interrupted, p2.stdout)
	}
	got, scales := s.Capacities(), s.Stats().Scales
	for key, c := range want {
		if got[key] != c || scales[key] != 1 {
			t.Errorf("%s: capacity %d after %d scale calls, want %d after 1", key, got[key], scales[key], c)
		}
	}
}

// TestSignalDuringWait interrupts apply --wait while deployments stay
// UPDATING: it exits 130 without waiting for them, and says the scale
// calls were accepted.
func TestSignalDuringWait(t *testing.T) {
	const changes = 3
	dir := t.TempDir()
	seed, _ := procFleet(t, dir, changes, 0)
	s := newProcSim(t, sim.Config{UpdateDelay: time.Hour}, seed)
	p := startCapctl(t, dir, s.URL, nil, "apply", "--auto-approve", "--wait", "-o", "json", "fleet")
	waitUntil(t, p, "every scale call accepted", func() bool { return len(s.Accepted()) == changes })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, p.stderr)
	}
	var rep apply.Report
	if err := json.Unmarshal([]byte(p.stdout.String()), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, p.stdout)
	}
	if len(rep.Results) != changes || rep.Summary.Interrupted != changes {
		t.Fatalf("summary %+v, want %d interrupted", rep.Summary, changes)
	}
	for _, r := range rep.Results {
		if !strings.Contains(r.Error, "the scale call was accepted") {
			t.Errorf("%s: %q does not say the scale call was accepted", r.DeployedModel, r.Error)
		}
	}
}

// TestSignalTwice: a second interrupt exits at once, without waiting for
// the calls in flight and their grace period, so no report is written.
func TestSignalTwice(t *testing.T) {
	dir := t.TempDir()
	seed, _ := procFleet(t, dir, 2, 0)
	s := newProcSim(t, sim.Config{}, seed)
	s.scaleHold.Store(int64(time.Minute))
	p := startCapctl(t, dir, s.URL, nil, "apply", "--auto-approve", "--report", "report.json", "fleet")
	waitUntil(t, p, "a scale call in flight", func() bool { return s.scalesArrived.Load() > 0 })
	p.signal(t, syscall.SIGINT)
	waitUntil(t, p, "the first interrupt to be taken", func() bool { return strings.Contains(p.stderr.String(), "interrupt again") })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d, want 130\nstderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "second interrupt") {
		t.Errorf("stderr does not mention the second interrupt:\n%s", p.stderr)
	}
	// The run ended before apply could report: had the second signal been
	// lost, apply would have written the report after the grace period.
	if _, err := os.Stat(filepath.Join(dir, "report.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("report written: the second interrupt did not exit at once (%v)", err)
	}
}

// readReport reads a JSON apply report.
func readReport(t *testing.T, path string) apply.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep apply.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// TestSignalDuringPrompt interrupts apply while it waits for approval on a
// terminal: it exits 130 at once, with no scale call.
func TestSignalDuringPrompt(t *testing.T) {
	dir := t.TempDir()
	seed, _ := procFleet(t, dir, 3, 0)
	s := newProcSim(t, sim.Config{}, seed)
	r, w, err := os.Pipe() // stdin that never answers
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := startCapctlWithStdin(t, dir, s.URL, r, []string{"CAPCTL_TEST_TTY=1"}, "apply", "fleet")
	r.Close()
	waitUntil(t, p, "the prompt", func() bool { return strings.Contains(p.stdout.String(), "Only 'yes' will be accepted") })
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != 130 {
		t.Fatalf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, p.stdout, p.stderr)
	}
	if n := s.scalesArrived.Load(); n != 0 {
		t.Errorf("%d scale calls after an interrupt at the prompt", n)
	}
}
