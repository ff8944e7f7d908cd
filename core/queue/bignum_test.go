package queue_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/riverqueue/river"
)

type bigArgs struct {
	GuildID uint64 `json:"guild_id,string"`
}

type roundedArgs struct {
	GuildID uint64 `json:"guild_id"`
}

func (roundedArgs) Kind() string { return "test.rounded" }

func TestInsertRefusesIntegersTheQueueWouldRound(t *testing.T) {
	t.Parallel()
	_, ins := newInserter(t)
	if _, err := ins.Insert(context.Background(), roundedArgs{GuildID: 1575903321699385344}, nil); err == nil ||
		!strings.Contains(err.Error(), "field guild_id holds 1575903321699385344") {
		t.Fatalf("a snowflake number was accepted: %v", err)
	}
	if _, err := ins.Insert(context.Background(), roundedArgs{GuildID: 42}, nil); err != nil {
		t.Fatalf("a small number was refused: %v", err)
	}
}

func (bigArgs) Kind() string { return "test.big" }

// Snowflakes exceed float64's exact range; a job must get its ids back intact.
func TestSnowflakeArgsSurviveTheQueue(t *testing.T) {
	t.Parallel()
	_, ins := newInserter(t)
	const id = uint64(1575903321699385344)
	for name, insert := range map[string]func() (int64, error){
		"insert": func() (int64, error) {
			res, err := ins.Insert(context.Background(), bigArgs{GuildID: id}, nil)
			if err != nil {
				return 0, err
			}
			return res.Job.ID, nil
		},
		"insert many": func() (int64, error) {
			res, err := ins.River.InsertMany(context.Background(), []river.InsertManyParams{{Args: bigArgs{GuildID: id}, InsertOpts: &river.InsertOpts{Queue: "test"}}})
			if err != nil {
				return 0, err
			}
			return res[0].Job.ID, nil
		},
	} {
		jobID, err := insert()
		if err != nil {
			t.Fatal(err)
		}
		job, err := ins.River.JobGet(context.Background(), jobID)
		if err != nil {
			t.Fatal(err)
		}
		var got bigArgs
		if err := json.Unmarshal(job.EncodedArgs, &got); err != nil || got.GuildID != id {
			t.Errorf("%s: stored %s, decoded %d (%v)", name, job.EncodedArgs, got.GuildID, err)
		}
	}
}
