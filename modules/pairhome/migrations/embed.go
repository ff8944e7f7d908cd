// Package migrations holds pairhome's SQL migrations.
package migrations

import "embed"

// FS is applied as module "pairhome" after the core's migrations.
//
//go:embed *.sql
var FS embed.FS
