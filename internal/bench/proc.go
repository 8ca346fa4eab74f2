package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Proc is what one measured child process did.
type Proc struct {
	Wall time.Duration
	// PeakRSSKB is the child's maximum resident set in KiB (Linux
	// getrusage ru_maxrss).
	PeakRSSKB int64
	ExitCode  int
	// Stderr is the tail of what the child wrote to stderr.
	Stderr string
	// TimedOut says the child ran out of time and was interrupted.
	TimedOut bool
}

// Measure runs bin with args and env, its stdout discarded, and measures
// its wall time from start to exit and its peak RSS. A non-zero exit is
// not an error; failing to start is.
func Measure(ctx context.Context, bin string, args, env []string) (Proc, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	// On cancellation, interrupt as a user would, so capctl can report;
	// kill it if it does not exit soon after.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	stderr := &tail{max: 4096}
	cmd.Stderr = stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Proc{}, err
	}
	err := cmd.Wait()
	p := Proc{Wall: time.Since(start), Stderr: strings.TrimSpace(stderr.String())}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.PeakRSSKB = int64(ru.Maxrss)
	}
	p.ExitCode = cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return p, err
	}
	if ctx.Err() != nil {
		return p, ctx.Err()
	}
	return p, nil
}

// Failure describes a non-zero exit for a table note, with the last line
// of stderr.
func (p Proc) Failure() string {
	msg := fmt.Sprintf("exit %d", p.ExitCode)
	if p.TimedOut {
		msg = fmt.Sprintf("timed out after %s, interrupted, exit %d", FormatDuration(p.Wall), p.ExitCode)
	}
	if lines := strings.Split(p.Stderr, "\n"); p.Stderr != "" {
		msg += ": " + lines[len(lines)-1]
	}
	return msg
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.buf) }

// childEnv returns the environment capctl runs with: this process's,
// without CAPCTL_ variables and colour, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAPCTL_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "NO_COLOR=1"), extra...)
}
