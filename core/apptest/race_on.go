//go:build race

package apptest

// raceEnabled: see Start. disgo v0.19.6's gateway has data races of its own
// (gatewayImpl.heartbeatCancel and the heartbeat timestamps are written by the
// heartbeat goroutine and read by Close without synchronisation), which the
// race detector reports in any test that opens and closes a real connection.
const raceEnabled = true
