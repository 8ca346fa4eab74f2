package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/alecthomas/kong"
)

// version and commit are set at build time with -ldflags -X.
var (
	version = "dev"
	commit  = "unknown"
)

// env is the process's outside world, passed in so tests can fake it.
type env struct {
	getenv                         func(string) string
	stdin                          io.Reader
	stdout, stderr                 io.Writer
	stdinTTY, stdoutTTY, stderrTTY bool
}

// Globals are the flags every command takes.
type Globals struct {
	Workspace   []string `help:"Only these workspaces (repeatable)." placeholder:"ID"`
	Target      []string `help:"Only deployments whose id matches GLOB (repeatable, path.Match syntax)." placeholder:"GLOB"`
	Endpoint    string   `help:"One API host for every workspace, e.g. a simulator or proxy." env:"CAPCTL_ENDPOINT" placeholder:"URL"`
	Parallelism int      `help:"Most API calls in flight at once, over all workspaces." default:"10" env:"CAPCTL_PARALLELISM"`
	Output      string   `short:"o" help:"Output format: ${enum}." enum:"text,json,markdown,github" default:"text"`
	NoColor     bool     `help:"No colour (also off when NO_COLOR is set or stdout is not a terminal)."`
	LogLevel    string   `help:"Log level on stderr: ${enum}." enum:"debug,info,warn,error" default:"warn"`

	RequestTimeout time.Duration `help:"Longest one API request may take, reading the answer included; a request that runs out is retried like a lost connection." default:"30s" env:"CAPCTL_REQUEST_TIMEOUT"`
}

// CLI is the command tree.
type CLI struct {
	Globals

	Validate ValidateCmd `cmd:"" help:"Check capacity files against the schema (offline, no keys needed)."`
	Plan     PlanCmd     `cmd:"" help:"Show what would change against live state."`
	Apply    ApplyCmd    `cmd:"" help:"Scale deployments to the capacity the files declare."`
	Import   ImportCmd   `cmd:"" help:"Print CUE for the deployments that are live in a workspace."`
	Version  VersionCmd  `cmd:"" help:"Print version, commit and Go version."`
}

const description = `capctl keeps the capacity of DashScope model deployments equal to what
reviewed CUE files declare.

Exit codes: 0 success; 1 error or invalid input; 2 changes present (plan
--detailed-exitcode); 130 interrupted.`

// exitCode is an error whose message has already been printed; only the
// process exit code is left to report.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// ExitCode lets kong and run read the code.
func (e exitCode) ExitCode() int { return int(e) }

// kongExit carries kong's exit request (after --help, or a usage error)
// through a panic so run can return instead of exiting the process.
type kongExit struct{ code int }

// run parses args, runs the command and returns the process exit code.
func run(ctx context.Context, args []string, e *env) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("capctl"),
		kong.Description(description),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Writers(e.stdout, e.stderr),
		kong.Exit(func(c int) { panic(kongExit{c}) }),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Bind(e),
	)
	if err != nil {
		fmt.Fprintf(e.stderr, "capctl: %v\n", err)
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			ke, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			code = ke.code
			if code > 1 && code != 130 {
				code = 1 // usage errors share exit 1 with every other error
			}
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "capctl: %v\n", err)
		return 1
	}
	if err := kctx.Run(&cli.Globals); err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			return int(ec)
		}
		fmt.Fprintf(e.stderr, "capctl: %v\n", err)
		return 1
	}
	return 0
}

// logger returns the stderr logger at the chosen level.
func (g *Globals) logger(e *env) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(g.LogLevel))
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: lvl}))
}

// color reports whether stdout output may use ANSI colour.
func (g *Globals) color(e *env) bool {
	return e.stdoutTTY && !g.NoColor && e.getenv("NO_COLOR") == ""
}

// VersionCmd prints version information.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(e *env) error {
	fmt.Fprintf(e.stdout, "capctl %s (commit %s, %s)\n", version, commit, goVersion())
	return nil
}
