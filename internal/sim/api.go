package sim

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const collectionPath = "/api/v1/deployments"

// route is what a request path and method resolve to.
type route struct {
	name  string // the Stats.Calls key
	id    string // deployed_model from the path, unescaped
	serve func(s *Server, c *call)
	allow string // set when the path matched but the method did not
}

// resolve maps a request to its route. Path segments are unescaped one by
// one, so an id holding an escaped "/" still resolves.
func resolve(r *http.Request) route {
	unmatched := route{name: r.Method + " (unmatched)"}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), collectionPath)
	if !ok {
		return unmatched
	}
	if rest == "" {
		switch r.Method {
		case http.MethodGet:
			return route{name: "GET " + collectionPath, serve: (*Server).list}
		case http.MethodPost:
			return route{name: "POST " + collectionPath, serve: (*Server).create}
		}
		return route{name: r.Method + " " + collectionPath, allow: "GET, POST"}
	}
	segs := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	if !strings.HasPrefix(rest, "/") || len(segs) > 2 || segs[0] == "" {
		return unmatched
	}
	id, err := url.PathUnescape(segs[0])
	if err != nil {
		return unmatched
	}
	one := collectionPath + "/{id}"
	if len(segs) == 1 {
		switch r.Method {
		case http.MethodGet:
			return route{name: "GET " + one, id: id, serve: (*Server).get}
		case http.MethodDelete:
			return route{name: "DELETE " + one, id: id, serve: (*Server).delete}
		}
		return route{name: r.Method + " " + one, id: id, allow: "GET, DELETE"}
	}
	if segs[1] != "scale" {
		return unmatched
	}
	if r.Method == http.MethodPut {
		return route{name: "PUT " + one + "/scale", id: id, serve: (*Server).scale}
	}
	return route{name: r.Method + " " + one + "/scale", id: id, allow: "PUT"}
}

// call is one authenticated API request on its way to a handler.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	id  string // deployed_model from the path
	ws  string // the workspace acted on
	now time.Time
}

// serveAPI runs the pipeline every API request goes through: count it,
// decide its fault, wait the latency, answer the fault, authenticate,
// choose the workspace, then route. A dropped connection is closed only
// after the request has left the in-flight count, as with any answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	rt := resolve(r)
	s.enter(rt.name)
	if s.handleAPI(w, r, rt, arrived) {
		drop(w)
	}
}

// handleAPI answers the request, or reports that its connection is to be
// dropped.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request, rt route, arrived time.Time) (dropConn bool) {
	defer s.leave()
	f := s.decideFault()
	if !s.wait(r.Context(), arrived) {
		return false // the client is gone; nobody to answer
	}
	if f.kind == faultDrop {
		s.count(func(st *Stats) { st.Dropped++ })
		return true
	}
	if s.answerFault(w, f) {
		return false
	}
	ws, e := s.authenticate(r)
	if e != nil {
		writeError(w, e)
		return false
	}
	switch {
	case rt.serve != nil:
		rt.serve(s, &call{w: w, r: r, id: rt.id, ws: ws, now: s.now()})
	case rt.allow != "":
		w.Header().Set("Allow", rt.allow)
		writeError(w, apiErr(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"Method %s is not allowed on %s.", r.Method, r.URL.Path))
	default:
		writeError(w, apiErr(http.StatusNotFound, "NotFound", "Not found!"))
	}
	return false
}

// authenticate checks the API key and picks the workspace the request acts
// on: the X-DashScope-WorkSpace header if present, else the key's own.
func (s *Server) authenticate(r *http.Request) (string, *APIError) {
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	k, ok := s.keys[strings.TrimSpace(token)]
	if !strings.EqualFold(scheme, "Bearer") || !ok {
		return "", apiErr(http.StatusUnauthorized, "InvalidApiKey", "Invalid API-key provided.")
	}
	own := k.Workspaces[0]
	hdr := r.Header.Get("X-DashScope-WorkSpace")
	if hdr == "" || k.IgnoreWorkspaceHeader {
		return own, nil
	}
	for _, ws := range k.Workspaces {
		if ws == hdr {
			return ws, nil
		}
	}
	// Stricter choice: the docs quote "Workspace access denied" without a
	// status and list both 401 NOT AUTHORIZED and 403 Workspace.AccessDenied
	// for a bad workspace. A 403 is a hard, non-retryable refusal, and it
	// never silently falls back to the key's own workspace.
	return "", apiErr(http.StatusForbidden, "Workspace.AccessDenied", "Workspace access denied")
}

// wait holds the request until the configured latency (plus jitter) has
// passed since it arrived, or less if ctx ends first, and reports whether
// the request should still be answered. Timers are set early by the
// measured lateness of earlier answers, so answers are on time on average.
func (s *Server) wait(ctx context.Context, arrived time.Time) bool {
	d := s.cfg.Latency
	if j := s.cfg.LatencyJitter; j > 0 {
		s.faultMu.Lock()
		d += time.Duration(s.rng.Int64N(int64(j)))
		s.faultMu.Unlock()
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	due := arrived.Add(d)
	if sleep := time.Until(due) - s.late.correction(); sleep > 0 {
		t := time.NewTimer(sleep)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		}
	}
	// Observed even when there was no time left to sleep, so a correction
	// that has grown too large shrinks again.
	now := time.Now()
	s.late.observe(now.Sub(due))
	s.count(func(st *Stats) {
		st.Waited++
		st.WaitedNanos += int64(now.Sub(arrived))
	})
	return ctx.Err() == nil
}

// retryAfter formats d as whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(max(1, int64(math.Ceil(d.Seconds()))), 10)
}
