package discordsim

import (
	"strings"
	"testing"
)

// TestEmulatedRoutesAreInSpec guards against a route the validator does not
// know: its bodies would go unvalidated and its rate limit unnamed.
func TestEmulatedRoutesAreInSpec(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range srv.routes {
		var segs []string
		for i, seg := range rt.segs {
			if strings.HasPrefix(seg, "{") {
				seg = "1234567890123456" + string(rune('0'+i%10))
				if strings.Contains(rt.segs[i], "token") {
					seg = "sometoken"
				}
			}
			segs = append(segs, seg)
		}
		path := "/" + strings.Join(segs, "/")
		route, _, ok := srv.validator.Match(rt.method, path)
		if !ok {
			t.Errorf("%s %s (%s) not in the OpenAPI spec", rt.method, rt.template, path)
			continue
		}
		if route != rt.template {
			t.Errorf("%s %s: spec names it %s", rt.method, rt.template, route)
		}
	}
}
