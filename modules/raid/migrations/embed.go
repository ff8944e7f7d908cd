// Package migrations holds raid's SQL migrations.
package migrations

import "embed"

// FS is applied as module "raid" after pairhome's migrations.
//
//go:embed *.sql
var FS embed.FS
