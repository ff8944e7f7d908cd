package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// maxExact is the largest integer the queue stores exactly. River's
// database/sql driver (the one that lets jobs share bun's transactions) passes
// args through a float64 on their way into jsonb, so larger integers — every
// Discord snowflake — come back rounded: a job would act on another guild.
const maxExact = 1 << 53

// exactArgs refuses, at insert time, job args holding an integer the queue
// would round. Snowflakes must be encoded as strings (`json:"guild_id,string"`).
type exactArgs struct {
	river.MiddlewareDefaults
}

func (*exactArgs) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams,
	doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range params {
		if err := CheckExactArgs(p.EncodedArgs); err != nil {
			return nil, fmt.Errorf("job %s: %w", p.Kind, err)
		}
	}
	return doInner(ctx)
}

// CheckExactArgs reports the first integer in encoded args that the queue
// cannot store exactly.
func CheckExactArgs(encoded []byte) error {
	dec := json.NewDecoder(bytes.NewReader(encoded))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decode args: %w", err)
	}
	return checkExact("", v)
}

func checkExact(path string, v any) error {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if err := checkExact(path+"."+k, e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range t {
			if err := checkExact(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
	case json.Number:
		n, ok := new(big.Int).SetString(t.String(), 10)
		if ok && n.CmpAbs(big.NewInt(maxExact)) > 0 {
			return fmt.Errorf("field %s holds %s, larger than the queue stores exactly; encode it as a string (`json:\",string\"`)",
				path[1:], t)
		}
	}
	return nil
}
