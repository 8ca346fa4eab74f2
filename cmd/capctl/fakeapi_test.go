package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeAPI is an API that misbehaves in one named way, for hostile_*.txtar
// scripts. It counts what reaches it; a redirect target counts separately,
// with the requests that carried an Authorization header.
type fakeAPI struct {
	srv, other     *httptest.Server
	requests       atomic.Int64
	scales         atomic.Int64
	otherRequests  atomic.Int64
	otherWithCreds atomic.Int64
}

// fakeBodies are 200 answers to every request, by misbehaviour name.
var fakeBodies = map[string]string{
	"html":        "<!DOCTYPE html>\n<html><body><h1>Please log in to continue</h1></body></html>\n",
	"truncated":   `{"request_id":"r","output":{"page_no":1,"page_size":200,"total":4,"deployments":[{"deployed_model":"mu-1","plan":"mu","capa`,
	"wrongtypes":  `{"request_id":"r","output":{"page_no":1,"page_size":200,"total":"4","deployments":{"deployed_model":"mu-1"}}}`,
	"emptyoutput": `{"request_id":"r","output":{}}`,
}

// badAPIs holds each running script's fake API. Scripts run in parallel;
// the key is the script's own *TestScript.
var badAPIs sync.Map

// cmdBadAPI starts a misbehaving API for the script and points capctl at it:
//
//	badapi start html|truncated|wrongtypes|emptyoutput|endless|redirect
//	badapi calls       requests=N scales=N other_host=N other_host_with_key=N
//
// endless answers every list page with 200 fresh deployments and no total,
// so only capctl's own bounds end the listing; redirect sends every request
// to a second server on another port (another host for the client).
func cmdBadAPI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: badapi start MISBEHAVIOUR | badapi calls")
	}
	switch args[0] {
	case "start":
		if len(args) != 2 {
			ts.Fatalf("usage: badapi start MISBEHAVIOUR")
		}
		f, err := startFakeAPI(args[1])
		if err != nil {
			ts.Fatalf("badapi: %v", err)
		}
		badAPIs.Store(ts, f)
		ts.Defer(func() { f.close(); badAPIs.Delete(ts) })
		ts.Setenv("CAPCTL_ENDPOINT", f.srv.URL)
	case "calls":
		v, ok := badAPIs.Load(ts)
		if !ok {
			ts.Fatalf("badapi calls: not started")
		}
		f := v.(*fakeAPI)
		fmt.Fprintf(ts.Stdout(), "requests=%d scales=%d other_host=%d other_host_with_key=%d\n",
			f.requests.Load(), f.scales.Load(), f.otherRequests.Load(), f.otherWithCreds.Load())
	default:
		ts.Fatalf("badapi: unknown subcommand %q", args[0])
	}
}

func startFakeAPI(kind string) (*fakeAPI, error) {
	f := &fakeAPI{}
	var h http.HandlerFunc
	switch kind {
	case "endless":
		h = serveEndless
	case "slowloris":
		h = serveSlowly
	case "redirect":
		f.other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f.otherRequests.Add(1)
			if r.Header.Get("Authorization") != "" {
				f.otherWithCreds.Add(1)
			}
			http.Error(w, "not here", http.StatusNotFound)
		}))
		target := f.other.URL
		h = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}
	default:
		body, ok := fakeBodies[kind]
		if !ok {
			return nil, fmt.Errorf("unknown misbehaviour %q", kind)
		}
		h = func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasPrefix(body, "<") {
				w.Header().Set("Content-Type", "text/html")
			}
			_, _ = w.Write([]byte(body))
		}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if r.Method == http.MethodPut {
			f.scales.Add(1)
		}
		h(w, r)
	}))
	return f, nil
}

// serveSlowly sends the headers, then trickles a byte of the body every
// 50 ms until the client gives up (bounded: at most 10 s).
func serveSlowly(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	for range 200 {
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// serveEndless answers page N of the list with 200 deployments that no
// earlier page had, and no total.
func serveEndless(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page_no")
	var b strings.Builder
	fmt.Fprintf(&b, `{"request_id":"r","output":{"page_no":%s,"page_size":200,"deployments":[`, page)
	for i := range 200 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"deployed_model":"x-%s-%d","plan":"mu","capacity":1,"status":"RUNNING"}`, page, i)
	}
	b.WriteString("]}}")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(b.String()))
}

func (f *fakeAPI) close() {
	f.srv.Close()
	if f.other != nil {
		f.other.Close()
	}
}
