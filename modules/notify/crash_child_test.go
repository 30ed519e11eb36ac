package notify_test

// crashChild runs the crash test's child process when the test binary is started as one;
// filled in with the exactly-once test.
func crashChild() bool { return false }
