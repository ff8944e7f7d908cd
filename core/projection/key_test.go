package projection

import (
	"context"
	"testing"

	"github.com/uptrace/bun"
)

// TestRenderByID: a key made by IDKey reaches the render function as the
// row's id; a key that is no id fails without calling it.
func TestRenderByID(t *testing.T) {
	t.Parallel()
	var got []int64
	render := RenderByID(func(_ context.Context, _ bun.IDB, id int64) (Rendered, error) {
		got = append(got, id)
		return Rendered{Gone: true}, nil
	})
	for _, id := range []int64{1, 9007199254740993} {
		if rd, err := render(context.Background(), nil, IDKey(id)); err != nil || !rd.Gone {
			t.Fatalf("key %q: %+v, %v", IDKey(id), rd, err)
		}
	}
	for _, bad := range []string{"", "x1", "1.5"} {
		if _, err := render(context.Background(), nil, bad); err == nil {
			t.Fatalf("key %q rendered", bad)
		}
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 9007199254740993 {
		t.Fatalf("render got ids %v", got)
	}
}
