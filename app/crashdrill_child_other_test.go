//go:build !linux

package main

import "os/exec"

// dieWithTest: only Linux can tie a child's life to its parent; elsewhere
// the drill's cleanup stops the bot.
func dieWithTest(*exec.Cmd) {}
