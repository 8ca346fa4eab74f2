package render

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/deploy"
)

// progressClock is a fake clock the test moves by hand.
type progressClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *progressClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *progressClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func finished(res apply.Result) apply.Event {
	return apply.Event{Kind: apply.Finished, Key: res.Key(), Result: res}
}

func TestProgressTTY(t *testing.T) {
	clock := &progressClock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	var b bytes.Buffer
	p := NewProgress(&b, 8, true, clock.now)
	results := reportSample().Results
	steps := []time.Duration{0, 20, 30, 60, 500, 10, 10, 10} // ms before each result
	for i, res := range results {
		clock.advance(steps[i] * time.Millisecond)
		p.Event(apply.Event{Kind: apply.Started, Key: res.Key()})
		p.Event(finished(res))
	}
	clock.advance(1400 * time.Millisecond)
	p.Done()
	// Drawn: the first event, the fourth (110ms after), the fifth (500ms
	// later); the last three fall within 100ms of the fifth. Done draws the
	// final state and ends the line.
	want := "\r\x1b[2Kapply: 1/8 done, 0 failed, 0.0s" +
		"\r\x1b[2Kapply: 4/8 done, 1 failed, 0.1s, 36/s" +
		"\r\x1b[2Kapply: 5/8 done, 2 failed, 0.6s, 8/s" +
		"\r\x1b[2Kapply: 8/8 done, 3 failed, 1 conflict, 2.0s, 4/s\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("tty progress mismatch (-want +got):\n%s", diff)
	}
}

func TestProgressLog(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, 8, false, nil)
	for _, res := range reportSample().Results {
		p.Event(apply.Event{Kind: apply.Started, Key: res.Key()})
		p.Event(finished(res))
	}
	p.Done()
	want := strings.Join([]string{
		"ok llm-a/emo-1 scale_up 1 → 2 (1 attempt, 812ms)",
		"FAILED llm-a/gone: not found live",
		"ok llm-a/qwen-ptu update input_tpm=10000 output_tpm=1000 → input_tpm=20000 output_tpm=500 (3 attempts, 2.45s)",
		`FAILED llm-b/big: 400 InvalidParameter: capacity <900> & "quota" | exceeded (request_id r-1)`,
		"INTERRUPTED llm-b/later: interrupted before any call",
		"CONFLICT llm-b/moved: live capacity is 3, the plan expected 4; re-plan",
		"FAILED llm-b/multi: 429 Throttling: slow down now",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("log progress mismatch (-want +got):\n%s", diff)
	}
}

func TestProgressConcurrent(t *testing.T) {
	for _, tty := range []bool{true, false} {
		var b bytes.Buffer
		clock := &progressClock{}
		p := NewProgress(&b, 800, tty, clock.now)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for i := range 100 {
					clock.advance(time.Millisecond)
					res := apply.Result{Workspace: "ws", DeployedModel: fmt.Sprintf("d-%d-%d", g, i), Status: apply.Succeeded}
					p.Event(apply.Event{Kind: apply.Started, Key: deploy.Key{Workspace: "ws", ID: res.DeployedModel}})
					p.Event(finished(res))
				}
			})
		}
		wg.Wait()
		p.Done()
		out := b.String()
		if tty && !strings.Contains(out, "apply: 800/800 done, 0 failed") {
			t.Errorf("tty: final line missing in %q", out[max(0, len(out)-100):])
		}
		if !tty && strings.Count(out, "\n") != 800 {
			t.Errorf("log: %d lines, want 800", strings.Count(out, "\n"))
		}
	}
}
