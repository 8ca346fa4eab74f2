package sim

import "net/http"

// serveControl serves the test control surface: GET /_sim/dump,
// GET /_sim/stats and POST /_sim/reset-stats. It needs no key and is never
// delayed, faulted or counted.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var method string
	switch r.URL.Path {
	case "/_sim/dump", "/_sim/stats":
		method = http.MethodGet
	case "/_sim/reset-stats":
		method = http.MethodPost
	default:
		writeError(w, apiErr(http.StatusNotFound, "NotFound", "Not found!"))
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, apiErr(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"Method %s is not allowed on %s.", r.Method, r.URL.Path))
		return
	}
	switch r.URL.Path {
	case "/_sim/dump":
		writeJSON(w, http.StatusOK, s.Dump())
	case "/_sim/stats":
		writeJSON(w, http.StatusOK, s.Stats())
	default:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	}
}
