package queue

import "github.com/together-bot/together/core/module"

// The queue's extension points; the runtime collects them into the Runner.
var (
	// Jobs are job kinds with their workers (built with NewJob).
	Jobs = module.NewPoint[Job]("jobs")
	// Schedules are cron-like schedules stored in core_schedules.
	Schedules = module.NewPoint[Schedule]("schedules")
)
