package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/capctl/capctl/internal/apply"
	"github.com/capctl/capctl/internal/dashscope"
	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
	"github.com/capctl/capctl/internal/ratelimit"
)

// The client is what apply needs, and gives back call slots during backoff.
var (
	_ apply.Client      = (*dashscope.Client)(nil)
	_ apply.SlotYielder = (*dashscope.Client)(nil)
)

// wsConn is how to reach one workspace: its host and the variable holding its key.
type wsConn struct {
	ID        string
	BaseURL   string
	APIKeyEnv string
}

// connsOf returns the connection of every workspace of cfg.
func connsOf(cfg deploy.Config, g *Globals) []wsConn {
	out := make([]wsConn, 0, len(cfg.Workspaces))
	for _, w := range cfg.Workspaces {
		out = append(out, wsConn{ID: w.ID, BaseURL: w.BaseURL(g.Endpoint), APIKeyEnv: w.APIKeyEnv})
	}
	return out
}

// newLimiter returns the request budget of --rate: at most rate requests a
// second over all workspaces (0: no ceiling), slowing down whenever the API
// answers 429. Its burst is 1, so requests go out evenly spaced, which no
// server-side limit (token bucket or per-second window) can object to.
func newLimiter(rate float64) (*ratelimit.Adaptive, error) {
	if !(rate >= 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("--rate must be a number of requests per second, 0 or more, got %v", rate)
	}
	return ratelimit.New(rate, 1), nil
}

// newClient builds the API client for the given workspaces. Every key comes
// from the variable its workspace names; a missing one is a configuration
// error reported before any request, naming every missing variable. lim,
// if not nil, paces every request.
func newClient(conns []wsConn, g *Globals, e *env, maxRetries int, lim dashscope.Limiter) (*dashscope.Client, error) {
	eps := make(map[string]dashscope.Endpoint, len(conns))
	var missing []string
	for _, c := range conns {
		key := e.getenv(c.APIKeyEnv)
		if key == "" {
			missing = append(missing, fmt.Sprintf("workspace %s: environment variable %s is not set (it must hold the workspace's API key)", c.ID, c.APIKeyEnv))
			continue
		}
		eps[c.ID] = dashscope.Endpoint{BaseURL: c.BaseURL, Key: dashscope.Secret(key)}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing API keys:\n  %s", strings.Join(missing, "\n  "))
	}
	if g.Parallelism < 1 {
		return nil, fmt.Errorf("--parallelism must be at least 1, got %d", g.Parallelism)
	}
	if g.RequestTimeout <= 0 {
		return nil, fmt.Errorf("--request-timeout must be positive, got %s", g.RequestTimeout)
	}
	c, err := dashscope.New(dashscope.Options{
		Workspaces:     eps,
		MaxRetries:     maxRetries,
		Parallelism:    g.Parallelism,
		RequestTimeout: g.RequestTimeout,
		UserAgent:      "capctl/" + version,
		Logger:         g.logger(e),
		Limiter:        lim,
	})
	if err != nil {
		return nil, fmt.Errorf("configure API client: %w", err)
	}
	return c, nil
}

// readLive lists every workspace's deployments, at most parallelism list
// calls in flight at once. A workspace that cannot be read, or that answers
// for another workspace, is recorded in the returned map and does not hide
// the others.
func readLive(ctx context.Context, c *dashscope.Client, conns []wsConn, parallelism int, log *slog.Logger) ([]deploy.Live, map[string]string) {
	var (
		mu         sync.Mutex
		live       []deploy.Live
		unreadable = map[string]string{}
	)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelism) // the API's rate limit: one bound over all workspaces
	for _, w := range conns {
		g.Go(func() error {
			start := time.Now()
			ls, err := c.List(ctx, w.ID)
			if err == nil {
				err = checkWorkspace(w, ls)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				unreadable[w.ID] = err.Error()
				return nil // a result, not a reason to stop the others
			}
			log.Debug("listed workspace", "workspace", w.ID, "deployments", len(ls), "duration", time.Since(start))
			live = append(live, ls...)
			return nil
		})
	}
	_ = g.Wait()
	deploy.SortLive(live)
	return live, unreadable
}

// checkWorkspace refuses a listing that reports another workspace than the
// one asked for: a key of one workspace must never scale another.
func checkWorkspace(w wsConn, ls []deploy.Live) error {
	for _, l := range ls {
		if l.WorkspaceID != "" && l.WorkspaceID != w.ID {
			return fmt.Errorf("the API answered for workspace %s, not %s: check that %s holds a key of %s", l.WorkspaceID, w.ID, w.APIKeyEnv, w.ID)
		}
	}
	return nil
}

// computePlan reads live state and computes the plan for cfg.
func computePlan(ctx context.Context, cfg deploy.Config, c *dashscope.Client, g *Globals, e *env) plan.Plan {
	conns := connsOf(cfg, g)
	live, unreadable := readLive(ctx, c, conns, g.Parallelism, g.logger(e))
	live = slices.DeleteFunc(live, func(l deploy.Live) bool { return !g.targeted(l.ID) })
	p := plan.Compute(cfg.Deployments, live, unreadable)
	p.CreatedAt = time.Now().UTC().Truncate(time.Second)
	p.Workspaces = planWorkspaces(conns)
	return p
}
