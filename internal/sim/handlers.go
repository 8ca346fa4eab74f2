package sim

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// list serves GET /api/v1/deployments: one page of the workspace's
// deployments sorted by deployed_model, optionally filtered by plan.
// Only the page is rendered; the rest of the fleet is not copied.
func (s *Server) list(c *call) {
	q := c.r.URL.Query()
	pageNo, e := intParam(q, "page_no", 1, 1, math.MaxInt32,
		"Invalid page_no (%s), page_no must be an integer larger than or equal to 1.")
	if e != nil {
		writeError(c.w, e)
		return
	}
	pageSize, e := intParam(q, "page_size", 50, 1, 200,
		"Invalid page_size (%s), page_size must be an integer between 1 and 200.")
	if e != nil {
		writeError(c.w, e)
		return
	}
	out := listOutput{PageNo: pageNo, PageSize: pageSize, Deployments: []Deployment{}}
	s.mu.Lock()
	if w := s.wss[c.ws]; w != nil {
		w.settleDeletions(c.now)
		idx := w.index(q.Get("plan"))
		out.Total = len(idx)
		if start := (pageNo - 1) * pageSize; start < len(idx) {
			page := idx[start:min(start+pageSize, len(idx))]
			out.Deployments = make([]Deployment, len(page))
			for i, r := range page {
				out.Deployments[i] = r.view(c.now)
			}
		}
	}
	s.mu.Unlock()
	writeOutput(c.w, out)
}

// intParam reads an integer query parameter in [lo, hi], def when absent.
// A present but empty value is invalid, not absent.
func intParam(q url.Values, name string, def, lo, hi int, msg string) (int, *APIError) {
	vs, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil || n < lo || n > hi {
		return 0, apiErr(http.StatusBadRequest, "InvalidParameter", msg, vs[0])
	}
	return n, nil
}

// get serves GET /api/v1/deployments/{id}.
func (s *Server) get(c *call) {
	s.count(func(st *Stats) { st.Gets[c.ws+"/"+c.id]++ })
	s.mu.Lock()
	r, e := s.lookup(c)
	var out Deployment
	if r != nil {
		out = r.view(c.now)
	}
	s.mu.Unlock()
	if e != nil {
		writeError(c.w, e)
		return
	}
	writeOutput(c.w, out)
}

// lookup finds the deployment a call names, after completing due
// deletions. Call with s.mu held.
func (s *Server) lookup(c *call) (*record, *APIError) {
	w := s.wss[c.ws]
	if w != nil {
		w.settleDeletions(c.now)
		if r := w.byID[c.id]; r != nil {
			return r, nil
		}
		if w.deleted[c.id] {
			return nil, apiErr(http.StatusNotFound, "NotFound", "Not found.")
		}
	}
	return nil, apiErr(http.StatusNotFound, "NotFound", "Model: %s not found!", c.id)
}

// delete serves DELETE /api/v1/deployments/{id}: the deployment turns
// DELETING and is gone UpdateDelay later. Deleting from any state is
// allowed (the doc's example deletes a RUNNING one; the official CLI's
// STOPPED/FAILED pre-check is client caution, not a server rule).
func (s *Server) delete(c *call) {
	out, e := s.startDelete(c)
	if e != nil {
		writeError(c.w, e)
		return
	}
	writeOutput(c.w, out)
}

func (s *Server) startDelete(c *call) (Deployment, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.lookup(c)
	if e != nil {
		return Deployment{}, e
	}
	r.settle(c.now)
	if r.d.Status == StatusDeleting {
		// Stricter choice: a second delete is refused rather than echoed.
		return Deployment{}, apiErr(http.StatusConflict, "Conflict", "Deployment %s is already being deleted.", c.id)
	}
	s.wss[c.ws].startDelete(r, c.now.Add(s.cfg.UpdateDelay))
	r.d.GmtModified = c.now.UTC().Format(TimeLayout)
	return r.d.public(), nil
}

// readBody reads a request body of at most maxBody bytes.
func readBody(c *call) ([]byte, *APIError) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, apiErr(http.StatusBadRequest, "InvalidParameter",
				"Request body is larger than %d bytes.", maxBody)
		}
		return nil, apiErr(http.StatusBadRequest, "InvalidParameter", "Cannot read the request body.")
	}
	return body, nil
}
