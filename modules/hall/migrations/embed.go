// Package migrations holds hall's SQL migrations.
package migrations

import "embed"

// FS is applied as module "hall" after pairhome's migrations.
//
//go:embed *.sql
var FS embed.FS
