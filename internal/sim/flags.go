package sim

import "flag"

// RegisterFlags defines on fs one flag per field of c (latency, faults,
// rate limit, timing), with the zero Config's values as defaults except
// Burst and RandSeed (1). dashscope-sim and the CLI test scripts share them,
// so a script says `sim start -p429 0.1` as a user would run the binary.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.Latency, "latency", 0, "latency added to every API request")
	fs.DurationVar(&c.LatencyJitter, "latency-jitter", 0, "random extra latency, up to this much")
	fs.Float64Var(&c.P429, "p429", 0, "probability of an injected 429 per request")
	fs.Float64Var(&c.P5xx, "p5xx", 0, "probability of an injected 5xx per request")
	fs.Float64Var(&c.PDrop, "pdrop", 0, "probability of a dropped connection per request")
	fs.DurationVar(&c.RetryAfter, "retry-after", 0, "Retry-After sent with injected 429s (0: none)")
	fs.Float64Var(&c.RateLimit, "rate", 0, "server-side rate limit in requests per second (0: none)")
	fs.IntVar(&c.Burst, "burst", 1, "rate limit burst")
	fs.DurationVar(&c.UpdateDelay, "update-delay", 0, "how long UPDATING, PENDING and DELETING last")
	fs.Int64Var(&c.RandSeed, "rand-seed", 1, "seed for fault decisions")
}
