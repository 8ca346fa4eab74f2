package sim

import (
	"container/heap"
	"slices"
	"strings"
	"time"
)

// record is one deployment in the store. Its Deployment is the state as of
// the last settle; a pending transition (UPDATING, PENDING or DELETING) ends
// at due and is applied lazily by settle when the record is next read, so a
// fleet of ten thousand deployments needs no timers.
//
// The pointer fields of d are never written through, only replaced, so a
// shallow copy handed to an encoder outside the lock stays consistent.
type record struct {
	d   Deployment
	due time.Time // end of the pending transition; zero when none
	// prevPTU is the ptu_capacity that was effective before the scale in
	// progress; a failed scale restores it (D-ptu-res: "on failure do not
	// show the target as effective").
	prevPTU *PTUCapacity
}

// settle applies the pending transition of r if it is due at now.
// DELETING records are removed by workspace.settleDeletions instead.
func (r *record) settle(now time.Time) {
	if r.due.IsZero() || now.Before(r.due) {
		return
	}
	switch r.d.Status {
	case StatusUpdating:
		if r.d.ScaleOutcome == StatusUpdatingFailed {
			// The old capacity keeps serving: ready_capacity stays as it
			// was, capacity keeps showing the target that was asked for
			// (mu), and a ptu deployment falls back to its old throughput.
			r.d.Status = StatusUpdatingFailed
			r.d.FailReason = "Scaling failed, the previous capacity keeps serving."
			if r.prevPTU != nil {
				r.d.PTUCapacity = r.prevPTU
			}
		} else {
			r.d.Status = StatusRunning
			r.d.ReadyCapacity = r.d.Capacity
		}
	case StatusPending, "DEPLOYING":
		r.d.Status = StatusRunning
		r.d.ReadyCapacity = r.d.Capacity
	case StatusDeleting:
		return
	}
	r.d.GmtModified = r.due.UTC().Format(TimeLayout)
	r.due = time.Time{}
	r.prevPTU = nil
}

// view returns the deployment as the API shows it at now.
func (r *record) view(now time.Time) Deployment {
	r.settle(now)
	return r.d.public()
}

// workspace holds the deployments of one workspace, indexed by id and kept
// sorted by deployed_model (overall and per plan) so that a list page is a
// slice of an index.
type workspace struct {
	byID     map[string]*record
	sorted   []*record
	byPlan   map[string][]*record
	deleting deleteQueue
	// deleted remembers ids whose deletion completed: a GET on them says
	// "Not found." rather than "Model: <id> not found!" (D-cn-manage).
	deleted map[string]bool
}

func newWorkspace() *workspace {
	return &workspace{
		byID:    make(map[string]*record),
		byPlan:  make(map[string][]*record),
		deleted: make(map[string]bool),
	}
}

func compareRecords(a, b *record) int { return strings.Compare(a.d.DeployedModel, b.d.DeployedModel) }

// insert adds r, keeping the indexes sorted. Creating is rare, so the O(n)
// copy of slices.Insert is fine.
func (w *workspace) insert(r *record) {
	w.byID[r.d.DeployedModel] = r
	delete(w.deleted, r.d.DeployedModel)
	w.sorted = insertSorted(w.sorted, r)
	w.byPlan[r.d.Plan] = insertSorted(w.byPlan[r.d.Plan], r)
}

func insertSorted(s []*record, r *record) []*record {
	i, _ := slices.BinarySearchFunc(s, r, compareRecords)
	return slices.Insert(s, i, r)
}

func removeSorted(s []*record, r *record) []*record {
	if i, ok := slices.BinarySearchFunc(s, r, compareRecords); ok {
		return slices.Delete(s, i, i+1)
	}
	return s
}

// remove deletes r from every index and remembers its id as deleted.
func (w *workspace) remove(r *record) {
	id := r.d.DeployedModel
	delete(w.byID, id)
	w.sorted = removeSorted(w.sorted, r)
	w.byPlan[r.d.Plan] = removeSorted(w.byPlan[r.d.Plan], r)
	w.deleted[id] = true
}

// startDelete moves r to DELETING; it disappears at due.
func (w *workspace) startDelete(r *record, due time.Time) {
	r.d.Status = StatusDeleting
	r.due = due
	r.prevPTU = nil
	heap.Push(&w.deleting, r)
}

// settleDeletions removes the records whose deletion is complete at now.
// It costs O(log n) per completed deletion and nothing otherwise, so it can
// run before every request.
func (w *workspace) settleDeletions(now time.Time) {
	for len(w.deleting) > 0 && !now.Before(w.deleting[0].due) {
		w.remove(heap.Pop(&w.deleting).(*record))
	}
}

// index returns the sorted records a list with the given plan filter pages
// through.
func (w *workspace) index(plan string) []*record {
	if plan == "" {
		return w.sorted
	}
	return w.byPlan[plan]
}

// deleteQueue is a min-heap of DELETING records by due time. A heap rather
// than a FIFO because an injected clock may not be monotonic.
type deleteQueue []*record

func (q deleteQueue) Len() int           { return len(q) }
func (q deleteQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q deleteQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }

func (q *deleteQueue) Push(x any) { *q = append(*q, x.(*record)) }

func (q *deleteQueue) Pop() any {
	old := *q
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return r
}
