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
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := notifyInterrupt(context.Background(), os.Stderr, func() { os.Exit(130) })
	defer stop()
	os.Exit(run(ctx, os.Args[1:], osEnv()))
}

// osEnv is the env of the running process.
func osEnv() *env {
	return &env{
		getenv:    os.Getenv,
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// notifyInterrupt returns a context cancelled by the first SIGINT or
// SIGTERM, which lets apply wind down (no new calls, calls in flight get a
// grace period, every deployment reported); the second signal calls exit
// at once. One channel, registered before anything runs, receives both, so
// a second signal that follows the first closely is never lost (with
// signal.NotifyContext plus a later signal.Notify it could be).
func notifyInterrupt(parent context.Context, stderr io.Writer, exit func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
		io.WriteString(stderr, "capctl: interrupted: starting no new calls, finishing those in flight; interrupt again to exit at once\n")
		cancel()
		<-ch
		io.WriteString(stderr, "capctl: second interrupt, exiting now\n")
		exit()
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel()
	}
}
