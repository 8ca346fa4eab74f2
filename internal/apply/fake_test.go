package apply

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/capctl/capctl/internal/deploy"
)

// apiError is a coded error like the dashscope client's.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string     { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }
func (e *apiError) ErrorCode() string { return e.Code }

// fakeClient is an in-process API: a map of live deployments that Scale
// changes, with scripted errors and statuses, and counters of what was
// called and how many calls were in flight at once.
type fakeClient struct {
	mu   sync.Mutex
	live map[deploy.Key]deploy.Live
	// scaleErr and getErr fail every call for a deployment.
	scaleErr map[deploy.Key]error
	getErr   map[deploy.Key]error
	// after is the statuses successive Gets report after a scale call;
	// when used up, the deployment is RUNNING with all capacity ready.
	// defaultAfter applies to deployments not in after.
	after        map[deploy.Key][]string
	defaultAfter []string
	// stuck deployments stay UPDATING forever after a scale.
	stuck bool
	// attempts is what every call reports as its HTTP attempts.
	attempts int
	delay    time.Duration
	// block, when set, makes Scale wait for ctx to end; entered receives
	// one value per blocked call.
	block   bool
	entered chan deploy.Key
	// lostReply deployments apply the scale, then answer as a retry after a
	// lost first reply would: 409 Conflict on the second attempt.
	lostReply map[deploy.Key]bool
	// onScale runs after every accepted scale, outside the lock.
	onScale func(deploy.Key)

	inFlight, maxInFlight int
	scales, gets          map[deploy.Key]int
	throttled             int
}

func newFake() *fakeClient {
	return &fakeClient{
		live:      map[deploy.Key]deploy.Live{},
		scaleErr:  map[deploy.Key]error{},
		getErr:    map[deploy.Key]error{},
		after:     map[deploy.Key][]string{},
		scales:    map[deploy.Key]int{},
		gets:      map[deploy.Key]int{},
		lostReply: map[deploy.Key]bool{},
		attempts:  1,
	}
}

func (f *fakeClient) enter() func() {
	f.mu.Lock()
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	return func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}
}

func (f *fakeClient) Get(ctx context.Context, ws, id string) (deploy.Live, int, error) {
	defer f.enter()()
	k := deploy.Key{Workspace: ws, ID: id}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets[k]++
	if err := f.getErr[k]; err != nil {
		return deploy.Live{}, f.attempts, err
	}
	l, ok := f.live[k]
	if !ok {
		return deploy.Live{}, f.attempts, &apiError{404, "NotFound", "no such deployment"}
	}
	if l.Status == deploy.StatusUpdating && !f.stuck {
		script, ok := f.after[k]
		if !ok {
			script = f.defaultAfter
		}
		if len(script) == 0 {
			l.Status, l.ReadyCapacity = deploy.StatusRunning, l.Capacity
		} else {
			l.Status = script[0]
			f.after[k] = script[1:]
		}
		f.live[k] = l
	}
	return l, f.attempts, nil
}

func (f *fakeClient) Scale(ctx context.Context, ws, id string, want deploy.Capacity) (deploy.Live, int, error) {
	defer f.enter()()
	k := deploy.Key{Workspace: ws, ID: id}
	if f.block {
		f.entered <- k
		<-ctx.Done()
		return deploy.Live{}, 1, ctx.Err()
	}
	f.mu.Lock()
	f.scales[k]++
	if err := f.scaleErr[k]; err != nil {
		if ae, ok := err.(*apiError); ok && ae.Status == 429 {
			f.throttled += f.attempts
		}
		f.mu.Unlock()
		return deploy.Live{}, f.attempts, err
	}
	l := f.live[k]
	if want.Plan == deploy.PlanPTU {
		p := want.PTU
		l.PTU = &p
	} else {
		l.Capacity = want.Units
	}
	l.Status = deploy.StatusUpdating
	f.live[k] = l
	if f.lostReply[k] {
		f.mu.Unlock()
		return deploy.Live{}, 2, &apiError{409, "Conflict", "Deployment is being updated, please wait until it is RUNNING."}
	}
	f.mu.Unlock()
	if f.onScale != nil {
		f.onScale(k)
	}
	return l, f.attempts, nil
}

// Throttled makes the fake a ThrottleCounter.
func (f *fakeClient) Throttled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}

func (f *fakeClient) totalScales() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.scales {
		n += c
	}
	return n
}

func (f *fakeClient) totalGets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.gets {
		n += c
	}
	return n
}
