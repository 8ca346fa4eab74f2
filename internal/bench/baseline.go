package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capctl/capctl/internal/sim"
)

// apiClient makes raw API calls the way a script would: one request per
// call, no retries.
type apiClient struct {
	base, key string
	http      *http.Client
}

func newAPIClient(base, key string, conns int) *apiClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &apiClient{base: base, key: key, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends one call and reports whether it was answered 2xx.
func (c *apiClient) do(ctx context.Context, method, ws, id, suffix string, body []byte) error {
	u := c.base + "/api/v1/deployments/" + url.PathEscape(id) + suffix
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("X-DashScope-WorkSpace", ws)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, u, resp.Status)
	}
	return nil
}

// GetEach reads every deployment of ds with its own GET, parallelism
// calls at once: what a Terraform-style refresh of one resource per
// deployment does. It returns the wall time and how many calls failed.
func GetEach(ctx context.Context, base, key string, ds []Deployment, parallelism int) (time.Duration, int) {
	c := newAPIClient(base, key, parallelism)
	next := make(chan Deployment)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range parallelism {
		wg.Go(func() {
			for d := range next {
				if c.do(ctx, http.MethodGet, d.Workspace, d.ID, "", nil) != nil {
					failed.Add(1)
				}
			}
		})
	}
	for _, d := range ds {
		next <- d
	}
	close(next)
	wg.Wait()
	return time.Since(start), int(failed.Load())
}

// ScaleSequential scales each of ds to its desired capacity, one call
// after the other: what a shell loop of curl calls does. It returns the
// wall time and how many calls failed.
func ScaleSequential(ctx context.Context, base, key string, ds []Deployment) (time.Duration, int) {
	c := newAPIClient(base, key, 1)
	failed := 0
	start := time.Now()
	for _, d := range ds {
		if ctx.Err() != nil {
			break
		}
		if c.do(ctx, http.MethodPut, d.Workspace, d.ID, "/scale", ScaleBody(d)) != nil {
			failed++
		}
	}
	return time.Since(start), failed
}

// ScaleBody is the body of the scale call that sets d to its desired
// capacity.
func ScaleBody(d Deployment) []byte {
	var v any = map[string]int{"capacity": d.Desired}
	if d.Plan == "ptu" {
		v = map[string]sim.PTUCapacity{"ptu_capacity": {InputTPM: d.DesiredTPM.Input, OutputTPM: d.DesiredTPM.Output}}
	}
	data, _ := json.Marshal(v) // maps of ints cannot fail to marshal
	return data
}
