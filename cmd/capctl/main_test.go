package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/term"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"capctl": func() { os.Exit(mainForTest()) },
	})
}

// mainForTest is main without signal handling beyond the context, so
// scripts run the real command path.
func mainForTest() int {
	return run(context.Background(), os.Args[1:], &env{
		getenv:    os.Getenv,
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())) || os.Getenv("CAPCTL_TEST_TTY") != "",
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	})
}

// TestScripts runs the CLI scripts in testdata/script against the real
// binary and an in-process simulator.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata/script",
		Setup: setupScript,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"sim":    cmdSim,
			"status": cmdStatus,
			"badapi": cmdBadAPI,
		},
	})
}
