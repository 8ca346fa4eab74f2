package apply

import (
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/capctl/capctl/internal/plan"
)

// Messages of interrupted results. They say what was and was not done, so a
// reader knows whether a re-run has anything to repair.
const (
	msgNotStarted  = "interrupted before any call"
	msgBeforeScale = "interrupted before the scale call; the deployment was not changed"
	msgDuringRead  = "interrupted while reading the live state; the deployment was not changed"
	msgDuringScale = "interrupted during the scale call; its outcome is unknown — re-run to converge"
	msgWaitCut     = "interrupted while waiting; the scale call was accepted"
)

// Run applies the plan's changes through c and reports what happened to every
// deployment of the plan: one Result per change and per plan error, sorted by
// workspace then id. It never returns early: a per-deployment failure is a
// Result, and when ctx is cancelled (an interrupt) Run schedules nothing new,
// lets calls in flight run for up to opts.Grace, and marks everything not
// finished as Interrupted. The Report is always complete.
//
// Result.Attempts is the HTTP attempts of the scale call as the client
// counted them (of the precondition read when that read failed); the
// executor never retries on its own, and wait polls are not counted.
// Result.DurationMS runs from the deployment's first call to its result,
// wait included; it is 0 when no call was made.
//
// Concurrency: every API call (precondition read, scale, wait poll) takes a
// slot of one call semaphore of size Parallelism, so the calls in flight
// never exceed it. 4×Parallelism workers run the changes. A call that
// waits to retry gives its slot back for the wait (when the client is a
// [SlotYielder]), and a spare worker's call takes it. A deployment that has
// to wait gives back its worker as soon as its scale call is accepted and
// polls from a goroutine of its own, taking a call slot only for the poll
// itself. So neither backoff nor waits, which are mostly sleeping, hold
// back other scale calls.
func Run(ctx context.Context, c Client, p plan.Plan, opts Options) Report {
	opts = opts.withDefaults()
	rep := Report{FormatVersion: FormatVersion, StartedAt: opts.Now()}
	throttledBefore := throttleCount(c)

	callCtx, stop := graceContext(ctx, opts.Grace)
	defer stop()
	r := &runner{
		c:       c,
		opts:    opts,
		callCtx: callCtx,
		sem:     make(chan struct{}, opts.Parallelism),
	}

	results := make([]Result, 0, len(p.Changes)+len(p.Errors))
	for _, e := range p.Errors {
		res := Result{Workspace: e.Workspace, DeployedModel: e.DeployedModel, Status: Failed, Error: e.Message}
		r.finished(res)
		results = append(results, res)
	}
	results = append(results, r.runChanges(ctx, p.Changes)...)
	slices.SortStableFunc(results, func(a, b Result) int { return a.Key().Compare(b.Key()) })

	rep.Results = results
	rep.Summary = summarize(results)
	rep.Summary.Throttled = max(0, throttleCount(c)-throttledBefore)
	rep.FinishedAt = opts.Now()
	return rep
}

// runner holds what every deployment's work shares.
type runner struct {
	c    Client
	opts Options
	// callCtx is what API calls run on: it outlives ctx by opts.Grace, so a
	// call in flight at an interrupt can still complete and be reported
	// truthfully instead of being cut at once.
	callCtx context.Context
	// sem bounds the API calls in flight, whoever makes them.
	sem     chan struct{}
	eventMu sync.Mutex
}

// runChanges runs every change and returns their results in plan order.
func (r *runner) runChanges(ctx context.Context, changes []plan.Change) []Result {
	out := make([]Result, len(changes))
	done := make([]bool, len(changes))
	var waits sync.WaitGroup
	run := func(i int) {
		d := &deployment{r: r, ch: changes[i]}
		res, waitFrom := d.run(ctx)
		if waitFrom == nil {
			out[i], done[i] = res, true
			r.finished(res)
			return
		}
		// Accepted and told to wait: free the worker for the next scale
		// call and poll from a goroutine of its own.
		waits.Go(func() {
			out[i], done[i] = d.wait(ctx, *waitFrom), true
			r.finished(out[i])
		})
	}
	// Long-lived workers rather than a goroutine per change: each worker's
	// stack grows once to the depth of an HTTP call, instead of once per
	// deployment, which showed up in profiles of bulk applies. There are
	// four times as many workers as call slots: a call waiting to retry
	// gives its slot back, and a spare worker, its next change at hand,
	// takes it. Against a throttling server many calls wait out a
	// Retry-After at once (about a second each), so one spare per slot is
	// not enough. The call semaphore, not the worker count, bounds the
	// calls in flight.
	workers := 4 * r.opts.Parallelism
	work := make(chan int)
	var g errgroup.Group
	g.SetLimit(workers)
	for range min(workers, len(changes)) {
		g.Go(func() error {
			for i := range work {
				run(i)
			}
			return nil
		})
	}
	for i, ch := range changes {
		if ch.Action == plan.NoChange {
			out[i], done[i] = resultOf(ch, Skipped, ""), true
			r.finished(out[i])
			continue
		}
		if ctx.Err() != nil {
			continue // interrupted: schedule nothing new; marked below
		}
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	_ = g.Wait() // tasks always return nil: failures are results
	waits.Wait()
	for i, ch := range changes {
		if !done[i] {
			out[i] = resultOf(ch, Interrupted, msgNotStarted)
			r.finished(out[i])
		}
	}
	return out
}

// event delivers e to Options.Events, one at a time.
func (r *runner) event(e Event) {
	if r.opts.Events == nil {
		return
	}
	r.eventMu.Lock()
	defer r.eventMu.Unlock()
	r.opts.Events(e)
}

func (r *runner) finished(res Result) {
	r.event(Event{Kind: Finished, Key: res.Key(), Result: res})
}

// graceContext returns a context that is not cancelled with ctx but grace
// after it, and a stop function that releases it. API calls run on it, so
// an interrupt stops new work at once but lets calls in flight finish.
func graceContext(ctx context.Context, grace time.Duration) (context.Context, func()) {
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var timer *time.Timer
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return callCtx, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// resultOf is the Result for ch with no call made (yet).
func resultOf(ch plan.Change, s Status, msg string) Result {
	return Result{
		Workspace:     ch.Workspace,
		DeployedModel: ch.DeployedModel,
		Action:        ch.Action,
		Status:        s,
		Before:        ch.Before,
		After:         ch.After,
		Error:         msg,
	}
}

func summarize(results []Result) Summary {
	var s Summary
	for _, res := range results {
		switch res.Status {
		case Succeeded:
			s.Succeeded++
		case Failed:
			s.Failed++
		case Conflict:
			s.Conflict++
		case Interrupted:
			s.Interrupted++
		case Skipped:
			s.Skipped++
		}
	}
	return s
}
