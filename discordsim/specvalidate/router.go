package specvalidate

import (
	"net/url"
	"strings"
)

// router maps concrete paths to the spec's route templates. It is a trie of
// path segments where a literal segment ("@me", "@original", "bulk-delete")
// is tried before a parameter, as Discord routes them.
type router struct{ root *node }

type node struct {
	literal   map[string]*node
	param     *node
	paramName string   // name of the parameter when this node is a param child
	route     string   // template ending at this node, if any
	methods   []string // methods defined for route
}

func newRouter() *router { return &router{root: &node{}} }

func (r *router) add(route string, methods []string) {
	n := r.root
	for _, seg := range splitPath(route) {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if n.param == nil {
				n.param = &node{paramName: seg[1 : len(seg)-1]}
			}
			n = n.param
			continue
		}
		if n.literal == nil {
			n.literal = make(map[string]*node)
		}
		child, ok := n.literal[seg]
		if !ok {
			child = &node{}
			n.literal[seg] = child
		}
		n = child
	}
	n.route = route
	n.methods = append(n.methods, methods...)
}

// match finds the template of a concrete path. Parameter values are
// returned percent-decoded.
func (r *router) match(path string) (*node, map[string]string) {
	segs := splitPath(path)
	var values []string
	end := r.root.walk(segs, &values)
	if end == nil {
		return nil, nil
	}
	params := make(map[string]string, len(values)/2)
	for i := 0; i+1 < len(values); i += 2 {
		params[values[i]] = values[i+1]
	}
	return end, params
}

// walk descends depth-first, literal before parameter, backtracking when a
// literal branch dead-ends (e.g. "/users/@me/x" when only "/users/{id}/x"
// exists). values collects name, value pairs of matched parameters.
func (n *node) walk(segs []string, values *[]string) *node {
	if len(segs) == 0 {
		if n.route == "" {
			return nil
		}
		return n
	}
	seg := segs[0]
	if child, ok := n.literal[seg]; ok {
		if end := child.walk(segs[1:], values); end != nil {
			return end
		}
	}
	if n.param == nil || seg == "" {
		return nil
	}
	value, err := url.PathUnescape(seg)
	if err != nil {
		value = seg
	}
	mark := len(*values)
	*values = append(*values, n.param.paramName, value)
	if end := n.param.walk(segs[1:], values); end != nil {
		return end
	}
	*values = (*values)[:mark]
	return nil
}

// splitPath strips an optional "/api" or "/api/vN" prefix and trailing
// slash and splits the rest into segments.
func splitPath(path string) []string {
	path = strings.TrimSuffix(path, "/")
	if rest, ok := strings.CutPrefix(path, "/api"); ok && (rest == "" || rest[0] == '/') {
		path = rest
		if len(rest) > 2 && rest[1] == 'v' {
			if i := strings.IndexByte(rest[1:], '/'); i > 0 {
				if isDigits(rest[2 : i+1]) {
					path = rest[i+1:]
				}
			} else if isDigits(rest[2:]) {
				path = ""
			}
		}
	}
	path = strings.TrimPrefix(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
