package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopChild stops a server started by this package: it signals it with sig, waits up to
// timeout for exited to close, then kills its whole process group (children start with
// Setpgid). waitErr reports how the process ended; ignoreExit drops that report after our own
// signal (servers that exit non-zero on SIGTERM).
func stopChild(name string, cmd *exec.Cmd, exited <-chan struct{}, waitErr func() error, sig syscall.Signal, timeout time.Duration, ignoreExit bool) error {
	select {
	case <-exited:
		if err := waitErr(); err != nil {
			return fmt.Errorf("localstack: %s had already exited: %w", name, err)
		}
		return nil
	default:
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("localstack: signalling %s (pid %d): %w", name, cmd.Process.Pid, err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-exited:
		if err := waitErr(); err != nil && !ignoreExit {
			return fmt.Errorf("localstack: %s shutdown: %w", name, err)
		}
		return nil
	case <-timer.C:
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("localstack: killing %s (pid %d): %w", name, cmd.Process.Pid, err)
	}
	<-exited
	return fmt.Errorf("localstack: %s did not shut down within %s and was killed", name, timeout)
}

// waitHTTP waits until newRequest's request answers 200 (the child process name is ready),
// polling every interval for 30 s at most; it gives up as soon as the child exits (its
// error and log then said) or ctx ends.
func waitHTTP(ctx context.Context, name string, newRequest func(context.Context) *http.Request, interval time.Duration,
	exited <-chan struct{}, waitErr func() error, logPath string) error {
	deadline := time.Now().Add(30 * time.Second) // clock-ok: a start-up timeout
	for {
		if res, err := http.DefaultClient.Do(newRequest(ctx)); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("localstack: %s exited during startup: %v (see %s)", name, waitErr(), logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
		if time.Now().After(deadline) { // clock-ok
			return fmt.Errorf("localstack: %s did not answer within 30 s (see %s)", name, logPath)
		}
	}
}
