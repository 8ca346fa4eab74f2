package dashscope

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseError(t *testing.T) {
	long := "<html>x" + strings.Repeat("é", 150) + "</html>"
	tests := map[string]struct {
		status int
		body   string
		want   Error
		text   string
	}{
		"envelope": {404, `{"request_id":"BE213CDD-8A5C","code":"NotFound","message":"Model: x not found!"}`,
			Error{StatusCode: 404, Code: "NotFound", Message: "Model: x not found!", RequestID: "BE213CDD-8A5C"},
			"404 NotFound: Model: x not found! (request_id BE213CDD-8A5C)"},
		"code only": {429, `{"code":"Throttling"}`,
			Error{StatusCode: 429, Code: "Throttling"}, "429 Throttling"},
		"message only": {400, `{"message":"bad","request_id":"r"}`,
			Error{StatusCode: 400, Message: "bad", RequestID: "r"}, "400 Bad Request: bad (request_id r)"},
		"html": {503, "<html><h1>503</h1></html>\n",
			Error{StatusCode: 503, Body: "<html><h1>503</h1></html>"},
			`503 Service Unavailable: unexpected response body: "<html><h1>503</h1></html>"`},
		"truncated json": {502, `{"code":"Intern`,
			Error{StatusCode: 502, Body: `{"code":"Intern`},
			`502 Bad Gateway: unexpected response body: "{\"code\":\"Intern"`},
		"json without fields": {500, `{"error":"boom"}`,
			Error{StatusCode: 500, Body: `{"error":"boom"}`},
			`500 Internal Server Error: unexpected response body: "{\"error\":\"boom\"}"`},
		"empty": {504, "", Error{StatusCode: 504}, "504 Gateway Timeout: empty response body"},
		"long body cut on a rune": {503, long,
			Error{StatusCode: 503, Body: long[:199]},
			`503 Service Unavailable: unexpected response body: "` + long[:199] + `"…`},
		"key echoed by a proxy": {403, "denied: Bearer " + testKey.reveal(),
			Error{StatusCode: 403, Body: "denied: Bearer [redacted]"},
			`403 Forbidden: unexpected response body: "denied: Bearer [redacted]"`},
		"key echoed in the envelope": {401,
			`{"code":"InvalidApiKey","message":"Invalid API-key provided: Bearer ` + testKey.reveal() + `","request_id":"` + testKey.reveal() + `"}`,
			Error{StatusCode: 401, Code: "InvalidApiKey", Message: "Invalid API-key provided: Bearer [redacted]", RequestID: "[redacted]"},
			`401 InvalidApiKey: Invalid API-key provided: Bearer [redacted] (request_id [redacted])`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := parseError(tt.status, http.Header{}, []byte(tt.body), testKey, time.Now())
			if diff := cmp.Diff(&tt.want, got, cmpopts.IgnoreUnexported(Error{})); diff != "" {
				t.Errorf("parseError() mismatch (-want +got):\n%s", diff)
			}
			if got.Error() != tt.text {
				t.Errorf("Error() = %s\nwant      %s", got.Error(), tt.text)
			}
			if len(got.Body) > maxQuote {
				t.Errorf("Body is %d bytes, want at most %d", len(got.Body), maxQuote)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		value string
		want  time.Duration
	}{
		"absent":        {"", 0},
		"seconds":       {"3", 3 * time.Second},
		"spaces":        {" 2 ", 2 * time.Second},
		"zero":          {"0", 0},
		"capped":        {"3600", MaxRetryAfter},
		"huge":          {"99999999999999999999999", MaxRetryAfter},
		"http date":     {"Thu, 26 Nov 2026 12:00:05 GMT", 5 * time.Second},
		"date in past":  {"Thu, 26 Nov 2026 11:00:00 GMT", 0},
		"date far away": {"Fri, 27 Nov 2026 12:00:00 GMT", MaxRetryAfter},
		"negative":      {"-1", 0},
		"garbage":       {"soon", 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := parseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

// Each status class: 429 and 5xx gateways are retried until MaxRetries is
// spent, every other 4xx (and 501) is returned at once.
func TestErrorClasses(t *testing.T) {
	tests := map[string]struct {
		status   int
		code     string
		attempts int
	}{
		"400 invalid parameter": {400, "InvalidParameter", 1},
		"401 invalid key":       {401, "InvalidApiKey", 1},
		"403 access denied":     {403, "AccessDenied", 1},
		"404 not found":         {404, "NotFound", 1},
		"409 conflict":          {409, "Conflict", 1},
		"501 not implemented":   {501, "NotImplemented", 1},
		"429 throttling":        {429, "Throttling", 3},
		"500 internal":          {500, "InternalError", 3},
		"502 bad gateway":       {502, "BadGateway", 3},
		"503 unavailable":       {503, "ModelUnavailable", 3},
		"504 gateway timeout":   {504, "RequestTimeOut", 3},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{status: tt.status, body: apiError(tt.code, "nope")})
			c, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = 2 })
			_, n, err := c.Get(context.Background(), testWS, "x")
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Code != tt.code || apiErr.RequestID != "req-err" {
				t.Errorf("*Error = %+v", apiErr)
			}
			if n != tt.attempts || len(s.requests()) != tt.attempts {
				t.Errorf("attempts = %d, requests = %d, want %d", n, len(s.requests()), tt.attempts)
			}
			if got, want := IsRetryable(err), tt.attempts > 1; got != want {
				t.Errorf("IsRetryable = %v, want %v", got, want)
			}
			if !strings.HasPrefix(err.Error(), "get llm-test/x: ") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func TestIsRetryable(t *testing.T) {
	tests := map[string]struct {
		err  error
		want bool
	}{
		"nil":               {nil, false},
		"plain":             {errors.New("x"), false},
		"wrapped 503":       {wrapf(&Error{StatusCode: 503}), true},
		"wrapped 404":       {wrapf(&Error{StatusCode: 404}), false},
		"429 throttling":    {&Error{StatusCode: 429, Code: "Throttling.RateQuota"}, true},
		"429 no code":       {&Error{StatusCode: 429}, true},
		"429 bill overdue":  {&Error{StatusCode: 429, Code: "PrepaidBillOverdue"}, false},
		"429 not purchased": {&Error{StatusCode: 429, Code: "CommodityNotPurchased"}, false},
		"network":           {wrapf(classifyTransport(errors.New("connection reset by peer"))), true},
		"refused redirect":  {wrapf(classifyTransport(errRedirect)), false},
		"body too large":    {wrapf(classifyTransport(errBodyTooLarge)), false},
		"context cancelled": {stopped(context.Canceled, 2, &Error{StatusCode: 503}), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func wrapf(err error) error { return errors.Join(errors.New("context"), err) }
