package db_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
	"github.com/uptrace/bun"
)

// withTable is a test schema after the statements that make its table.
func withTable(t *testing.T, statements ...string) *db.DB {
	t.Helper()
	d := dbtest.New(t)
	for _, q := range statements {
		if _, err := d.Bun.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestQueryHelpers(t *testing.T) {
	d := withTable(t, `CREATE TABLE points (pair_id bigint, points int, tag text)`,
		`INSERT INTO points VALUES (1, 5, 'a'), (2, 7, 'b'), (3, 1, 'a')`)
	ctx := context.Background()

	ids, err := db.Query(ctx, d.Bun, db.Scan[int64], `SELECT pair_id FROM points WHERE points > ? ORDER BY pair_id`, 2)
	if err != nil || !slices.Equal(ids, []int64{1, 2}) {
		t.Fatalf("Query(Scan) = %v, %v; want [1 2]", ids, err)
	}
	none, err := db.Query(ctx, d.Bun, db.Scan[int64], `SELECT pair_id FROM points WHERE points > 100`)
	if err != nil || len(none) != 0 {
		t.Fatalf("Query with no rows = %v, %v", none, err)
	}
	byPair, err := db.QueryMap[int64, int](ctx, d.Bun, `SELECT pair_id, points FROM points`)
	if err != nil || !maps.Equal(byPair, map[int64]int{1: 5, 2: 7, 3: 1}) {
		t.Fatalf("QueryMap = %v, %v", byPair, err)
	}
	tags, err := db.QuerySet[string](ctx, d.Bun, `SELECT tag FROM points`)
	if err != nil || !maps.Equal(tags, map[string]bool{"a": true, "b": true}) {
		t.Fatalf("QuerySet = %v, %v", tags, err)
	}

	// A failing query and a failing scan both come back as errors.
	if _, err := db.Query(ctx, d.Bun, db.Scan[int64], `SELECT nope FROM points`); err == nil {
		t.Fatal("a bad query gave no error")
	}
	if _, err := db.QuerySet[int64](ctx, d.Bun, `SELECT tag FROM points`); err == nil {
		t.Fatal("scanning text into int64 gave no error")
	}
	errStop := errors.New("stop")
	_, err = db.Query(ctx, d.Bun, func(db.Scanner) (int, error) { return 0, errStop }, `SELECT 1`)
	if !errors.Is(err, errStop) {
		t.Fatalf("scan error = %v, want %v", err, errStop)
	}

	// QueryRow: the row, the caller's "missing" for no row, other errors
	// wrapped with what was being read.
	errMissing := errors.New("no such pair")
	pts, err := db.QueryRow(ctx, d.Bun, db.Scan[int], errMissing, "points of pair 2", `SELECT points FROM points WHERE pair_id = ?`, 2)
	if err != nil || pts != 7 {
		t.Fatalf("QueryRow = %d, %v; want 7", pts, err)
	}
	if _, err := db.QueryRow(ctx, d.Bun, db.Scan[int], errMissing, "points of pair 9", `SELECT points FROM points WHERE pair_id = 9`); !errors.Is(err, errMissing) || err.Error() != errMissing.Error() {
		t.Fatalf("QueryRow of no row = %v, want %v as it is", err, errMissing)
	}
	_, err = db.QueryRow(ctx, d.Bun, db.Scan[int], errMissing, "points of pair 1", `SELECT tag FROM points WHERE pair_id = 1`)
	if err == nil || errors.Is(err, errMissing) || !strings.HasPrefix(err.Error(), "points of pair 1: ") {
		t.Fatalf("QueryRow scan failure = %v, want it wrapped with what was read", err)
	}
}

func TestTransact(t *testing.T) {
	d := withTable(t, `CREATE TABLE notes (id bigserial PRIMARY KEY, body text UNIQUE)`)
	ctx := context.Background()
	insert := func(body string, fail error) (int64, bool, error) {
		return db.Transact(ctx, d, func(ctx context.Context, tx bun.Tx) (int64, bool, error) {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO notes (body) VALUES (?) RETURNING id`, body).Scan(&id); err != nil {
				return 0, false, err
			}
			return id, true, fail
		})
	}
	count := func() int {
		var n int
		if err := d.Bun.QueryRowContext(ctx, `SELECT count(*) FROM notes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	id, wrote, err := insert("first", nil)
	if err != nil || id == 0 || !wrote || count() != 1 {
		t.Fatalf("committed insert = %d, %v, %v with %d rows; want an id, true, nil and 1 row", id, wrote, err, count())
	}

	// fn's error rolls the insert back and the results are zero, whatever
	// fn returned beside it.
	errStop := errors.New("stop")
	id, wrote, err = insert("second", errStop)
	if !errors.Is(err, errStop) || id != 0 || wrote || count() != 1 {
		t.Fatalf("failed insert = %d, %v, %v with %d rows; want 0, false, stop and 1 row", id, wrote, err, count())
	}

	// A statement that fails is the transaction's error.
	if _, _, err = insert("first", nil); !db.IsUniqueViolation(err, "") {
		t.Fatalf("duplicate insert err = %v, want a unique violation", err)
	}
}
