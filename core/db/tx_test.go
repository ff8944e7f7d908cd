package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/together-bot/together/core/db"
	"github.com/together-bot/together/core/db/dbtest"
)

func TestTransact(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if _, err := d.Bun.ExecContext(ctx, `CREATE TABLE notes (id bigserial PRIMARY KEY, body text UNIQUE)`); err != nil {
		t.Fatal(err)
	}
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
