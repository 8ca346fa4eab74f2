package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/capctl/capctl/internal/sim"
)

// SimOptions are the dashscope-sim flags a scenario sets.
type SimOptions struct {
	Latency    time.Duration
	P429, P5xx float64
	RetryAfter time.Duration
	Rate       float64
	Burst      int
}

// args returns the simulator's command-line flags for o.
func (o SimOptions) args(seed, urlFile string) []string {
	args := []string{"-addr", "127.0.0.1:0", "-seed", seed, "-url-file", urlFile,
		"-latency", o.Latency.String(), "-rand-seed", "1"}
	if o.P429 > 0 {
		args = append(args, "-p429", ftoa(o.P429))
	}
	if o.P5xx > 0 {
		args = append(args, "-p5xx", ftoa(o.P5xx))
	}
	if o.RetryAfter > 0 {
		args = append(args, "-retry-after", o.RetryAfter.String())
	}
	if o.Rate > 0 {
		args = append(args, "-rate", ftoa(o.Rate), "-burst", strconv.Itoa(max(o.Burst, 1)))
	}
	return args
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Sim is a running dashscope-sim process.
type Sim struct {
	// URL is the simulator's base URL, e.g. http://127.0.0.1:41234.
	URL    string
	cmd    *exec.Cmd
	done   chan struct{}
	stderr bytes.Buffer
	client *http.Client
}

// StartSim starts bin with seed and waits until it listens. dir holds the
// URL file it writes.
func StartSim(ctx context.Context, bin, dir, seed string, o SimOptions) (*Sim, error) {
	urlFile := filepath.Join(dir, "sim.url")
	_ = os.Remove(urlFile)
	s := &Sim{done: make(chan struct{}), client: &http.Client{Timeout: 30 * time.Second}}
	s.cmd = exec.Command(bin, o.args(seed, urlFile)...)
	s.cmd.Stderr = &s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dashscope-sim: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	for {
		if data, err := os.ReadFile(urlFile); err == nil && len(data) > 0 {
			s.URL = strings.TrimSpace(string(data))
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("dashscope-sim exited early: %s", strings.TrimSpace(s.stderr.String()))
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop ends the simulator with SIGTERM, and kills it if it has not gone
// after five seconds.
func (s *Sim) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Stats are the simulator's counters from GET /_sim/stats.
type Stats sim.Stats

// Route names of Stats.Calls.
const (
	RouteList  = "GET /api/v1/deployments"
	RouteGet   = "GET /api/v1/deployments/{id}"
	RouteScale = "PUT /api/v1/deployments/{id}/scale"
)

// Total is the number of API calls of every route.
func (st Stats) Total() int {
	n := 0
	for _, c := range st.Calls {
		n += c
	}
	return n
}

// ServedNote says the mean latency the simulator actually served, from a
// request's arrival to its answer; "" if no request waited.
func (st Stats) ServedNote() string {
	mean := sim.Stats(st).MeanLatency()
	if mean <= 0 {
		return ""
	}
	return fmt.Sprintf("simulator served %.2f ms mean latency", float64(mean)/float64(time.Millisecond))
}

// Stats reads the simulator's counters.
func (s *Sim) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.getJSON(ctx, "/_sim/stats", &st)
	return st, err
}

// ResetStats zeroes the simulator's counters.
func (s *Sim) ResetStats(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/_sim/reset-stats", nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("reset stats: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("reset stats: %s", resp.Status)
	}
	return nil
}

// Unconverged counts the deployments of f whose state in the simulator is
// not the state the files declare.
func (s *Sim) Unconverged(ctx context.Context, f Fleet) (int, error) {
	var ds []sim.Deployment
	if err := s.getJSON(ctx, "/_sim/dump", &ds); err != nil {
		return 0, err
	}
	live := make(map[[2]string]sim.Deployment, len(ds))
	for _, d := range ds {
		live[[2]string{d.WorkspaceID, d.DeployedModel}] = d
	}
	bad := 0
	for _, d := range f.Deployments {
		if !converged(d, live[[2]string{d.Workspace, d.ID}]) {
			bad++
		}
	}
	return bad, nil
}

func converged(want Deployment, got sim.Deployment) bool {
	if want.Plan == "ptu" {
		p := got.PTUCapacity
		return p != nil && p.InputTPM == want.DesiredTPM.Input && p.OutputTPM == want.DesiredTPM.Output
	}
	return got.Capacity != nil && *got.Capacity == want.Desired
}

func (s *Sim) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}
