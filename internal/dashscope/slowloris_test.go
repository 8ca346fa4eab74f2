package dashscope

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A server that sends its headers at once and then trickles the body, a
// byte at a time, forever: RequestTimeout bounds the whole attempt, body
// included, so each attempt is abandoned and the call gives up once its
// retries are spent.
func TestSlowBodyTimesOut(t *testing.T) {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		_, _ = w.Write([]byte(`{"output":`))
		_ = rc.Flush()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				_ = rc.Flush()
			}
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.RequestTimeout = 30 * time.Millisecond
		o.MaxRetries = 1
	})
	_, n, err := c.Get(context.Background(), testWS, "x")
	if err == nil || !strings.Contains(err.Error(), "attempt timed out after 30ms") {
		t.Fatalf("Get error = %v, want an attempt timeout", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v wraps context.DeadlineExceeded; the caller's deadline did not pass", err)
	}
	if n != 2 || attempts.Load() != 2 {
		t.Errorf("attempts = %d, server saw %d; want 2 (one retry)", n, attempts.Load())
	}
}

// A server that accepts the connection and never answers: the same bound
// holds before the headers arrive.
func TestSlowHeadersTimeOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The body must be read before the server notices the client
		// leaving and ends r.Context.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.RequestTimeout = 30 * time.Millisecond
		o.MaxRetries = 0
	})
	_, n, err := c.Scale(context.Background(), testWS, "x", muCap(2))
	if err == nil || !strings.Contains(err.Error(), "scale llm-test/x: attempt timed out after 30ms") || n != 1 {
		t.Fatalf("Scale = %d attempts, error %v; want 1 attempt timed out", n, err)
	}
}
