package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/sim"
)

// This file holds what the tests that run capctl as a real process share
// (crash, signal, secrets and concurrency tests): the capctl command that
// testscript.Main put on PATH (this test binary, running mainForTest, with
// main's signal handling), a fleet generator, and a simulator wrapped so a
// test can hold scale calls and see which ones the server accepted.

// procTimeout bounds every wait on a capctl process: far above what any of
// these runs needs, it only turns a hang into a failure.
const procTimeout = 20 * time.Second

// procKey is the API key of the generated fleet's workspace.
const procKey = "sk-proc-a"

// procSim is an in-process simulator behind a recording middleware.
type procSim struct {
	*sim.Server
	URL string

	// scaleHold, when set, holds every scale request this long before it
	// reaches the simulator (or until the client gives up).
	scaleHold atomic.Int64
	// failScales, when set, answers every scale call 503 ServiceUnavailable.
	failScales atomic.Bool
	// scalesArrived counts scale requests that reached the middleware;
	// listsArrived counts list requests.
	scalesArrived, listsArrived atomic.Int64

	mu       sync.Mutex
	accepted map[string]int // "ws/id" -> scale calls answered 200
}

// newProcSim starts a simulator for seed on a loopback port.
func newProcSim(t *testing.T, cfg sim.Config, seed sim.Seed) *procSim {
	t.Helper()
	srv, err := sim.New(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	s := &procSim{Server: srv, accepted: map[string]int{}}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// ServeHTTP counts and, for scale calls, holds and records the request.
func (s *procSim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	isScale := r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/scale")
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/deployments" {
		s.listsArrived.Add(1)
	}
	if !isScale {
		s.Server.ServeHTTP(w, r)
		return
	}
	s.scalesArrived.Add(1)
	if s.failScales.Load() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"code": "ServiceUnavailable", "message": "The service is busy.", "request_id": "r-503"}`)
		return
	}
	if d := time.Duration(s.scaleHold.Load()); d > 0 {
		// Read the body first: only then does the server watch the
		// connection and cancel the context when the client goes away.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.Server.ServeHTTP(rec, r)
	if rec.status == http.StatusOK {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/deployments/"), "/scale")
		s.mu.Lock()
		s.accepted[r.Header.Get("X-DashScope-WorkSpace")+"/"+id]++
		s.mu.Unlock()
	}
}

// Accepted returns the scale calls answered 200, by "ws/id".
func (s *procSim) Accepted() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.accepted))
	for k, v := range s.accepted {
		out[k] = v
	}
	return out
}

// Capacities returns every mu deployment's capacity, by "ws/id".
func (s *procSim) Capacities() map[string]int {
	out := map[string]int{}
	for _, d := range s.Dump() {
		if d.Capacity != nil {
			out[d.WorkspaceID+"/"+d.DeployedModel] = *d.Capacity
		}
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// procFleet writes capacity files for workspace llm-a to dir/fleet and
// returns the simulator seed and the desired capacities. Deployments
// mu-000 … mu-(changes-1) go from 1 to 2; unchanged more stay at 3.
func procFleet(t *testing.T, dir string, changes, unchanged int) (sim.Seed, map[string]int) {
	t.Helper()
	seed := sim.Seed{Keys: []sim.Key{{Key: procKey, Workspaces: []string{"llm-a"}}}}
	want := map[string]int{}
	var cue strings.Builder
	cue.WriteString("package capacity\n\nworkspaces: \"llm-a\": {\n\tapi_key_env: \"KEY_A\"\n\tdeployments: {\n")
	for i := range changes + unchanged {
		id := fmt.Sprintf("mu-%03d", i)
		live, desired := 1, 2
		if i >= changes {
			live, desired = 3, 3
		}
		one := 1
		seed.Deployments = append(seed.Deployments, sim.Deployment{
			WorkspaceID: "llm-a", DeployedModel: id, ModelName: "qwen3-8b", Plan: "mu",
			Status: "RUNNING", Capacity: &live, BaseCapacity: &one,
		})
		want["llm-a/"+id] = desired
		fmt.Fprintf(&cue, "\t\t%q: {plan: \"mu\", capacity: %d}\n", id, desired)
	}
	cue.WriteString("\t}\n}\n")
	if err := os.MkdirAll(filepath.Join(dir, "fleet"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fleet", "a.cue"), []byte(cue.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return seed, want
}

// proc is a running capctl process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int // valid once done is closed
}

// startCapctl starts capctl in dir with args, reaching the API at url,
// with a clean environment plus extra ("K=V").
func startCapctl(t *testing.T, dir, url string, extra []string, args ...string) *proc {
	t.Helper()
	return startCapctlWithStdin(t, dir, url, nil, extra, args...)
}

// startCapctlWithStdin is startCapctl with the process's standard input.
func startCapctlWithStdin(t *testing.T, dir, url string, stdin io.Reader, extra []string, args ...string) *proc {
	t.Helper()
	bin, err := exec.LookPath("capctl")
	if err != nil {
		t.Fatalf("capctl is not on PATH (TestMain puts it there): %v", err)
	}
	p := &proc{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Env = append(cleanEnv(), "CAPCTL_ENDPOINT="+url, "KEY_A="+procKey)
	p.cmd.Env = append(p.cmd.Env, extra...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Stdin = stdin
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start capctl: %v", err)
	}
	go func() {
		err := p.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			p.code = ee.ExitCode() // -1 when killed by a signal
		case err != nil:
			p.code = -2
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// runCapctl runs capctl to the end and returns its exit code.
func runCapctl(t *testing.T, dir, url string, extra []string, args ...string) (*proc, int) {
	t.Helper()
	p := startCapctl(t, dir, url, extra, args...)
	return p, p.wait(t)
}

// cleanEnv is this process's environment without anything that would
// steer capctl: endpoint, keys, colour, job summary, race options.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CAPCTL_") || strings.HasPrefix(k, "KEY_") || strings.HasPrefix(k, "DASHSCOPE_") ||
			k == "NO_COLOR" || k == "GITHUB_STEP_SUMMARY" || k == "GORACE" {
			continue
		}
		out = append(out, kv)
	}
	// Under -race, a process that exits 0 lingers a second by default, so
	// late races can still be reported; these processes have none to wait for.
	return append(out, "GORACE=atexit_sleep_ms=0")
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(procTimeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("capctl %v did not exit within %s\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], procTimeout, p.stdout, p.stderr)
		return 0
	}
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitUntil polls cond until it holds; it fails the test when the process
// exits first or procTimeout passes.
func waitUntil(t *testing.T, p *proc, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), procTimeout)
	defer cancel()
	for !cond() {
		if p != nil && p.exited() {
			t.Fatalf("capctl exited (code %d) before %s\nstdout:\n%s\nstderr:\n%s", p.code, what, p.stdout, p.stderr)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a poller at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
