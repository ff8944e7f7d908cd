// Package migrations holds the core's SQL migrations.
package migrations

import "embed"

// FS is applied as module "core" before any feature module's migrations.
//
//go:embed *.sql
var FS embed.FS
