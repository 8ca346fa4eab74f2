package dashscope

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// maxQuote is how much of a body that is not the error envelope an Error
// keeps.
const maxQuote = 200

// Error is a non-2xx answer from the API. Callers inspect it with
// errors.As; its fields come from the error envelope
// {"request_id","code","message"} when the body is one.
type Error struct {
	StatusCode int
	Code       string
	Message    string
	RequestID  string
	// Body is the start of the body (at most 200 bytes) when it was not the
	// JSON error envelope, e.g. a proxy's HTML page; "" otherwise.
	Body string

	truncated  bool          // Body is a prefix of a longer body
	retryAfter time.Duration // from the Retry-After header, 0 if none
}

// Error renders e.g. "404 NotFound: Model: x not found! (request_id …)" or,
// for a body that is not the envelope,
// `503 Service Unavailable: unexpected response body: "<html>…"`.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Body != "":
		fmt.Fprintf(&b, ": unexpected response body: %q", e.Body)
		if e.truncated {
			b.WriteString("…")
		}
	case e.Code == "":
		b.WriteString(": empty response body")
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request_id %s)", e.RequestID)
	}
	return b.String()
}

// accountCodes are the 429 codes that report the account's standing
// rather than the request rate: an unpaid bill or a product not bought. No
// retry clears them, and they say nothing about how fast to send.
var accountCodes = map[string]bool{
	"CommodityNotPurchased": true,
	"PrepaidBillOverdue":    true,
	"PostpaidBillOverdue":   true,
}

// Throttling reports whether the answer is the API throttling requests: a
// 429 whose code is not about the account (see Retryable).
func (e *Error) Throttling() bool {
	return e.StatusCode == http.StatusTooManyRequests && !accountCodes[e.Code]
}

// Retryable reports whether the status is one the client retries: 429,
// 500, 502, 503 and 504, except a 429 about the account's standing
// (CommodityNotPurchased, PrepaidBillOverdue, PostpaidBillOverdue), which
// no retry clears.
func (e *Error) Retryable() bool {
	if e.StatusCode == http.StatusTooManyRequests {
		return e.Throttling()
	}
	switch e.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// errorEnvelope is the API's error body.
type errorEnvelope struct {
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// parseError turns every non-2xx answer into an *Error. A body that is not
// the envelope (HTML from a gateway, truncated JSON, nothing) is quoted.
// Whatever is kept has the key scrubbed, envelope fields included, in case
// a proxy echoed the request back.
func parseError(status int, header http.Header, body []byte, key Secret, now time.Time) *Error {
	e := &Error{StatusCode: status, retryAfter: parseRetryAfter(header.Get("Retry-After"), now)}
	scrub := func(s string) string {
		if k := key.reveal(); k != "" {
			s = strings.ReplaceAll(s, k, redacted)
		}
		return s
	}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && (env.Code != "" || env.Message != "") {
		e.Code, e.Message, e.RequestID = scrub(env.Code), scrub(env.Message), scrub(env.RequestID)
		return e
	}
	s := scrub(strings.TrimSpace(string(body)))
	if len(s) > maxQuote {
		cut := maxQuote
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s, e.truncated = s[:cut], true
	}
	e.Body = s
	return e
}

// parseRetryAfter reads Retry-After as delta seconds or an HTTP date,
// capped at MaxRetryAfter. It returns 0 when absent, unreadable or past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, ok := parseSeconds(v); ok {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// parseSeconds parses a non-negative decimal, saturating instead of
// overflowing.
func parseSeconds(v string) (int64, bool) {
	var n int64
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, false
		}
		if n < 1<<20 {
			n = n*10 + int64(r-'0')
		}
	}
	return n, true
}

// transportError is a failure below HTTP: no answer, or an answer that broke
// off. retry says whether another attempt may help.
type transportError struct {
	err   error
	retry bool
}

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// classifyTransport wraps err from sending a request or reading its body.
// Network failures are worth another attempt; a refused redirect or a
// certificate that does not verify will fail the same way again.
func classifyTransport(err error) *transportError {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, errRedirect), errors.Is(err, errBodyTooLarge),
		errors.As(err, &unknown), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &verify):
		return &transportError{err: err}
	}
	return &transportError{err: err, retry: true}
}

// IsRetryable reports whether err is worth retrying later: an *Error with
// status 429, 500, 502, 503 or 504, or a network failure. Context errors,
// other statuses and malformed responses are not. It looks through
// wrapping with errors.As.
func IsRetryable(err error) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Retryable()
	}
	var te *transportError
	if errors.As(err, &te) {
		return te.retry
	}
	return false
}
