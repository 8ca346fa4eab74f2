package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

// errNoSlot means a call was not made because the run was interrupted while
// it waited for a call slot. It never reaches a Result.
var errNoSlot = errors.New("interrupted before the call")

// call makes one API call under the call semaphore. The wait for a slot
// ends with errNoSlot when ctx is cancelled: after an interrupt no new call
// starts. The call itself runs on the grace context, so once started it is
// only cut when the grace period ends. With a [SlotYielder] client the call
// gives its slot back while it waits to retry, and takes one again (on the
// grace context) before its next attempt.
func (r *runner) call(ctx context.Context, fn func(context.Context) (deploy.Live, int, error)) (deploy.Live, int, error) {
	if ctx.Err() != nil {
		return deploy.Live{}, 0, errNoSlot
	}
	s := &slot{sem: r.sem}
	if s.acquire(ctx) != nil {
		return deploy.Live{}, 0, errNoSlot
	}
	defer s.release()
	// select picks at random when both are ready; re-check so a slot freed
	// at the moment of an interrupt does not start a new call.
	if ctx.Err() != nil {
		return deploy.Live{}, 0, errNoSlot
	}
	cctx := r.callCtx
	if y, ok := r.c.(SlotYielder); ok {
		cctx = y.YieldDuringBackoff(cctx, s.release, s.acquire)
	}
	return fn(cctx)
}

// slot is one call's place in the call semaphore. It is used by one
// goroutine at a time: the one making the call.
type slot struct {
	sem  chan struct{}
	held bool
}

// acquire takes a place, or returns ctx's error if ctx ends first.
func (s *slot) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		s.held = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives the place back, if held.
func (s *slot) release() {
	if s.held {
		s.held = false
		<-s.sem
	}
}

// deployment is the work on one change: an optional precondition read, the
// scale call and, with Options.Wait, the polling that follows.
type deployment struct {
	r      *runner
	ch     plan.Change
	target deploy.Capacity
	// started is set, and start is when, once the first call took its slot.
	started bool
	start   time.Time
	// attempts counts the HTTP attempts of the scale call (or of the
	// precondition read when it failed); wait polls are not counted.
	attempts int
}

// run does everything up to and including the scale call. When the call
// was accepted and the caller must wait, it returns the live state the
// scale call answered with, and no Result.
func (d *deployment) run(ctx context.Context) (Result, *deploy.Live) {
	target, err := targetOf(d.ch)
	if err != nil {
		return d.finish(Failed, "", err), nil
	}
	d.target = target
	if ctx.Err() != nil {
		return d.finish(Interrupted, msgNotStarted, nil), nil
	}
	if d.r.opts.CheckBefore {
		if res, ok := d.check(ctx); !ok {
			return res, nil
		}
	}
	ws, id := d.ch.Workspace, d.ch.DeployedModel
	live, n, err := d.r.call(ctx, func(cctx context.Context) (deploy.Live, int, error) {
		d.begin()
		return d.r.c.Scale(cctx, ws, id, target)
	})
	d.attempts = n
	conflict := err != nil && errorCode(err) == codeConflict
	if conflict {
		if l, ok := d.alreadyApplied(ctx); ok {
			live, err, conflict = l, nil, false
		}
	}
	switch {
	case conflict:
		return d.finish(Conflict, msgBusy, err), nil
	case errors.Is(err, errNoSlot) && d.r.opts.CheckBefore:
		return d.finish(Interrupted, msgBeforeScale, nil), nil
	case errors.Is(err, errNoSlot):
		return d.finish(Interrupted, msgNotStarted, nil), nil
	case err != nil && d.r.callCtx.Err() != nil:
		// The grace period ended while the call was in flight: the
		// server may or may not have applied it.
		return d.finish(Interrupted, msgDuringScale, nil), nil
	case err != nil:
		return d.finish(Failed, "", err), nil
	case !d.r.opts.Wait:
		return d.finish(Succeeded, "", nil), nil
	}
	return Result{}, &live
}

// codeConflict is the API's code for a scale refused because the
// deployment is busy, e.g. still UPDATING.
const codeConflict = "Conflict"

// msgBusy explains a scale the API refused as a conflict.
const msgBusy = "the API refused the scale because the deployment is being changed (by another run or the console); re-plan"

