package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Scanner is one row: *sql.Row and *sql.Rows both are.
type Scanner interface{ Scan(dest ...any) error }

// Query runs query on idb and reads every row with scan, closing the rows.
// Callers wrap its error with what they were reading.
func Query[T any](ctx context.Context, idb bun.IDB, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := idb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryRow runs a query for one row and reads it with scan. No row is
// missing, returned as it is (typically a refusal: "no active duel"); any
// other error is wrapped with what, the caller's reading.
func QueryRow[T any](ctx context.Context, idb bun.IDB, scan func(Scanner) (T, error), missing error, what, query string,
	args ...any) (T, error) {
	v, err := scan(idb.QueryRowContext(ctx, query, args...))
	if IsNoRows(err) {
		var zero T
		return zero, missing
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// Scan reads a one-column row as a T: db.Query(ctx, idb, db.Scan[int64], ...).
func Scan[T any](row Scanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// Pair is a two-column row.
type Pair[K, V any] struct {
	Key   K
	Value V
}

// ScanPair reads a two-column row.
func ScanPair[K, V any](row Scanner) (Pair[K, V], error) {
	var p Pair[K, V]
	err := row.Scan(&p.Key, &p.Value)
	return p, err
}

// QueryMap runs a two-column query into a map from the first column to the
// second (a later row with the same key wins).
func QueryMap[K comparable, V any](ctx context.Context, idb bun.IDB, query string, args ...any) (map[K]V, error) {
	pairs, err := Query(ctx, idb, ScanPair[K, V], query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[K]V, len(pairs))
	for _, p := range pairs {
		out[p.Key] = p.Value
	}
	return out, nil
}

// QuerySet runs a one-column query into the set of its values.
func QuerySet[K comparable](ctx context.Context, idb bun.IDB, query string, args ...any) (map[K]bool, error) {
	keys, err := Query(ctx, idb, Scan[K], query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[K]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}
