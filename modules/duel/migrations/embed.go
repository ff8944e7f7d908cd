// Package migrations holds duel's SQL migrations.
package migrations

import "embed"

// FS is applied as module "duel" after pairhome's migrations.
//
//go:embed *.sql
var FS embed.FS
