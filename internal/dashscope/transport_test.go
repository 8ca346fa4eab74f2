package dashscope

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// A redirect to another host is refused before anything is sent there, so
// the key cannot follow it.
func TestRedirectToOtherHostRefused(t *testing.T) {
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("other host received an Authorization header")
		}
	}))
	defer evil.Close()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		s, srv := newStub(t, step{status: status, header: map[string]string{"Location": evil.URL + "/api/v1/deployments/x"}})
		c, _ := newTestClient(t, srv.URL, nil)
		_, n, err := c.Get(context.Background(), testWS, "x")
		if err == nil || !strings.Contains(err.Error(), "to another host "+`"`+evil.URL+`"`) {
			t.Errorf("%d: error = %v, want a refused redirect naming %s", status, err, evil.URL)
		}
		if n != 1 || len(s.requests()) != 1 || IsRetryable(err) {
			t.Errorf("%d: attempts = %d, requests = %d, retryable = %v; want 1, 1, false", status, n, len(s.requests()), IsRetryable(err))
		}
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("other host received %d requests", n)
	}
}

func TestRedirectSameHostFollowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old/api/v1/deployments/x/scale" {
			http.Redirect(w, r, "/api/v1/deployments/x/scale", http.StatusPermanentRedirect)
			return
		}
		if r.Header.Get("Authorization") == "" || r.Method != http.MethodPut {
			t.Errorf("redirected request: %s with Authorization %q", r.Method, r.Header.Get("Authorization"))
		}
		_, _ = w.Write([]byte(ok(muDeployment("x", 2))))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL+"/old", nil)
	if _, _, err := c.Scale(context.Background(), testWS, "x", muCap(2)); err != nil {
		t.Fatalf("Scale: %v", err)
	}
}

func TestRedirectLoopCapped(t *testing.T) {
	s, srv := newStub(t, step{status: http.StatusFound, header: map[string]string{"Location": "/api/v1/deployments/x"}})
	c, _ := newTestClient(t, srv.URL, nil)
	_, _, err := c.Get(context.Background(), testWS, "x")
	if err == nil || !strings.Contains(err.Error(), "more than 3 redirects") {
		t.Errorf("error = %v", err)
	}
	if n := len(s.requests()); n != maxRedirects+1 {
		t.Errorf("requests = %d, want %d", n, maxRedirects+1)
	}
}

func TestTransportSettings(t *testing.T) {
	c, _ := newTestClient(t, "https://dashscope-intl.aliyuncs.com", func(o *Options) { o.Parallelism = 64 })
	tr, isTransport := c.http.Transport.(*http.Transport)
	if !isTransport {
		t.Fatalf("transport is %T", c.http.Transport)
	}
	if tr.MaxIdleConnsPerHost < 64 || tr.MaxIdleConns < 64 {
		t.Errorf("idle pool: per host %d, total %d; want at least 64", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
	if tr.DisableKeepAlives || !tr.ForceAttemptHTTP2 {
		t.Errorf("keep-alive disabled %v, HTTP/2 forced %v", tr.DisableKeepAlives, tr.ForceAttemptHTTP2)
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("TLS config %+v must verify certificates", tr.TLSClientConfig)
	}
	if c.http.Timeout != 0 {
		t.Errorf("client Timeout = %v; timeouts are per attempt", c.http.Timeout)
	}
}

// With parallelism N, N requests in flight, then N more, reuse the first
// N connections. With net/http's default of 2 idle connections per host,
// the second round would dial N-2 new ones.
func TestIdlePoolKeepsParallelismConnections(t *testing.T) {
	const n = 16
	var (
		dials   atomic.Int32
		barrier sync.WaitGroup
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		barrier.Done()
		barrier.Wait() // hold every request until all n are in flight
		_, _ = w.Write([]byte(ok(muDeployment("x", 1))))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Parallelism = n })
	round := func() {
		barrier.Add(n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				if _, _, err := c.Get(context.Background(), testWS, "x"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	round()
	first := dials.Load()
	round()
	// A connection can be handed back to the pool a moment after its
	// response is read; allow a few redials for that race.
	if extra := dials.Load() - first; extra > 4 {
		t.Errorf("second round opened %d new connections (first round %d), want the pool reused", extra, first)
	}
}

func TestNewValidation(t *testing.T) {
	good := Endpoint{BaseURL: "https://dashscope.aliyuncs.com", Key: testKey}
	tests := map[string]struct {
		ws     string
		ep     Endpoint
		edit   Options
		errSub string
	}{
		"ftp scheme":        {testWS, Endpoint{BaseURL: "ftp://x", Key: testKey}, Options{}, "scheme must be http or https"},
		"no scheme":         {testWS, Endpoint{BaseURL: "dashscope.aliyuncs.com", Key: testKey}, Options{}, "scheme must be http or https"},
		"no host":           {testWS, Endpoint{BaseURL: "https://", Key: testKey}, Options{}, "has no host"},
		"user info":         {testWS, Endpoint{BaseURL: "https://u:p@h", Key: testKey}, Options{}, "must not contain user info"},
		"query":             {testWS, Endpoint{BaseURL: "https://h/?a=1", Key: testKey}, Options{}, "must not have a query"},
		"fragment":          {testWS, Endpoint{BaseURL: "https://h/#f", Key: testKey}, Options{}, "must not have a query or fragment"},
		"unparseable":       {testWS, Endpoint{BaseURL: "https://h:port", Key: testKey}, Options{}, "invalid base URL"},
		"empty key":         {testWS, Endpoint{BaseURL: "https://h"}, Options{}, "empty API key"},
		"key with newline":  {testWS, Endpoint{BaseURL: "https://h", Key: testKey + "\n"}, Options{}, "spaces or control characters"},
		"empty workspace":   {"", good, Options{}, "invalid workspace id"},
		"negative retries":  {testWS, good, Options{MaxRetries: -1}, "max retries must be 0 or more"},
		"negative duration": {testWS, good, Options{RequestTimeout: -1}, "must not be negative"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			opts := tt.edit
			opts.Workspaces = map[string]Endpoint{tt.ws: tt.ep}
			_, err := New(opts)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.errSub)
			}
			if strings.Contains(err.Error(), testKey.reveal()) {
				t.Errorf("error %q contains the key", err)
			}
		})
	}
}

func TestBaseURLForms(t *testing.T) {
	tests := map[string]string{
		"https://dashscope.aliyuncs.com":                 "https://dashscope.aliyuncs.com/api/v1/deployments",
		"https://dashscope.aliyuncs.com/":                "https://dashscope.aliyuncs.com/api/v1/deployments",
		"https://ws.cn-beijing.maas.aliyuncs.com/api/v1": "https://ws.cn-beijing.maas.aliyuncs.com/api/v1/deployments",
		"http://127.0.0.1:8080/proxy/":                   "http://127.0.0.1:8080/proxy/api/v1/deployments",
	}
	for base, want := range tests {
		c, _ := newTestClient(t, base, nil)
		if got := c.workspaces[testWS].deploymentsURL("", "", nil); got != want {
			t.Errorf("%s: URL = %s, want %s", base, got, want)
		}
	}
}
