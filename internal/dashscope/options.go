// Package dashscope is capctl's HTTP client for the Alibaba Cloud Model
// Studio (DashScope) deployments API: it lists, reads and scales
// deployments, one workspace at a time.
//
// Every request carries the workspace's API key and the
// X-DashScope-WorkSpace header. Throttling (429), server errors (500, 502,
// 503, 504) and network failures are retried with exponential backoff and
// full jitter, honouring Retry-After. Every other non-2xx answer becomes an
// *Error at once. API keys are held as Secret values, which redact
// themselves wherever they are printed, logged or marshalled.
package dashscope

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/capctl/capctl/internal/pause"
)

// Defaults applied by New to zero Options fields.
const (
	// DefaultMaxRetries is the number of retries callers pass unless told
	// otherwise (--max-retries). Options.MaxRetries itself defaults to 0.
	DefaultMaxRetries     = 5
	DefaultRequestTimeout = 30 * time.Second
	DefaultParallelism    = 10
	DefaultBackoffBase    = 200 * time.Millisecond
	DefaultBackoffMax     = 10 * time.Second
	// MaxRetryAfter caps the wait a server can ask for with Retry-After, so
	// a confused proxy cannot park a run for an hour.
	MaxRetryAfter = 60 * time.Second
)

const redacted = "[redacted]"

// Secret is an API key. It never prints itself: String, GoString, Format,
// LogValue and MarshalJSON all give "[redacted]". Only the client reads the
// key, to put it in the Authorization header.
type Secret string

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", so %#v does not leak the key either.
func (Secret) GoString() string { return redacted }

// Format writes "[redacted]" for every verb and flag, including %x and %q.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue makes slog print "[redacted]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes the secret as the string "[redacted]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText encodes the secret as "[redacted]" (encoding.TextMarshaler).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// reveal returns the key itself. It is the only way to read it.
func (s Secret) reveal() string { return string(s) }

// Endpoint says where a workspace's requests go and which key they carry.
type Endpoint struct {
	// BaseURL is scheme and host, e.g. https://dashscope-intl.aliyuncs.com.
	// A path prefix (a proxy) is kept; a trailing /api/v1 is dropped
	// because the client appends /api/v1/... itself.
	BaseURL string
	// Key is the workspace's API key.
	Key Secret
}

// Options configures a Client. The zero value of each field means its
// default.
type Options struct {
	// Workspaces maps each workspace id to its endpoint and key. A call for
	// a workspace not in the map fails without a request.
	Workspaces map[string]Endpoint
	// MaxRetries is the number of retries after the first attempt; 0 means
	// no retry. Callers normally pass DefaultMaxRetries.
	MaxRetries int
	// RequestTimeout bounds each attempt, reading the body included.
	RequestTimeout time.Duration
	// Parallelism is the number of requests the caller keeps in flight; the
	// idle connection pool keeps at least that many connections per host.
	Parallelism int
	// UserAgent is sent on every request, e.g. "capctl/1.2.3".
	UserAgent string
	// Logger receives one debug record per attempt (method, URL, status,
	// request_id, duration, attempt). Keys are never logged. nil discards.
	Logger *slog.Logger
	// BackoffBase and BackoffMax shape the exponential backoff: the n-th
	// retry waits a random time below min(BackoffMax, BackoffBase*2^(n-1)).
	BackoffBase, BackoffMax time.Duration
	// HTTPClient replaces the client's own (tests). Its CheckRedirect is
	// replaced by the client's redirect rule.
	HTTPClient *http.Client
	// OnAttempt, if set, is called after every HTTP attempt, from the
	// calling goroutine. It must be safe for concurrent use.
	OnAttempt func(AttemptInfo)
	// Limiter, if set, paces every HTTP attempt, retries included, and
	// hears how the API answered each one. nil sends without pacing.
	Limiter Limiter

	// sleep waits for d or until ctx ends; tests replace it to observe
	// backoff without waiting.
	sleep func(ctx context.Context, d time.Duration) error
	// now is the clock used to read Retry-After dates; tests fix it.
	now func() time.Time
}

// Limiter paces a Client's requests; *ratelimit.Adaptive implements it.
// The client calls Wait before every attempt, then Throttled when the API
// answered 429 or Succeeded when it answered without throttling (any other
// status below 500). Attempts that got no answer, or a 5xx, report neither.
// All three must be safe for concurrent use.
type Limiter interface {
	// Wait blocks until the next attempt may be sent; an error (ctx ended)
	// ends the call without sending.
	Wait(ctx context.Context) error
	// Throttled reports an attempt answered 429.
	Throttled()
	// Succeeded reports an attempt answered without throttling.
	Succeeded()
}

// AttemptInfo describes one HTTP attempt, for Options.OnAttempt.
type AttemptInfo struct {
	// Operation is "list", "get" or "scale".
	Operation string
	Workspace string
	Method    string
	URL       string
	// Attempt counts from 1.
	Attempt int
	// StatusCode is the HTTP status, or 0 when no response came.
	StatusCode int
	// Err is nil on success, an *Error for a non-2xx answer, or the
	// transport or decoding error.
	Err error
	// Retry reports whether another attempt is planned (it is skipped if
	// the context ends during the wait).
	Retry bool
	// Wait is the pause before the next attempt when Retry is set.
	Wait     time.Duration
	Duration time.Duration
}

// withDefaults returns o with zero fields defaulted, or an error for values
// that make no sense.
func (o Options) withDefaults() (Options, error) {
	if o.MaxRetries < 0 {
		return o, fmt.Errorf("max retries must be 0 or more, got %d", o.MaxRetries)
	}
	if o.RequestTimeout < 0 || o.BackoffBase < 0 || o.BackoffMax < 0 {
		return o, fmt.Errorf("timeouts and backoff durations must not be negative")
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.BackoffBase == 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffMax == 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.BackoffMax < o.BackoffBase {
		o.BackoffMax = o.BackoffBase
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.UserAgent == "" {
		o.UserAgent = "capctl"
	}
	if o.sleep == nil {
		o.sleep = pause.For
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o, nil
}
