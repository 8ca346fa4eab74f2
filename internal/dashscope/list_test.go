package dashscope

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fleet serves n deployments d-0000… through GET /api/v1/deployments the
// way the API pages them, honouring page_no and page_size (capped at
// maxSize), under the given envelope key ("output" or "data").
type fleet struct {
	n, maxSize int
	key        string
	calls      atomic.Int32
	queries    []string
}

func (f *fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.queries = append(f.queries, r.URL.RawQuery) // requests are sequential
	no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
	size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
	size = min(size, f.maxSize)
	items := []any{}
	for i := (no - 1) * size; i < min(no*size, f.n); i++ {
		items = append(items, muDeployment(fmt.Sprintf("d-%04d", i), 1))
	}
	out := map[string]any{"page_no": no, "page_size": size, "total": f.n, "deployments": items}
	_ = json.NewEncoder(w).Encode(map[string]any{"request_id": "r", f.key: out})
}

func TestListPages(t *testing.T) {
	tests := map[string]struct {
		n, maxSize int
		key        string
		calls      int32
	}{
		"450 in 3 pages":           {450, 200, "output", 3},
		"400: total reached":       {400, 200, "output", 2},
		"empty workspace":          {0, 200, "output", 1},
		"data instead of output":   {250, 200, "data", 2},
		"server caps page size":    {250, 100, "output", 3},
		"exactly one full page":    {200, 200, "output", 1},
		"one short of a full page": {199, 200, "output", 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fleet{n: tt.n, maxSize: tt.maxSize, key: tt.key}
			srv := httptest.NewServer(f)
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, nil)
			got, err := c.List(context.Background(), testWS)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(got) != tt.n {
				t.Fatalf("List returned %d deployments, want %d", len(got), tt.n)
			}
			for i, l := range got {
				if want := fmt.Sprintf("d-%04d", i); l.ID != want || l.Workspace != testWS {
					t.Fatalf("item %d = %v, want %s/%s", i, l.Key, testWS, want)
				}
			}
			if n := f.calls.Load(); n != tt.calls {
				t.Errorf("requests = %d, want %d", n, tt.calls)
			}
			if want := "page_no=1&page_size=200"; f.queries[0] != want {
				t.Errorf("first query = %q, want %q", f.queries[0], want)
			}
		})
	}
}

// pager answers every list request with a full page of fresh ids (or the
// same ids, when repeat is set) and a configurable total, like a broken
// server whose list never ends.
type pager struct {
	total  string // JSON value or "" to leave it out
	repeat bool
	pageNo string // JSON value for page_no, or "" to echo the request
	calls  atomic.Int32
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.calls.Add(1)
	var items []string
	for i := range 3 {
		id := fmt.Sprintf("p%d-%d", n, i)
		if p.repeat {
			id = fmt.Sprintf("p-%d", i)
		}
		items = append(items, fmt.Sprintf(`{"deployed_model":%q}`, id))
	}
	fields := []string{`"page_size":3`, `"deployments":[` + strings.Join(items, ",") + `]`}
	if p.total != "" {
		fields = append(fields, `"total":`+p.total)
	}
	pageNo := p.pageNo
	if pageNo == "" {
		pageNo = r.URL.Query().Get("page_no")
	}
	fields = append(fields, `"page_no":`+pageNo)
	fmt.Fprintf(w, `{"request_id":"r","output":{%s}}`, strings.Join(fields, ","))
}

func TestListIsBounded(t *testing.T) {
	tests := map[string]struct {
		p        *pager
		maxPages int
		errSub   string
		calls    int32
	}{
		"total beyond the cap":   {&pager{total: "1000000000"}, 10, "list llm-test: page 1: total 1000000000 exceeds the limit of 60 deployments", 1},
		"no total, never ending": {&pager{}, 1000, "list llm-test: more than 60 deployments", 21},
		"total never reached":    {&pager{total: "59"}, 10, "list llm-test: more than 10 pages", 10},
		"page repeats":           {&pager{total: "30", repeat: true}, 10, "list llm-test: page 2 repeats earlier deployments", 2},
		"page_no ignored":        {&pager{total: "30", pageNo: "1"}, 10, "list llm-test: page 2: asked for page 2, got page 1", 2},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(tt.p)
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL, nil)
			c.maxPages, c.maxItems = tt.maxPages, 60
			got, err := c.List(context.Background(), testWS)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("List error = %v, want one containing %q", err, tt.errSub)
			}
			if got != nil {
				t.Errorf("List returned %d deployments with its error", len(got))
			}
			if n := tt.p.calls.Load(); n != tt.calls {
				t.Errorf("requests = %d, want %d", n, tt.calls)
			}
		})
	}
}

func TestListBadPages(t *testing.T) {
	tests := map[string]struct {
		body, errSub string
	}{
		"no output":          {`{"request_id":"r"}`, "list llm-test: page 1: response has no output"},
		"empty output":       {`{"request_id":"r","output":{}}`, "no deployments and no total"},
		"null output":        {`{"request_id":"r","output":null}`, "response has no output"},
		"array output":       {`{"request_id":"r","output":[]}`, "output is not a JSON object"},
		"total, no items":    {`{"output":{"total":3}}`, "total 3 but no deployments"},
		"negative total":     {`{"output":{"total":-1,"deployments":[]}}`, "negative total -1"},
		"item without id":    {`{"output":{"total":1,"deployments":[{"plan":"mu"}]}}`, "item 0 has no deployed_model"},
		"wrong item type":    {`{"output":{"total":1,"deployments":[{"deployed_model":"x","capacity":"2"}]}}`, "cannot unmarshal string"},
		"deployments object": {`{"output":{"total":1,"deployments":{"deployed_model":"x"}}}`, "cannot unmarshal object"},
		"html":               {`<html><body>gateway</body></html>`, "decode response: invalid character '<'"},
		"truncated":          {`{"request_id":"r","output":{"total":1,"deployments":[{"deployed_mo`, "decode response: unexpected end of JSON input"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s, srv := newStub(t, step{body: tt.body})
			c, _ := newTestClient(t, srv.URL, nil)
			got, err := c.List(context.Background(), testWS)
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("List error = %v, want one containing %q", err, tt.errSub)
			}
			if got != nil {
				t.Errorf("List returned %v with its error", got)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("requests = %d, want 1 (a malformed answer is not retried)", n)
			}
		})
	}
}

// A deployment seen twice while the list shifts is kept once.
func TestListDropsDuplicates(t *testing.T) {
	page := func(ids ...string) string {
		var items []any
		for _, id := range ids {
			items = append(items, map[string]any{"deployed_model": id})
		}
		return ok(map[string]any{"total": 4, "page_size": 2, "deployments": items})
	}
	_, srv := newStub(t, step{body: page("a", "b")}, step{body: page("b", "c")}, step{body: page("d")})
	c, _ := newTestClient(t, srv.URL, nil)
	got, err := c.List(context.Background(), testWS)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range got {
		ids = append(ids, l.ID)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, ids); diff != "" {
		t.Errorf("ids mismatch (-want +got):\n%s", diff)
	}
}
