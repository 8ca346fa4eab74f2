package apply

import (
	"context"
	"errors"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultParallelism  = 10
	DefaultWaitTimeout  = 15 * time.Minute
	DefaultPollInterval = 2 * time.Second
	DefaultPollMax      = 30 * time.Second
	DefaultGrace        = 5 * time.Second
)

// Options tunes Run. The zero value is usable: every zero field takes the
// default above.
type Options struct {
	// Parallelism is the most API calls in flight at once, over all
	// workspaces: scale calls, CheckBefore reads and Wait polls alike.
	Parallelism int
	// CheckBefore (saved-plan mode) reads each deployment before scaling it;
	// when the live plan or capacity no longer equals Change.Before, the
	// deployment is not touched and its result is Conflict.
	CheckBefore bool
	// Wait polls each accepted deployment until it is RUNNING with
	// ready_capacity == capacity (mu) or RUNNING (ptu). UPDATING_FAILED and
	// FAILED make the result Failed.
	Wait bool
	// WaitTimeout bounds the wait of one deployment, counted from the moment
	// its scale call was accepted. On expiry the result is Failed.
	WaitTimeout time.Duration
	// PollInterval is the first pause between polls; it doubles after each
	// poll up to PollMax.
	PollInterval, PollMax time.Duration
	// Grace is how long calls already in flight when ctx is cancelled may
	// still run before they are cancelled too.
	Grace time.Duration
	// Events, when set, receives a Started event just before a deployment's
	// first call and a Finished event for every result, skipped, failed-
	// from-plan and interrupted ones included, so a progress view reaches
	// the total. Run serialises the calls (never two at once), so Events
	// needs no locking of its own; it should return quickly, since a worker
	// waits for it.
	Events func(Event)
	// Now is the clock for StartedAt, FinishedAt and DurationMS; time.Now
	// when nil. Timers (polls, grace, wait timeout) always use real time.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = DefaultWaitTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PollMax <= 0 {
		o.PollMax = DefaultPollMax
	}
	o.PollMax = max(o.PollMax, o.PollInterval)
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// CodedError is an error that carries the API's error code (for example
// "Throttling" or "InvalidParameter"). When a client error, or any error it
// wraps, implements it, the result records the code in Result.Code; the
// executor never matches message strings. *dashscope.Error implements it.
type CodedError interface {
	error
	ErrorCode() string
}

// errorCode returns the API code carried by err, or "".
func errorCode(err error) string {
	if ce, ok := errors.AsType[CodedError](err); ok {
		return ce.ErrorCode()
	}
	return ""
}

// ThrottleCounter is implemented by a Client that counts the 429 answers it
// has received, retried ones included. Run reports the growth of the count
// over the run as Summary.Throttled; for other clients Throttled stays 0.
type ThrottleCounter interface {
	Throttled() int
}

// SlotYielder is implemented by a Client whose calls can give back their
// call slot while they wait between retries; *dashscope.Client implements
// it. YieldDuringBackoff returns a context under which every call calls
// release before each wait between attempts and reacquire after it, before
// the next attempt; an error from reacquire ends the call. With such a
// client a call backing off holds no slot, and another deployment's call
// uses it meanwhile; without one, a backing-off call keeps its slot.
type SlotYielder interface {
	YieldDuringBackoff(ctx context.Context, release func(), reacquire func(context.Context) error) context.Context
}

func throttleCount(c Client) int {
	if tc, ok := c.(ThrottleCounter); ok {
		return tc.Throttled()
	}
	return 0
}
