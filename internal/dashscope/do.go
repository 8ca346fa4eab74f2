package dashscope

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// Body size limits: a list page of 200 deployments is far below 8 MiB,
// one deployment far below 1 MiB. Anything larger is refused rather than
// cut into JSON that happens to parse.
const (
	limitList = 8 << 20
	limitOne  = 1 << 20
)

var errBodyTooLarge = errors.New("response body too large")

// request is one logical API call; do may send it several times.
type request struct {
	op        string // "list", "get", "scale"
	workspace string
	method    string
	url       string
	body      []byte // nil: no body
	limit     int64
}

// response is what one attempt produced.
type response struct {
	status    int
	output    json.RawMessage
	requestID string
}

// do sends req until it succeeds, fails in a way that retrying cannot fix,
// runs out of retries or ctx ends. It returns the envelope's output and the
// number of attempts made. Only idempotent calls come here: GETs, and
// scale, whose body is an absolute target, so a repeat sets the same value.
func (c *Client) do(ctx context.Context, t *target, req request) (json.RawMessage, int, error) {
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, attempt - 1, stopped(err, attempt-1, lastErr)
		}
		if err := c.pace(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, attempt - 1, stopped(ctx.Err(), attempt-1, lastErr)
			}
			return nil, attempt - 1, err
		}
		start := time.Now()
		resp, err := c.attempt(ctx, t, req)
		elapsed := time.Since(start)
		c.heard(resp.status, err)
		if err != nil && ctx.Err() != nil {
			// The caller gave up; what the attempt saw is a symptom.
			c.report(ctx, req, attempt, resp, err, false, 0, elapsed)
			return nil, attempt, stopped(ctx.Err(), attempt, err)
		}
		retry := err != nil && IsRetryable(err) && attempt <= c.opts.MaxRetries
		var wait time.Duration
		if retry {
			wait = c.backoff(attempt, err)
		}
		c.report(ctx, req, attempt, resp, err, retry, wait, elapsed)
		if err == nil {
			return resp.output, attempt, nil
		}
		if !retry {
			switch {
			case attempt > 1 && IsRetryable(err):
				err = fmt.Errorf("gave up after %d attempts: %w", attempt, err)
			case attempt > 1:
				err = fmt.Errorf("attempt %d: %w", attempt, err)
			}
			return nil, attempt, err
		}
		lastErr = err
		if err := c.backOff(ctx, wait); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, attempt, stopped(err, attempt, lastErr)
		}
	}
}

// backoffHooks are what a caller asked a call to do around its waits
// between attempts; see [Client.YieldDuringBackoff].
type backoffHooks struct {
	release   func()
	reacquire func(context.Context) error
}

type backoffKey struct{}

// YieldDuringBackoff returns a context under which every call made with it
// calls release before it waits between two attempts, and reacquire after
// the wait, before its next attempt; an error from reacquire ends the call
// as a cancelled context would. A caller that bounds its calls in flight
// with a semaphore passes its slot's release and acquire, so a call waiting
// to retry holds no slot and keeps no other call from going out.
func (c *Client) YieldDuringBackoff(ctx context.Context, release func(), reacquire func(context.Context) error) context.Context {
	return context.WithValue(ctx, backoffKey{}, backoffHooks{release, reacquire})
}

// backOff waits d between two attempts of a call, yielding for that time
// what the caller asked it to (see YieldDuringBackoff).
func (c *Client) backOff(ctx context.Context, d time.Duration) error {
	h, ok := ctx.Value(backoffKey{}).(backoffHooks)
	if !ok {
		return c.opts.sleep(ctx, d)
	}
	h.release()
	if err := c.opts.sleep(ctx, d); err != nil {
		return err
	}
	if err := h.reacquire(ctx); err != nil {
		return fmt.Errorf("wait to retry: %w", err)
	}
	return nil
}

// pace waits for the limiter, if any, to let the next attempt go.
func (c *Client) pace(ctx context.Context) error {
	if c.opts.Limiter == nil {
		return nil
	}
	if err := c.opts.Limiter.Wait(ctx); err != nil {
		return fmt.Errorf("wait for rate limit: %w", err)
	}
	return nil
}

