package dashscope

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/capctl/capctl/internal/deploy"
)

// Pagination bounds. A server whose total never ends, or that ignores
// page_no, must not keep List going forever.
const (
	listPageSize = 200
	maxListPages = 1000
	maxListItems = 100_000
)

// List returns every deployment of the workspace, reading all pages of
// GET /api/v1/deployments with page_size 200. It stops at an empty or short
// page or once total items are seen, and fails on a page that repeats
// earlier items, a total over 100,000 or more than 1,000 pages.
func (c *Client) List(ctx context.Context, workspace string) ([]deploy.Live, error) {
	t, err := c.target(workspace)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", workspace, err)
	}
	var (
		out  []deploy.Live
		seen = make(map[string]bool)
	)
	for page := 1; ; page++ {
		if page > c.maxPages {
			return nil, fmt.Errorf("list %s: more than %d pages", workspace, c.maxPages)
		}
		p, err := c.listPage(ctx, t, workspace, page)
		if err != nil {
			return nil, fmt.Errorf("list %s: page %d: %w", workspace, page, err)
		}
		var items []deployment
		if p.Deployments != nil {
			items = *p.Deployments
		}
		fresh := 0
		for _, d := range items {
			// Offset paging over a changing list can show an item twice;
			// the first sighting wins.
			if !seen[d.DeployedModel] {
				seen[d.DeployedModel] = true
				out = append(out, d.live(workspace))
				fresh++
			}
		}
		if len(items) > 0 && fresh == 0 {
			return nil, fmt.Errorf("list %s: page %d repeats earlier deployments (is page_no ignored?)", workspace, page)
		}
		if len(out) > c.maxItems {
			return nil, fmt.Errorf("list %s: more than %d deployments", workspace, c.maxItems)
		}
		size := listPageSize
		if p.PageSize != nil && *p.PageSize > 0 && *p.PageSize < size {
			size = *p.PageSize // the server may cap page_size lower
		}
		total := -1
		if p.Total != nil {
			total = *p.Total
		}
		if len(items) == 0 || len(items) < size || (total >= 0 && len(out) >= total) {
			return out, nil
		}
	}
}

// listPage fetches and checks one page.
func (c *Client) listPage(ctx context.Context, t *target, workspace string, page int) (listPage, error) {
	q := url.Values{"page_no": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(listPageSize)}}
	raw, _, err := c.do(ctx, t, request{
		op: "list", workspace: workspace, method: http.MethodGet,
		url: t.deploymentsURL("", "", q), limit: limitList,
	})
	if err != nil {
		return listPage{}, err
	}
	p, err := decodeListPage(raw)
	if err != nil {
		return p, err
	}
	if p.Total != nil && *p.Total > c.maxItems {
		return p, fmt.Errorf("total %d exceeds the limit of %d deployments", *p.Total, c.maxItems)
	}
	if p.PageNo != nil && *p.PageNo != page {
		return p, fmt.Errorf("asked for page %d, got page %d", page, *p.PageNo)
	}
	return p, nil
}

// Get returns one deployment and the number of HTTP attempts made.
func (c *Client) Get(ctx context.Context, workspace, id string) (deploy.Live, int, error) {
	l, n, err := c.one(ctx, "get", workspace, id, http.MethodGet, "", nil)
	if err != nil {
		return l, n, fmt.Errorf("get %s/%s: %w", workspace, id, err)
	}
	return l, n, nil
}

// scaleBody is the PUT …/scale body: capacity for mu, ptu_capacity for ptu.
type scaleBody struct {
	Capacity    *int        `json:"capacity,omitempty"`
	PTUCapacity *deploy.PTU `json:"ptu_capacity,omitempty"`
}

// Scale sets the deployment's capacity to want and returns the deployment
// as the API reports it afterwards (normally UPDATING) and the number of
// HTTP attempts made. want is an absolute target, so a retry after a lost
// answer sets the same value again: retrying is safe.
func (c *Client) Scale(ctx context.Context, workspace, id string, want deploy.Capacity) (deploy.Live, int, error) {
	var b scaleBody
	switch want.Plan {
	case deploy.PlanMU:
		if want.Units < 0 {
			return deploy.Live{}, 0, fmt.Errorf("scale %s/%s: negative capacity %d", workspace, id, want.Units)
		}
		b.Capacity = &want.Units
	case deploy.PlanPTU:
		p := want.PTU
		b.PTUCapacity = &p
	default:
		return deploy.Live{}, 0, fmt.Errorf("scale %s/%s: plan %q cannot be scaled", workspace, id, want.Plan)
	}
	body, err := json.Marshal(b)
	if err != nil {
		return deploy.Live{}, 0, fmt.Errorf("scale %s/%s: %w", workspace, id, err)
	}
	l, n, err := c.one(ctx, "scale", workspace, id, http.MethodPut, "/scale", body)
	if err != nil {
		return l, n, fmt.Errorf("scale %s/%s: %w", workspace, id, err)
	}
	return l, n, nil
}

// one performs a call whose output is a single Deployment, and checks that
// it is the deployment asked about.
func (c *Client) one(ctx context.Context, op, workspace, id, method, suffix string, body []byte) (deploy.Live, int, error) {
	if err := checkID(id); err != nil {
		return deploy.Live{}, 0, err
	}
	t, err := c.target(workspace)
	if err != nil {
		return deploy.Live{}, 0, err
	}
	raw, n, err := c.do(ctx, t, request{
		op: op, workspace: workspace, method: method,
		url: t.deploymentsURL(id, suffix, nil), body: body, limit: limitOne,
	})
	if err != nil {
		return deploy.Live{}, n, err
	}
	d, err := decodeDeployment(raw)
	if err != nil {
		return deploy.Live{}, n, err
	}
	if d.DeployedModel != id {
		return deploy.Live{}, n, fmt.Errorf("response is for deployment %q", d.DeployedModel)
	}
	return d.live(workspace), n, nil
}
