package bench

import "time"

// PageSize is the page size capctl lists deployments with.
const PageSize = 200

// Pages returns the list calls that read every workspace once: the sum of
// ⌈n/pageSize⌉ over the workspaces, counting one call for an empty one.
func Pages(perWorkspace []int, pageSize int) int {
	total := 0
	for _, n := range perWorkspace {
		total += max(1, Rounds(n, pageSize))
	}
	return total
}

// Rounds returns ⌈calls/parallelism⌉: how many back-to-back latencies
// calls take when parallelism of them are in flight at once.
func Rounds(calls, parallelism int) int {
	if calls <= 0 {
		return 0
	}
	parallelism = max(parallelism, 1)
	return (calls + parallelism - 1) / parallelism
}

// Link is what bounds the speed of API calls: the simulator's latency,
// the client's parallelism and, optionally, a server rate limit.
type Link struct {
	Latency     time.Duration
	Parallelism int
	// Rate is the server's limit in requests per second (0: none); Burst
	// requests may go before the limit bites.
	Rate  float64
	Burst int
}

// latencyBound is the least time n calls take at the link's parallelism.
func (l Link) latencyBound(n int) time.Duration {
	return time.Duration(Rounds(n, l.Parallelism)) * l.Latency
}

// rateBound is the least time n calls take under the link's rate limit.
func (l Link) rateBound(n int) time.Duration {
	if l.Rate <= 0 || n <= l.Burst {
		return 0
	}
	return time.Duration(float64(n-l.Burst) / l.Rate * float64(time.Second))
}

// PlanIdeal is the ideal time of capctl plan: validating the files, then
// reading every workspace with pages list calls.
func PlanIdeal(validate time.Duration, pages int, l Link) time.Duration {
	return validate + max(l.latencyBound(pages), l.rateBound(pages))
}

// ApplyIdeal is the ideal time of capctl apply --auto-approve: validating
// the files, reading every workspace with pages list calls, then one
// scale call per change. Reads and scales are two phases, so their latency
// bounds add up; under a rate limit they share one budget.
func ApplyIdeal(validate time.Duration, pages, changes int, l Link) time.Duration {
	lat := l.latencyBound(pages) + l.latencyBound(changes)
	return validate + max(lat, l.rateBound(pages+changes))
}

// Ratio returns wall/ideal, or 0 when there is no ideal.
func Ratio(wall, ideal time.Duration) float64 {
	if ideal <= 0 {
		return 0
	}
	return float64(wall) / float64(ideal)
}

// Share returns part/total, or 0 when total is 0.
func Share(part, total int) float64 {
	if total <= 0 {
		return 0
	}
	return float64(part) / float64(total)
}
