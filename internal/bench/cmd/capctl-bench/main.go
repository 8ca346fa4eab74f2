// Command capctl-bench runs capctl's end-to-end benchmarks against the
// bundled simulator and prints a table; make bench runs it.
//
//	capctl-bench -bin ./bin -out docs/benchmarks.md [-only REGEX] [-quick]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/capctl/capctl/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("capctl-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "bin", "directory holding the capctl and dashscope-sim binaries")
	out := fs.String("out", "", "also write the report as Markdown to this file")
	only := fs.String("only", "", "run only the scenarios matching this regular expression")
	quick := fs.Bool("quick", false, "shrink every fleet about 10× for a smoke test")
	timeout := fs.Duration("timeout", bench.DefaultTimeout, "interrupt a capctl run that takes longer; its row fails")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var re *regexp.Regexp
	if *only != "" {
		var err error
		if re, err = regexp.Compile(*only); err != nil {
			fmt.Fprintf(stderr, "capctl-bench: -only: %v\n", err)
			return 2
		}
	}
	rep, err := measure(ctx, *bin, re, *quick, *timeout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "capctl-bench: %v\n", err)
		return 1
	}
	rep.Only = *only
	if err := rep.WriteText(stdout); err != nil {
		return 1
	}
	if *out != "" {
		var b bytes.Buffer
		if err := rep.WriteMarkdown(&b); err != nil {
			return 1
		}
		if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
			fmt.Fprintf(stderr, "capctl-bench: %v\n", err)
			return 1
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "capctl-bench: interrupted; the report is partial")
		return 130
	}
	return 0
}

// measure runs the benchmarks with the binaries in bin.
func measure(ctx context.Context, bin string, only *regexp.Regexp, quick bool, timeout time.Duration, log io.Writer) (bench.Report, error) {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return bench.Report{}, err
	}
	for _, name := range []string{"capctl", "dashscope-sim"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			return bench.Report{}, fmt.Errorf("%w (run make build)", err)
		}
	}
	dir, err := os.MkdirTemp("", "capctl-bench-")
	if err != nil {
		return bench.Report{}, err
	}
	defer os.RemoveAll(dir)
	e := &bench.Env{Bin: bin, Dir: dir, Quick: quick, Log: log, Timeout: timeout,
		HasRate: bench.DetectRate(ctx, filepath.Join(bin, "capctl"))}
	start := time.Now()
	rep := bench.Report{Machine: bench.ThisMachine(start), Quick: quick, HasRate: e.HasRate, Timeout: timeout}
	rep.Results = bench.Run(ctx, e, only)
	rep.Elapsed = time.Since(start)
	rep.Machine.LoadEnd = bench.LoadAverage()
	return rep, nil
}
