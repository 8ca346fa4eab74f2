// Package sim is an in-memory simulator of the DashScope (Alibaba Cloud
// Model Studio) deployments API, served over real HTTP.
//
// A [Server] is an [net/http.Handler] that speaks the wire format described
// in dashscope-api.md: the same paths, the same success and error envelopes,
// the same error codes and messages, workspaces chosen by API key and the
// X-DashScope-WorkSpace header, and the asynchronous UPDATING → RUNNING
// lifecycle of a scale call. It adds what a fake needs: fault injection
// (latency, 429 with Retry-After, 5xx, dropped connections, a server-side
// rate limit) and a control surface under /_sim/ (dump, stats, reset-stats)
// that is never faulted or authenticated.
//
// The simulator is an independent implementation of the API: it does not
// import any other capctl package, so a misunderstanding shared by the
// client and the simulator has to be made twice to go unnoticed.
//
// It is built to serve fleets of tens of thousands of deployments: lookups
// are map-based, list pages are sliced from a sorted index without copying
// the rest of the fleet, and state transitions are computed lazily from
// timestamps when a deployment is read, not by a timer per deployment.
//
// Where the API documentation is unsure, the simulator takes the stricter
// reading and says so in a comment marked "Stricter choice".
package sim
