package dashscope

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// maxRedirects bounds how many same-host redirects one attempt follows.
const maxRedirects = 3

// errRedirect marks a redirect the client refused; it is never retried.
var errRedirect = errors.New("redirect refused")

// Client talks to the deployments API of the configured workspaces. It is
// safe for concurrent use; all calls share one connection pool.
type Client struct {
	opts Options
	http *http.Client
	// workspaces holds pointers so that even a %+v of the Client (which
	// fmt prints field by field) shows addresses, never a key.
	workspaces map[string]*target
	// maxPages and maxItems bound List; tests lower them.
	maxPages, maxItems int
}

// target is one workspace's resolved endpoint.
type target struct {
	base *url.URL // scheme, host and optional path prefix, no trailing slash
	key  Secret
}

// New checks opts and builds a Client. It fails for a workspace with an
// empty id or key, or a BaseURL that is not a plain http(s) URL (user info,
// query and fragment are refused).
func New(opts Options) (*Client, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		opts:       opts,
		workspaces: make(map[string]*target, len(opts.Workspaces)),
		maxPages:   maxListPages,
		maxItems:   maxListItems,
	}
	ids := make([]string, 0, len(opts.Workspaces))
	for id := range opts.Workspaces {
		ids = append(ids, id)
	}
	sort.Strings(ids) // report the first bad workspace deterministically
	for _, id := range ids {
		t, err := newTarget(id, opts.Workspaces[id])
		if err != nil {
			return nil, fmt.Errorf("workspace %q: %w", id, err)
		}
		c.workspaces[id] = t
	}
	// The keys now live behind the target pointers only; a copy left in
	// opts would print through fmt's reflection on unexported fields.
	c.opts.Workspaces = nil
	if opts.HTTPClient != nil {
		hc := *opts.HTTPClient
		c.http = &hc
	} else {
		c.http = &http.Client{Transport: newTransport(opts.Parallelism, len(c.workspaces))}
	}
	c.http.CheckRedirect = checkRedirect
	return c, nil
}

// newTarget validates one workspace's endpoint.
func newTarget(id string, ep Endpoint) (*target, error) {
	if id == "" || !validHeaderValue(id) {
		return nil, errors.New("invalid workspace id")
	}
	if ep.Key == "" {
		return nil, errors.New("empty API key")
	}
	if !validHeaderValue(ep.Key.reveal()) || strings.ContainsAny(ep.Key.reveal(), " \t") {
		// Never quote the key: it is the thing being protected.
		return nil, errors.New("API key contains spaces or control characters")
	}
	u, err := url.Parse(ep.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("base URL %q: scheme must be http or https", ep.BaseURL)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("base URL %q has no host", ep.BaseURL)
	case u.User != nil:
		return nil, errors.New("base URL must not contain user info")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("base URL %q must not have a query or fragment", ep.BaseURL)
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api/v1")
	u.RawPath = ""
	return &target{base: u, key: ep.Key}, nil
}

// validHeaderValue reports whether s can travel in a header: printable
// ASCII only.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// newTransport builds the one transport a Client uses. The idle pool keeps
// at least parallelism connections per host so that a full fan-out reuses
// its connections instead of redialling (and re-handshaking TLS) on every
// request. TLS verification stays on; HTTP/2 is allowed.
func newTransport(parallelism, hosts int) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(parallelism, 2)
	tr.MaxIdleConns = max(100, parallelism*max(hosts, 1))
	tr.IdleConnTimeout = 90 * time.Second
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return tr
}

// checkRedirect follows a redirect only to the same scheme and host, and
// at most maxRedirects times. Go strips Authorization only when the new
// host is not a subdomain of the old one; refusing every other host is
// simpler and keeps the key where the user sent it.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", errRedirect, maxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) || req.URL.Scheme != first.Scheme {
		return fmt.Errorf("%w: to another host %q", errRedirect, req.URL.Scheme+"://"+req.URL.Host)
	}
	return nil
}

// target returns the workspace's endpoint or an error if it is not
// configured.
func (c *Client) target(workspace string) (*target, error) {
	t, ok := c.workspaces[workspace]
	if !ok {
		return nil, fmt.Errorf("workspace %q is not configured", workspace)
	}
	return t, nil
}

// deploymentsURL returns base/api/v1/deployments[/id][/suffix]. The id is
// path-escaped, so "a/b" stays one segment.
func (t *target) deploymentsURL(id, suffix string, q url.Values) string {
	s := t.base.String() + "/api/v1/deployments"
	if id != "" {
		s += "/" + url.PathEscape(id)
	}
	s += suffix
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

// checkID refuses ids that would address another resource: the empty id
// is the list, "." and ".." climb the path.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." {
		return fmt.Errorf("invalid deployment id %q", id)
	}
	return nil
}
