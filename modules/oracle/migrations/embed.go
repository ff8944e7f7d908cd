// Package migrations holds the oracle module's SQL migrations.
package migrations

import "embed"

// FS is applied as module "oracle", after the core's migrations.
//
//go:embed *.sql
var FS embed.FS
