package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/capctl/capctl/internal/journal"
	"github.com/capctl/capctl/internal/sim"
)

// secretCanary is a key the tests can recognise anywhere it leaks to.
// Every key below contains it, the wrong ones included.
const secretCanary = "sk-SECRET-canary-1234"

// TestSecretsNeverLeak runs every command and output format, at debug log
// level, through success and failure (a wrong key, a key of another
// workspace, a refused scale, 5xx until the retries run out, a proxy that
// echoes the key back, a killed apply, bad input), and then looks for the
// key in every byte capctl printed or wrote: stdout, stderr, the plan file,
// the report, its journal, the JUnit file and the job summary. It also
// checks that those files are readable by their owner only.
func TestSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	seed, _ := procFleet(t, dir, 4, 1)
	seed.Keys = []sim.Key{
		{Key: secretCanary, Workspaces: []string{"llm-a"}},
		{Key: secretCanary + "-other", Workspaces: []string{"llm-z"}},
	}
	one := 1
	seed.Deployments = append(seed.Deployments, sim.Deployment{
		WorkspaceID: "llm-a", DeployedModel: "mu-locked", Plan: "mu", Status: "RUNNING",
		Capacity: &one, BaseCapacity: &one,
		RejectScale: &sim.APIError{Status: 403, Code: "AccessDenied", Message: "Access denied."},
	})
	locked := "\t\t\"mu-locked\": {plan: \"mu\", capacity: 2}\n"
	addToFleet(t, filepath.Join(dir, "fleet", "a.cue"), locked)
	s := newProcSim(t, sim.Config{}, seed)
	flaky := newProcSim(t, sim.Config{}, seed)
	flaky.failScales.Store(true)
	leaky := httptest.NewServer(echoKey())
	t.Cleanup(leaky.Close)
	if err := os.WriteFile(filepath.Join(dir, "corrupt.json"), []byte(`{"format_version": 1, "changes": [{"work`), 0o600); err != nil {
		t.Fatal(err)
	}

	key := "KEY_A=" + secretCanary
	summary := "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary.md")
	runs := []struct {
		name string
		url  string
		env  []string
		args []string
		code int
		// want is printed (stdout or stderr) when the run took the path
		// it is meant to test.
		want string
	}{
		{"validate", s.URL, []string{key}, []string{"validate", "fleet"}, 0, ""},
		{"plan text", s.URL, []string{key, summary}, []string{"plan", "fleet"}, 0, "to scale up"},
		{"plan json", s.URL, []string{key}, []string{"plan", "-o", "json", "fleet"}, 0, `"scale_up"`},
		{"plan markdown", s.URL, []string{key}, []string{"plan", "-o", "markdown", "fleet"}, 0, "mu-locked"},
		{"plan github", s.URL, []string{key}, []string{"plan", "-o", "github", "fleet"}, 0, "mu-locked"},
		{"plan out", s.URL, []string{key}, []string{"plan", "--out", "plan.json", "fleet"}, 0, "mu-locked"},
		{"apply with a refused scale", s.URL, []string{key, summary}, []string{"apply", "--auto-approve", "--report", "report.json", "--junit", "junit.xml", "fleet"}, 1, "AccessDenied"},
		{"apply json", s.URL, []string{key}, []string{"apply", "--auto-approve", "-o", "json", "--report", "report2.json", "fleet"}, 1, "AccessDenied"},
		{"apply markdown", s.URL, []string{key}, []string{"apply", "--auto-approve", "-o", "markdown", "fleet"}, 1, "AccessDenied"},
		{"apply saved plan with conflicts", s.URL, []string{key}, []string{"apply", "--auto-approve", "--plan", "plan.json", "--report", "report3.json"}, 1, "conflict"},
		{"import", s.URL, []string{key}, []string{"import", "--workspace", "llm-a", "--api-key-env", "KEY_A"}, 0, "mu-locked"},
		{"401 wrong key", s.URL, []string{"KEY_A=" + secretCanary + "-wrong"}, []string{"plan", "fleet"}, 1, "InvalidApiKey"},
		{"403 key of another workspace", s.URL, []string{"KEY_A=" + secretCanary + "-other"}, []string{"apply", "--auto-approve", "fleet"}, 1, "Workspace.AccessDenied"},
		{"5xx until retries run out", flaky.URL, []string{key}, []string{"apply", "--auto-approve", "--max-retries", "2", "--report", "report4.json", "fleet"}, 1, "gave up after 3 attempts"},
		{"proxy echoing the key", leaky.URL, []string{key}, []string{"plan", "fleet"}, 1, "[redacted]"},
		{"proxy echoing the key, import", leaky.URL, []string{key}, []string{"import", "--workspace", "llm-a", "--api-key-env", "KEY_A"}, 1, "[redacted]"},
		{"corrupt plan file", s.URL, []string{key}, []string{"apply", "--auto-approve", "--plan", "corrupt.json"}, 1, "corrupt.json"},
		{"bad flag", s.URL, []string{key}, []string{"apply", "--auto-approve", "--parallelism", "0", "fleet"}, 1, "--parallelism"},
		{"missing key", s.URL, []string{"KEY_A="}, []string{"plan", "fleet"}, 1, "KEY_A is not set"},
	}
	var printed bytes.Buffer
	for _, r := range runs {
		args := append([]string{"--log-level", "debug"}, r.args...)
		p, code := runCapctl(t, dir, r.url, r.env, args...)
		if code != r.code {
			t.Errorf("%s: exit %d, want %d\nstderr:\n%s", r.name, code, r.code, p.stderr)
		}
		if !strings.Contains(p.stdout.String()+p.stderr.String(), r.want) {
			t.Errorf("%s: output lacks %q, so the run did not take its path\nstdout:\n%s\nstderr:\n%s", r.name, r.want, p.stdout, p.stderr)
		}
		for stream, out := range map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()} {
			if strings.Contains(out, "canary") {
				t.Errorf("%s: the key is in %s:\n%s", r.name, stream, out)
			}
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
				t.Errorf("%s: %s shows a panic:\n%s", r.name, stream, out)
			}
		}
		fmt.Fprintf(&printed, "== %s\n%s%s", r.name, p.stdout, p.stderr)
	}
	if !strings.Contains(printed.String(), "dashscope request") {
		t.Log("no request lines in the debug log; nothing there to leak the key")
	}

	// A killed apply leaves its journal: it must not hold the key either.
	s.scaleHold.Store(int64(procTimeout))
	p := startCapctl(t, dir, s.URL, []string{key}, "--log-level", "debug", "apply", "--auto-approve", "--report", "killed.json", "fleet")
	waitUntil(t, p, "journal lines", func() bool {
		data, _ := os.ReadFile(filepath.Join(dir, "killed.json"+journal.Suffix))
		return bytes.Count(data, []byte("\n")) > 0
	})
	p.signal(t, syscall.SIGKILL)
	p.wait(t)

	written := []string{"plan.json", "report.json", "report2.json", "report3.json", "report4.json", "junit.xml", "summary.md", "killed.json" + journal.Suffix}
	for _, f := range written {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s was not written: %v", f, err)
			continue
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, m)
		}
	}
	// Every file in the directory, whoever wrote it, must be free of the key.
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("canary")) {
			t.Errorf("the key is in %s:\n%s", path, data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// echoKey is a proxy gone wrong: it answers with the caller's
// Authorization header in the error envelope, first with a 500 (which is
// retried), then with 401.
func echoKey() http.Handler {
	var calls atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("X-Echo-Authorization", auth)
		w.Header().Set("Content-Type", "application/json")
		status := http.StatusUnauthorized
		if calls.Add(1) == 1 {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"code": "InvalidApiKey", "message": "Invalid API-key provided: %s", "request_id": "%s"}`, auth, auth)
	})
}

// addToFleet adds deployment lines to a file written by procFleet.
func addToFleet(t *testing.T, path, lines string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "\t}\n}\n", lines+"\t}\n}\n", 1)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
