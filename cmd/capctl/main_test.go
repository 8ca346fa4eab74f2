package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"capctl": func() { os.Exit(mainForTest()) },
	})
}

// mainForTest is main with one addition: CAPCTL_TEST_TTY makes stdin a
// terminal, so scripts can answer the confirmation prompt. It installs the
// same interrupt handling as main, so tests can signal the real command.
func mainForTest() int {
	ctx, stop := notifyInterrupt(context.Background(), os.Stderr, func() { os.Exit(130) })
	defer stop()
	e := osEnv()
	e.stdinTTY = e.stdinTTY || os.Getenv("CAPCTL_TEST_TTY") != ""
	return run(ctx, os.Args[1:], e)
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
