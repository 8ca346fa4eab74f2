package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/pause"
)

// wait polls the deployment after an accepted scale call until it is ready,
// fails, times out or the run is interrupted. live is what the scale call
// answered with: when it is already ready, no poll is made.
//
// The pause between polls doubles from PollInterval up to PollMax: most
// deployments settle within seconds, and the slow ones should not spend the
// call slots the other deployments need. Each poll takes a call slot only
// while the GET is in flight, never while sleeping.
func (d *deployment) wait(ctx context.Context, live deploy.Live) Result {
	timeout := d.r.opts.WaitTimeout
	deadline := time.Now().Add(timeout)
	interval := d.r.opts.PollInterval
	ws, id := d.ch.Workspace, d.ch.DeployedModel
	for {
		if ready(live, d.target) {
			return d.finish(Succeeded, "", nil)
		}
		if live.Status == deploy.StatusUpdatingFailed || live.Status == deploy.StatusFailed {
			return d.finish(Failed, "the scale call was accepted, but the deployment went to "+live.Status, nil)
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return d.timedOut(live)
		}
		if pause.For(ctx, min(interval, remaining)) != nil {
			return d.finish(Interrupted, msgWaitCut+" (last seen: "+d.seen(live)+")", nil)
		}
		interval = min(2*interval, d.r.opts.PollMax)
		next, _, err := d.r.call(ctx, func(cctx context.Context) (deploy.Live, int, error) {
			// A poll never outlives the wait: a hung GET ends at the deadline.
			pctx, cancel := context.WithDeadline(cctx, deadline)
			defer cancel()
			return d.r.c.Get(pctx, ws, id)
		})
		switch {
		case errors.Is(err, errNoSlot) || err != nil && d.r.callCtx.Err() != nil:
			return d.finish(Interrupted, msgWaitCut+" (last seen: "+d.seen(live)+")", nil)
		case err != nil && !time.Now().Before(deadline):
			return d.timedOut(live)
		case err != nil:
			return d.finish(Failed, "the scale call was accepted, but polling its progress failed", err)
		}
		live = next
	}
}

// ready reports whether live shows the target in service: RUNNING with the
// target capacity all ready (mu), or RUNNING with the target quota (ptu).
// Comparing with the target, not only ready with capacity, keeps a stale
// read from before the scale from passing for success.
func ready(live deploy.Live, target deploy.Capacity) bool {
	if live.Status != deploy.StatusRunning {
		return false
	}
	if target.Plan == deploy.PlanPTU {
		return live.PTU == nil || live.PTU.Equal(target.PTU)
	}
	return live.Capacity == target.Units && live.ReadyCapacity == live.Capacity
}

func (d *deployment) timedOut(live deploy.Live) Result {
	msg := fmt.Sprintf("the scale call was accepted, but waiting timed out after %s (last seen: %s)",
		d.r.opts.WaitTimeout, d.seen(live))
	return d.finish(Failed, msg, nil)
}

// seen describes the last observed state for a message.
func (d *deployment) seen(live deploy.Live) string {
	status := live.Status
	if status == "" {
		status = "unknown"
	}
	if d.target.Plan == deploy.PlanPTU {
		return "status " + status
	}
	return fmt.Sprintf("status %s, ready %d of %d", status, live.ReadyCapacity, live.Capacity)
}
