// Command dashscope-sim serves a simulated DashScope (Model Studio)
// deployments API on loopback, for tests, demos and benchmarks of capctl.
//
// Run it with a seed file and point capctl (or curl) at the printed URL:
//
//	dashscope-sim -seed examples/sim-seed.json -update-delay 2s -url-file /tmp/sim.url
//	dashscope-sim listening on http://127.0.0.1:41234
//
//	curl -H 'Authorization: Bearer sk-demo-prod' http://127.0.0.1:41234/api/v1/deployments?page_size=2
//	curl -X PUT -H 'Authorization: Bearer sk-demo-prod' -d '{"capacity": 4}' \
//	    http://127.0.0.1:41234/api/v1/deployments/qwen-plus-mu-01/scale
//	curl http://127.0.0.1:41234/_sim/dump      # state of every deployment
//	curl http://127.0.0.1:41234/_sim/stats     # calls, scales, faults, max in flight
//	curl -X POST http://127.0.0.1:41234/_sim/reset-stats
//
// Faults: -latency, -latency-jitter, -p429, -p5xx, -pdrop (probabilities per
// request), -retry-after, and a server-side rate limit with -rate and -burst.
// -rand-seed makes the fault decisions repeatable. It listens on
// 127.0.0.1 on a free port unless -addr says otherwise, and stops cleanly on
// SIGINT or SIGTERM. The seed format is documented on sim.Seed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/capctl/capctl/internal/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, serves until ctx ends, and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dashscope-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg sim.Config
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback by default)")
	seedPath := fs.String("seed", "", "seed file (JSON); empty fleet when not given")
	urlFile := fs.String("url-file", "", "write the base URL to this file once listening")
	cfg.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dashscope-sim: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if err := serve(ctx, cfg, *addr, *seedPath, *urlFile, stdout); err != nil {
		fmt.Fprintf(stderr, "dashscope-sim: %v\n", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, cfg sim.Config, addr, seedPath, urlFile string, stdout io.Writer) error {
	var seed sim.Seed
	if seedPath != "" {
		var err error
		if seed, err = sim.LoadSeed(seedPath); err != nil {
			return err
		}
	}
	s, err := sim.New(cfg, seed)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if urlFile != "" {
		if err := writeFileAtomic(urlFile, url+"\n"); err != nil {
			ln.Close()
			return err
		}
	}
	fmt.Fprintf(stdout, "dashscope-sim listening on %s\n", url)

	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// writeFileAtomic writes data so that a script polling for the file never
// reads it half written.
func writeFileAtomic(path, data string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".url-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
