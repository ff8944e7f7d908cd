package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill the bot if the test process dies first
// (a panic or go test's timeout), so no `app run` outlives its drill.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
