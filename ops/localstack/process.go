package localstack

import (
	"errors"
	"fmt"
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
