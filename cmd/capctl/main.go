// Command capctl keeps the capacity of DashScope (Alibaba Cloud Model Studio)
// model deployments equal to what reviewed CUE files declare.
//
//	capctl validate [PATH...]   check the files against the schema, offline
//	capctl plan [PATH...]       show what would change against live state
//	capctl apply [PATH...]      change it, many deployments at once
//	capctl import --workspace   print CUE for what is live
//
// Run `capctl --help` for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go exitOnSecondSignal(ctx)
	os.Exit(run(ctx, os.Args[1:], &env{
		getenv:    os.Getenv,
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}))
}

// exitOnSecondSignal waits for the first signal (which cancels ctx and lets
// apply wind down) and exits at once on the second.
func exitOnSecondSignal(ctx context.Context) {
	<-ctx.Done()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
	os.Stderr.WriteString("capctl: second interrupt, exiting now\n")
	os.Exit(130)
}
