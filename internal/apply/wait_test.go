package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/capctl/capctl/internal/deploy"
	"github.com/capctl/capctl/internal/plan"
)

func TestRunWait(t *testing.T) {
	tests := map[string]struct {
		after      []string
		stuck      bool
		wantStatus Status
		wantError  string // a substring
		wantGets   int
	}{
		"ready after two polls": {
			after:      []string{deploy.StatusUpdating, deploy.StatusUpdating},
			wantStatus: Succeeded,
			wantGets:   3,
		},
		"updating failed": {
			after:      []string{deploy.StatusUpdating, deploy.StatusUpdatingFailed},
			wantStatus: Failed,
			wantError:  "the scale call was accepted, but the deployment went to UPDATING_FAILED",
			wantGets:   2,
		},
		"failed": {
			after:      []string{deploy.StatusFailed},
			wantStatus: Failed,
			wantError:  "went to FAILED",
			wantGets:   1,
		},
		"timeout": {
			stuck:      true,
			wantStatus: Failed,
			wantError:  "timed out after 30ms (last seen: status UPDATING, ready 1 of 2)",
			wantGets:   -1, // as many as fit
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			p := newPlan([]plan.Change{muChange("ws", "a", 1, 2)})
			seed(f, p)
			f.after[key("ws", "a")] = tt.after
			f.stuck = tt.stuck
			opts := Options{Wait: true, WaitTimeout: 30 * time.Millisecond, PollInterval: time.Millisecond, PollMax: 4 * time.Millisecond, Now: fixedNow}
			rep := Run(context.Background(), f, p, opts)
			got := rep.Results[0]
			if got.Status != tt.wantStatus || !strings.Contains(got.Error, tt.wantError) {
				t.Errorf("result = %s %q, want %s containing %q", got.Status, got.Error, tt.wantStatus, tt.wantError)
			}
			if got.Attempts != 1 {
				t.Errorf("attempts = %d, want 1 (the scale call's; polls are not counted)", got.Attempts)
			}
			if n := f.totalGets(); tt.wantGets >= 0 && n != tt.wantGets {
				t.Errorf("made %d polls, want %d", n, tt.wantGets)
			}
		})
	}
}

func TestRunWaitPTU(t *testing.T) {
	f := newFake()
	q1, q2 := deploy.PTU{InputTPM: 10, OutputTPM: 10}, deploy.PTU{InputTPM: 20, OutputTPM: 20}
	p := newPlan([]plan.Change{ptuChange("ws", "p", q1, q2, plan.ScaleUp)})
	seed(f, p)
	f.defaultAfter = []string{deploy.StatusUpdating}
	rep := Run(context.Background(), f, p, Options{Wait: true, PollInterval: time.Millisecond, Now: fixedNow})
	if got := rep.Results[0]; got.Status != Succeeded {
		t.Errorf("result = %s %q, want succeeded", got.Status, got.Error)
	}
	if n := f.totalGets(); n != 2 {
		t.Errorf("made %d polls, want 2", n)
	}
}

func TestRunWaitPollError(t *testing.T) {
	f := newFake()
	p := newPlan([]plan.Change{muChange("ws", "a", 1, 2)})
	seed(f, p)
	f.getErr[key("ws", "a")] = &apiError{Status: 403, Code: "AccessDenied", Message: "no"}
	rep := Run(context.Background(), f, p, Options{Wait: true, PollInterval: time.Millisecond, Now: fixedNow})
	got := rep.Results[0]
	want := "the scale call was accepted, but polling its progress failed: 403 AccessDenied: no"
	if got.Status != Failed || got.Error != want || got.Code != "AccessDenied" {
		t.Errorf("result = %s %q code %q, want failed %q AccessDenied", got.Status, got.Error, got.Code, want)
	}
}

func TestReady(t *testing.T) {
	mu := deploy.Capacity{Plan: deploy.PlanMU, Units: 2}
	tests := map[string]struct {
		live   deploy.Live
		target deploy.Capacity
		want   bool
	}{
		"running all ready":       {deploy.Live{Status: "RUNNING", Capacity: 2, ReadyCapacity: 2}, mu, true},
		"running partly ready":    {deploy.Live{Status: "RUNNING", Capacity: 2, ReadyCapacity: 1}, mu, false},
		"stale read of old state": {deploy.Live{Status: "RUNNING", Capacity: 1, ReadyCapacity: 1}, mu, false},
		"updating":                {deploy.Live{Status: "UPDATING", Capacity: 2, ReadyCapacity: 2}, mu, false},
		"ptu running": {deploy.Live{Status: "RUNNING", PTU: &deploy.PTU{InputTPM: 1, OutputTPM: 1}},
			deploy.Capacity{Plan: deploy.PlanPTU, PTU: deploy.PTU{InputTPM: 1, OutputTPM: 1}}, true},
		"ptu old quota": {deploy.Live{Status: "RUNNING", PTU: &deploy.PTU{InputTPM: 1, OutputTPM: 2}},
			deploy.Capacity{Plan: deploy.PlanPTU, PTU: deploy.PTU{InputTPM: 1, OutputTPM: 1}}, false},
	}
	for name, tt := range tests {
		if got := ready(tt.live, tt.target); got != tt.want {
			t.Errorf("%s: ready() = %v, want %v", name, got, tt.want)
		}
	}
}
