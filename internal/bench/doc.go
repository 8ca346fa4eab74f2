// Package bench runs capctl end to end against the dashscope-sim simulator
// and reports how close each run comes to its ideal time.
//
// It has two halves. The pure half generates synthetic fleets (capacity
// files and the matching simulator seed), computes the ideal wall time of a
// run from the simulator's latency and capctl's parallelism, and renders the
// results as a plain-text or Markdown table. The process half starts the
// built dashscope-sim and capctl binaries as children, measures capctl's
// wall time and peak RSS, reads the simulator's counters from its control
// endpoint, and runs two baselines written here in Go (a per-deployment GET
// refresh and a sequential loop of scale calls) against the same simulator.
//
// The command capctl-bench (make bench) drives it and writes
// docs/benchmarks.md.
package bench
