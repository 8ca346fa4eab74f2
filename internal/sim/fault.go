package sim

import (
	"net/http"
	"time"
)

type faultKind int

const (
	noFault faultKind = iota
	faultRateLimited
	fault429
	fault5xx
	faultDrop
)

// fault is the decision taken for one API request when it arrives.
type fault struct {
	kind    faultKind
	wait    time.Duration // rate limit: until a token is free
	variant int           // 5xx: which answer, see answer5xx
}

// decideFault applies the rate limit first (a request it refuses is not
// also a candidate for injected faults), then one draw for 429/5xx/drop.
func (s *Server) decideFault() fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.limiter != nil {
		now := s.now()
		res := s.limiter.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			return fault{kind: faultRateLimited, wait: d}
		}
	}
	c := s.cfg
	if c.P429+c.P5xx+c.PDrop <= 0 {
		return fault{}
	}
	switch u := s.rng.Float64(); {
	case u < c.P429:
		return fault{kind: fault429}
	case u < c.P429+c.P5xx:
		s.next5xx++
		return fault{kind: fault5xx, variant: (s.next5xx - 1) % len(fiveXX)}
	case u < c.P429+c.P5xx+c.PDrop:
		return fault{kind: faultDrop}
	}
	return fault{}
}

// fiveXX are the injected server errors, used in turn so that a client
// meets every shape: the JSON envelope with several statuses, and the HTML
// page a gateway sends when the service behind it is down.
var fiveXX = []*APIError{
	{Status: http.StatusInternalServerError, Code: "InternalError",
		Message: "An internal error has occured, try again later or contact service support."},
	{Status: http.StatusBadGateway, Code: "BadGateway", Message: "Bad gateway, try again later."},
	{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable",
		Message: "The service is temporarily unavailable, try again later."},
	{Status: http.StatusGatewayTimeout, Code: "RequestTimeOut", Message: "Request timed out, please try again later."},
	nil, // HTML 503
}

const html503 = `<html>
<head><title>503 Service Temporarily Unavailable</title></head>
<body>
<center><h1>503 Service Temporarily Unavailable</h1></center>
<hr><center>Tengine</center>
</body>
</html>
`

// answerFault answers f, if it is a fault other than a drop, and reports
// whether it did.
func (s *Server) answerFault(w http.ResponseWriter, f fault) bool {
	switch f.kind {
	case faultRateLimited:
		s.count(func(st *Stats) { st.RateLimited++ })
		w.Header().Set("Retry-After", retryAfter(f.wait))
		writeError(w, apiErr(http.StatusTooManyRequests, "Throttling.RateQuota",
			"Requests rate limit exceeded, please try again later."))
	case fault429:
		s.count(func(st *Stats) { st.Injected429++ })
		if s.cfg.RetryAfter > 0 {
			w.Header().Set("Retry-After", retryAfter(s.cfg.RetryAfter))
		}
		writeError(w, apiErr(http.StatusTooManyRequests, "Throttling", "Requests throttling triggered."))
	case fault5xx:
		s.count(func(st *Stats) { st.Injected5xx++ })
		if e := fiveXX[f.variant]; e != nil {
			writeError(w, e)
			break
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(html503))
	default:
		return false
	}
	return true
}

// drop closes the connection without answering. Where the connection
// cannot be taken over (HTTP/2), aborting the handler resets the stream,
// which the client sees the same way.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
