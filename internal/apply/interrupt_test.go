package apply

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// checkComplete fails unless the report has one result per deployment of p,
// the summary adds up and every result got exactly one Finished event.
func checkComplete(t *testing.T, p plan.Plan, rep Report, events *eventLog) {
	t.Helper()
	if want := len(p.Changes) + len(p.Errors); len(rep.Results) != want {
		t.Fatalf("%d results, want %d", len(rep.Results), want)
	}
	s := rep.Summary
	if sum := s.Succeeded + s.Failed + s.Conflict + s.Interrupted + s.Skipped; sum != len(rep.Results) {
		t.Errorf("summary %+v adds up to %d, want %d", s, sum, len(rep.Results))
	}
	if events == nil {
		return
	}
	for _, res := range rep.Results {
		if n := events.finished[res.Key()]; n != 1 {
			t.Errorf("%v: %d Finished events, want 1", res.Key(), n)
		}
	}
}

func TestRunInterruptedBeforeStart(t *testing.T) {
	f := newFake()
	p := mixedPlan()
	seed(f, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	events := newEventLog()
	rep := Run(ctx, f, p, Options{Events: events.record, Now: fixedNow})
	checkComplete(t, p, rep, events)
	if want := (Summary{Interrupted: 3, Skipped: 1, Failed: 1}); rep.Summary != want {
		t.Errorf("summary = %+v, want %+v", rep.Summary, want)
	}
	for _, res := range rep.Results {
		if res.Status == Interrupted && res.Error != "interrupted before any call" {
			t.Errorf("%v: error %q", res.Key(), res.Error)
		}
	}
	if n := f.totalScales() + f.totalGets(); n != 0 {
		t.Errorf("made %d calls after an interrupt, want 0", n)
	}
	if len(events.started) != 0 {
		t.Errorf("got %d Started events, want 0", len(events.started))
	}
}

func TestRunInterruptedMidRun(t *testing.T) {
	f := newFake()
	f.delay = time.Millisecond
	p := bigPlan(200)
	seed(f, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := newEventLog()
	finished := 0
	onEvent := func(e Event) {
		events.record(e)
		if e.Kind == Finished {
			if finished++; finished == 20 {
				cancel()
			}
		}
	}
	rep := Run(ctx, f, p, Options{Parallelism: 5, Events: onEvent, Now: fixedNow})
	checkComplete(t, p, rep, events)
	s := rep.Summary
	// The 20 finished, plus the calls in flight at the interrupt: at most
	// Parallelism, as a spare worker may have taken the slot the 20th gave
	// back before its Finished event arrived.
	if s.Succeeded < 20 || s.Succeeded > 25 || s.Interrupted != 200-s.Succeeded {
		t.Errorf("summary = %+v, want 20 to 25 succeeded and the rest interrupted", s)
	}
	for _, res := range rep.Results {
		k := res.Key()
		switch res.Status {
		case Succeeded:
			if f.live[k].Capacity != 2 {
				t.Errorf("%v succeeded but its capacity is %d", k, f.live[k].Capacity)
			}
		case Interrupted:
			if f.scales[k] != 0 || res.Error != msgNotStarted {
				t.Errorf("%v interrupted (%q) after %d scale calls", k, res.Error, f.scales[k])
			}
		}
	}
}

func TestRunInterruptedDuringWait(t *testing.T) {
	f := newFake()
	f.stuck = true
	p := bigPlan(10)
	seed(f, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	accepted := 0
	f.onScale = func(deploy.Key) {
		mu.Lock()
		defer mu.Unlock()
		if accepted++; accepted == 10 {
			cancel()
		}
	}
	events := newEventLog()
	opts := Options{Parallelism: 4, Wait: true, WaitTimeout: time.Hour, PollInterval: time.Millisecond, Events: events.record, Now: fixedNow}
	rep := Run(ctx, f, p, opts)
	checkComplete(t, p, rep, events)
	for _, res := range rep.Results {
		if res.Status != Interrupted || !strings.HasPrefix(res.Error, "interrupted while waiting; the scale call was accepted") {
			t.Errorf("%v: %s %q, want interrupted after an accepted scale call", res.Key(), res.Status, res.Error)
		}
	}
}

func TestRunGraceExpiry(t *testing.T) {
	f := newFake()
	f.block = true
	f.entered = make(chan deploy.Key, 10)
	p := bigPlan(10)
	seed(f, p)
	ctx, cancel := context.WithCancel(context.Background())
	events := newEventLog()
	done := make(chan Report)
	go func() {
		done <- Run(ctx, f, p, Options{Parallelism: 3, Grace: 10 * time.Millisecond, Events: events.record, Now: fixedNow})
	}()
	inFlight := map[deploy.Key]bool{}
	for range 3 {
		inFlight[<-f.entered] = true
	}
	cancel()
	rep := <-done
	checkComplete(t, p, rep, events)
	for _, res := range rep.Results {
		want := msgNotStarted
		if inFlight[res.Key()] {
			want = "interrupted during the scale call; its outcome is unknown — re-run to converge"
		}
		if res.Status != Interrupted || res.Error != want {
			t.Errorf("%v: %s %q, want interrupted %q", res.Key(), res.Status, res.Error, want)
		}
	}
}

func TestRunGraceLetsCallsFinish(t *testing.T) {
	f := newFake()
	p := bigPlan(6)
	seed(f, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	f.onScale = func(deploy.Key) { once.Do(cancel) }
	f.delay = 2 * time.Millisecond
	rep := Run(ctx, f, p, Options{Parallelism: 2, CheckBefore: true, Now: fixedNow})
	checkComplete(t, p, rep, nil)
	if rep.Summary.Succeeded == 0 || rep.Summary.Failed != 0 {
		t.Errorf("summary = %+v, want the call in flight at the interrupt to succeed and none to fail", rep.Summary)
	}
	for _, res := range rep.Results {
		if res.Status == Interrupted && f.scales[res.Key()] != 0 {
			t.Errorf("%v: interrupted (%q) but scaled", res.Key(), res.Error)
		}
	}
}
