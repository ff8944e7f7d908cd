// Package db opens Postgres once and exposes it three ways over one pool: pgx for
// the queue listener and migrations, database/sql for River's transactions, and
// bun for module stores. Because bun and River share the *sql.DB, a business write
// and a job insert can commit in one transaction (River's InsertTx takes bun.Tx.Tx).
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// DB bundles the views of one connection pool.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	Bun  *bun.DB
}

// Options tune the pool; zero values pick sensible defaults.
type Options struct {
	MaxConns int32
	// SearchPath pins unqualified names to a schema (tests use one schema each).
	SearchPath string
}

// Open parses url and builds the pool. It does not wait for Postgres to be up:
// the process must start (and report db: "fail") while the database is down.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if cfg.MaxConns < 20 {
		cfg.MaxConns = 20
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 5*time.Second {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	if opts.SearchPath != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.SearchPath
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "together"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	return &DB{Pool: pool, SQL: sqlDB, Bun: bun.NewDB(sqlDB, pgdialect.New())}, nil
}

// Close releases every connection.
func (d *DB) Close() {
	_ = d.Bun.Close()
	d.Pool.Close()
}

// Ping checks the database answers within the context's deadline.
func (d *DB) Ping(ctx context.Context) error {
	return d.Pool.Ping(ctx)
}

// InTx runs fn in one transaction, committing when it returns nil.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.Bun.RunInTx(ctx, nil, fn)
}

// Transact is InTx for work that produces two results, typically the row it
// wrote and whether it wrote it: the caller gets them back instead of
// setting variables from inside the closure. When the transaction fails
// (fn's error or the commit's) the results are zero.
func Transact[A, B any](ctx context.Context, d *DB, fn func(ctx context.Context, tx bun.Tx) (A, B, error)) (A, B, error) {
	var (
		a A
		b B
	)
	err := d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		a, b, err = fn(ctx, tx)
		return err
	})
	if err != nil {
		var zeroA A
		var zeroB B
		return zeroA, zeroB, err
	}
	return a, b, nil
}

// IsUniqueViolation reports a unique or exclusion constraint conflict, optionally
// on one named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || (pgErr.Code != "23505" && pgErr.Code != "23P01") {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// IsNoRows reports an empty single-row result from pgx or database/sql.
func IsNoRows(err error) bool {
	return errors.Is(err, pgx.ErrNoRows) || errors.Is(err, sql.ErrNoRows)
}

// IsUnavailable reports errors that mean "Postgres cannot be reached right now"
// (refused, reset, timed out) rather than a problem with the query.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P0x: the server is shutting down or starting.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0")
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