// heard tells the limiter, if any, how the API answered an attempt: a 429
// that throttles is throttling, any other status below 500 is an answer
// that was not throttled, and no answer, a 5xx or a 429 about the account
// (see Error.Throttling) says nothing about the rate.
func (c *Client) heard(status int, err error) {
	l := c.opts.Limiter
	switch {
	case l == nil || status == 0 || status >= 500:
	case status == http.StatusTooManyRequests:
		if apiErr, ok := errors.AsType[*Error](err); !ok || apiErr.Throttling() {
			l.Throttled()
		}
	default:
		l.Succeeded()
	}
}

// stopped is the error for a call ended by its context. It wraps the
// context's error (so errors.Is finds context.Canceled) and only quotes the
// last failure, so IsRetryable is false.
func stopped(ctxErr error, attempts int, last error) error {
	if ctxErr == nil {
		ctxErr = context.Canceled
	}
	if last == nil {
		return fmt.Errorf("%w after %d attempts", ctxErr, attempts)
	}
	return fmt.Errorf("%w after %d attempts (last: %v)", ctxErr, attempts, last)
}

// attempt sends req once, under its own timeout, and reads the answer.
func (c *Client) attempt(ctx context.Context, t *target, req request) (response, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.method, req.url, body)
	if err != nil {
		return response{}, err
	}
	hreq.Header.Set("Authorization", "Bearer "+t.key.reveal())
	hreq.Header.Set("X-DashScope-WorkSpace", req.workspace)
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	hreq.Header.Set("Accept", "application/json")
	if req.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return response{}, c.transportFailure(ctx, actx, err)
	}
	defer hresp.Body.Close()
	resp := response{status: hresp.StatusCode}
	data, err := io.ReadAll(io.LimitReader(hresp.Body, req.limit+1))
	if err != nil {
		return resp, c.transportFailure(ctx, actx, fmt.Errorf("read response body: %w", err))
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		// An oversized error body is still an error; its start is enough.
		e := parseError(hresp.StatusCode, hresp.Header, data[:min(int64(len(data)), req.limit)], t.key, c.opts.now())
		resp.requestID = e.RequestID
		return resp, e
	}
	if int64(len(data)) > req.limit {
		return resp, classifyTransport(fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, req.limit))
	}
	resp.output, resp.requestID, err = decodeEnvelope(data)
	return resp, err
}

// transportFailure classifies err; an attempt that ran out of its own time
// (the caller's context still live) becomes a retryable timeout that does
// not wrap context.DeadlineExceeded, so callers never mistake it for their
// own deadline.
func (c *Client) transportFailure(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && actx.Err() != nil {
		return &transportError{err: fmt.Errorf("attempt timed out after %s", c.opts.RequestTimeout), retry: true}
	}
	return classifyTransport(err)
}

// backoff returns the wait before the retry that follows attempt: the
// server's Retry-After when it gave one, else full jitter, a uniform random
// time in [0, min(BackoffMax, BackoffBase*2^(attempt-1))).
func (c *Client) backoff(attempt int, err error) time.Duration {
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.retryAfter > 0 {
		return apiErr.retryAfter
	}
	ceiling := c.opts.BackoffMax
	if shift := attempt - 1; shift < 30 {
		ceiling = min(ceiling, c.opts.BackoffBase<<shift)
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// report logs one attempt at debug level and calls OnAttempt. The URL
// carries no key (it travels in a header), so it is safe to log.
func (c *Client) report(ctx context.Context, req request, attempt int, resp response, err error, retry bool, wait, elapsed time.Duration) {
	attrs := []slog.Attr{
		slog.String("op", req.op),
		slog.String("workspace", req.workspace),
		slog.String("method", req.method),
		slog.String("url", req.url),
		slog.Int("attempt", attempt),
		slog.Int("status", resp.status),
		slog.String("request_id", resp.requestID),
		slog.Duration("duration", elapsed),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()), slog.Bool("retry", retry))
		if retry {
			attrs = append(attrs, slog.Duration("wait", wait))
		}
	}
	c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "dashscope request", attrs...)
	if c.opts.OnAttempt != nil {
		c.opts.OnAttempt(AttemptInfo{
			Operation: req.op, Workspace: req.workspace, Method: req.method, URL: req.url,
			Attempt: attempt, StatusCode: resp.status, Err: err, Retry: retry, Wait: wait, Duration: elapsed,
		})
	}
}
