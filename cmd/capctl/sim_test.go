package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/capctl/capctl/internal/sim"
)

// repoRoot is the repository root, for scripts that use the examples.
var repoRoot, _ = filepath.Abs("../..")

// simHolder keeps one script's simulator.
type simHolder struct {
	srv  *sim.Server
	http *httptest.Server
}

// setupScript gives each script a fresh simulator holder, a copy of the
// shared fleet in $WORK/common and an environment free of real keys.
func setupScript(env *testscript.Env) error {
	if err := os.CopyFS(filepath.Join(env.WorkDir, "common"), os.DirFS("testdata/common")); err != nil {
		return err
	}
	env.Setenv("REPO", repoRoot)
	// A race-enabled binary sleeps a second at exit by default; scripts run
	// it hundreds of times.
	env.Setenv("GORACE", "atexit_sleep_ms=0")
	h := &simHolder{}
	env.Values["sim"] = h
	env.Defer(func() {
		if h.http != nil {
			h.http.Close()
		}
	})
	// Keep the real environment's keys and endpoint out of the scripts.
	for _, k := range []string{"CAPCTL_ENDPOINT", "DASHSCOPE_API_KEY", "NO_COLOR", "GITHUB_STEP_SUMMARY"} {
		env.Setenv(k, "")
	}
	return nil
}

// cmdSim drives the in-process simulator from a script:
//
//	sim start [-latency D] [-p429 P] [-p5xx P] [-pdrop P] [-rate R] [-burst N] [-update-delay D] SEED.json
//	sim dump                      one line per deployment, sorted
//	sim calls                     call counts: list, get, scale, max in flight
//	sim scales WS/ID              scale calls received for one deployment
//	sim put KEY WS ID CAPACITY    scale a deployment behind capctl's back
//	sim stop
func cmdSim(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("sim does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: sim start|dump|calls|scales|put|stop")
	}
	h := ts.Value("sim").(*simHolder)
	if args[0] != "start" && h.srv == nil {
		ts.Fatalf("sim %s: not started", args[0])
	}
	switch args[0] {
	case "start":
		simStart(ts, h, args[1:])
	case "dump":
		simDump(ts, h)
	case "calls":
		st := h.srv.Stats()
		fmt.Fprintf(ts.Stdout(), "list=%d get=%d scale=%d max_in_flight=%d\n",
			st.Calls["GET /api/v1/deployments"], st.Calls["GET /api/v1/deployments/{id}"],
			st.Calls["PUT /api/v1/deployments/{id}/scale"], st.MaxInFlight)
	case "scales":
		fmt.Fprintf(ts.Stdout(), "%d\n", h.srv.Stats().Scales[args[1]])
	case "put":
		simPut(ts, h, args[1:])
	case "stop":
		h.http.Close()
	default:
		ts.Fatalf("sim: unknown subcommand %q", args[0])
	}
}

func simStart(ts *testscript.TestScript, h *simHolder, args []string) {
	fs := flag.NewFlagSet("sim start", flag.ContinueOnError)
	fs.SetOutput(ts.Stderr())
	var cfg sim.Config
	cfg.RegisterFlags(fs)
	ts.Check(fs.Parse(args))
	if fs.NArg() != 1 {
		ts.Fatalf("usage: sim start [flags] SEED.json")
	}
	seed, err := sim.LoadSeed(ts.MkAbs(fs.Arg(0)))
	ts.Check(err)
	h.srv, err = sim.New(cfg, seed)
	ts.Check(err)
	h.http = httptest.NewServer(h.srv)
	ts.Setenv("CAPCTL_ENDPOINT", h.http.URL)
	ts.Setenv("SIM_URL", h.http.URL)
}

func simDump(ts *testscript.TestScript, h *simHolder) {
	var lines []string
	for _, d := range h.srv.Dump() {
		s := fmt.Sprintf("%s/%s %s %s", d.WorkspaceID, d.DeployedModel, d.Plan, d.Status)
		if d.Capacity != nil {
			s += " capacity=" + strconv.Itoa(*d.Capacity)
		}
		if d.ReadyCapacity != nil {
			s += " ready=" + strconv.Itoa(*d.ReadyCapacity)
		}
		if p := d.PTUCapacity; p != nil {
			s += fmt.Sprintf(" input_tpm=%d output_tpm=%d", p.InputTPM, p.OutputTPM)
			if p.ThinkingOutputTPM != nil {
				s += fmt.Sprintf(" thinking_output_tpm=%d", *p.ThinkingOutputTPM)
			}
		}
		lines = append(lines, s)
	}
	sort.Strings(lines)
	fmt.Fprintln(ts.Stdout(), strings.Join(lines, "\n"))
}

func simPut(ts *testscript.TestScript, h *simHolder, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: sim put KEY WS ID CAPACITY")
	}
	n, err := strconv.Atoi(args[3])
	ts.Check(err)
	body, _ := json.Marshal(map[string]int{"capacity": n})
	req, err := http.NewRequest(http.MethodPut, h.http.URL+"/api/v1/deployments/"+args[2]+"/scale", bytes.NewReader(body))
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+args[0])
	req.Header.Set("X-DashScope-WorkSpace", args[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("sim put: %s", resp.Status)
	}
}