// alreadyApplied covers a scale call refused as a conflict. When a retried
// attempt follows a lost reply, or another run scaled the deployment to the
// same target a moment earlier, the server is already UPDATING toward our
// target: a read that shows the target in place means the goal is met.
// Anything else stays a conflict, never a silent success.
func (d *deployment) alreadyApplied(ctx context.Context) (deploy.Live, bool) {
	ws, id := d.ch.Workspace, d.ch.DeployedModel
	live, _, err := d.r.call(ctx, func(cctx context.Context) (deploy.Live, int, error) {
		return d.r.c.Get(cctx, ws, id)
	})
	if err != nil {
		return live, false
	}
	switch d.target.Plan {
	case deploy.PlanMU:
		return live, live.Capacity == d.target.Units
	case deploy.PlanPTU:
		return live, live.PTU != nil && live.PTU.Equal(d.target.PTU)
	}
	return live, false
}

// begin marks the deployment started when its first call is about to go
// out (it holds a call slot): it emits Started and starts the clock of
// Result.DurationMS. Later calls leave both alone.
func (d *deployment) begin() {
	if d.started {
		return
	}
	d.started, d.start = true, d.r.opts.Now()
	d.r.event(Event{Kind: Started, Key: d.ch.Key()})
}

// check is the saved-plan precondition: it reads the deployment and reports
// ok only when the live state is still the plan's Before.
func (d *deployment) check(ctx context.Context) (res Result, ok bool) {
	ws, id := d.ch.Workspace, d.ch.DeployedModel
	live, n, err := d.r.call(ctx, func(cctx context.Context) (deploy.Live, int, error) {
		d.begin()
		return d.r.c.Get(cctx, ws, id)
	})
	switch {
	case errors.Is(err, errNoSlot):
		return d.finish(Interrupted, msgNotStarted, nil), false
	case err != nil && d.r.callCtx.Err() != nil:
		return d.finish(Interrupted, msgDuringRead, nil), false
	case err != nil:
		d.attempts = n
		return d.finish(Failed, "", err), false
	}
	if msg := conflictOf(d.ch, live); msg != "" {
		return d.finish(Conflict, msg, nil), false
	}
	return Result{}, true
}

// finish builds the deployment's Result. Its error text is msg, err, or
// "msg: err" when both are given.
func (d *deployment) finish(s Status, msg string, err error) Result {
	res := resultOf(d.ch, s, msg)
	res.Attempts = d.attempts
	if err != nil {
		res.Code = errorCode(err)
		if msg != "" {
			res.Error = msg + ": " + err.Error()
		} else {
			res.Error = err.Error()
		}
	}
	if d.started {
		res.DurationMS = d.r.opts.Now().Sub(d.start).Milliseconds()
	}
	return res
}

// targetOf is the capacity the scale call sets. A change without one cannot
// come from plan.Compute, but a saved plan is a file anyone can edit.
func targetOf(ch plan.Change) (deploy.Capacity, error) {
	switch ch.Plan {
	case deploy.PlanMU:
		if ch.After.Capacity == nil {
			return deploy.Capacity{}, errors.New("the plan has no target capacity for this mu deployment")
		}
		return deploy.Capacity{Plan: deploy.PlanMU, Units: *ch.After.Capacity}, nil
	case deploy.PlanPTU:
		if ch.After.PTUCapacity == nil {
			return deploy.Capacity{}, errors.New("the plan has no target ptu_capacity for this ptu deployment")
		}
		return deploy.Capacity{Plan: deploy.PlanPTU, PTU: *ch.After.PTUCapacity}, nil
	}
	return deploy.Capacity{}, fmt.Errorf("plan %q cannot be scaled through the API", ch.Plan)
}

// conflictOf says how the live state differs from the plan's Before, or ""
// when it does not.
func conflictOf(ch plan.Change, live deploy.Live) string {
	if live.Plan != string(ch.Plan) {
		return fmt.Sprintf("live plan is %q, the plan expected %q; re-plan", live.Plan, ch.Plan)
	}
	switch ch.Plan {
	case deploy.PlanMU:
		if ch.Before.Capacity == nil {
			return "the plan has no before capacity to compare with; re-plan"
		}
		if want := *ch.Before.Capacity; live.Capacity != want {
			return fmt.Sprintf("live capacity is %d, the plan expected %d; re-plan", live.Capacity, want)
		}
	case deploy.PlanPTU:
		if ch.Before.PTUCapacity == nil {
			return "the plan has no before ptu_capacity to compare with; re-plan"
		}
		want := *ch.Before.PTUCapacity
		if live.PTU == nil {
			return fmt.Sprintf("live ptu_capacity is unset, the plan expected %s; re-plan", want)
		}
		if !live.PTU.Equal(want) {
			return fmt.Sprintf("live ptu_capacity is %s, the plan expected %s; re-plan", *live.PTU, want)
		}
	}
	return ""
}
