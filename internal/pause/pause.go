// Package pause waits for a while unless a context ends first: the one
// sleep shared by the client's backoff, the rate limiter and apply's
// polling.
package pause

import (
	"context"
	"time"
)

// For waits for d, or returns ctx's error as soon as ctx ends. A d of zero
// or less does not wait and returns ctx's error, if any.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
