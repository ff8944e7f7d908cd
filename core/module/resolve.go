package module

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// UnknownError reports module names the catalog does not know.
type UnknownError struct {
	Names []string
	Valid []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown module(s) %s; valid modules: %s",
		strings.Join(e.Names, ", "), strings.Join(e.Valid, ", "))
}

// CycleError reports a dependency cycle among descriptors.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string {
	return "module dependency cycle: " + strings.Join(e.Path, " -> ")
}

// Catalog is every module this binary was built with.
type Catalog struct {
	byName map[string]Descriptor
	names  []string
}

// NewCatalog validates the descriptors: unique names, known requirements, no cycles.
func NewCatalog(descriptors ...Descriptor) (*Catalog, error) {
	c := &Catalog{byName: map[string]Descriptor{}}
	for _, d := range descriptors {
		if d.Name == "" || strings.ContainsAny(d.Name, ", :|") {
			return nil, fmt.Errorf("module name %q is empty or contains a separator", d.Name)
		}
		if _, dup := c.byName[d.Name]; dup {
			return nil, fmt.Errorf("module %q registered twice", d.Name)
		}
		c.byName[d.Name] = d
		c.names = append(c.names, d.Name)
	}
	sort.Strings(c.names)
	for _, d := range descriptors {
		for _, r := range d.Requires {
			if _, ok := c.byName[r]; !ok {
				return nil, fmt.Errorf("module %q requires unknown module %q", d.Name, r)
			}
		}
	}
	if _, err := c.order(c.names); err != nil {
		return nil, err
	}
	return c, nil
}

// Names lists every module, sorted.
func (c *Catalog) Names() []string { return slices.Clone(c.names) }

// Get returns one descriptor.
func (c *Catalog) Get(name string) (Descriptor, bool) {
	d, ok := c.byName[name]
	return d, ok
}

// Selection is the resolved set of modules a process runs.
type Selection struct {
	// Modules in dependency order: requirements before the modules that need them.
	Modules []Descriptor
	// AddedBy maps each module added only as a requirement to the modules that required it.
	AddedBy map[string][]string
}

// Names returns the selected module names in dependency order.
func (s Selection) Names() []string {
	out := make([]string, len(s.Modules))
	for i, m := range s.Modules {
		out[i] = m.Name
	}
	return out
}

// Has reports whether a module is selected.
func (s Selection) Has(name string) bool {
	for _, m := range s.Modules {
		if m.Name == name {
			return true
		}
	}
	return false
}

// Summary is the one log line operators see at start, e.g.
// "modules: duel, raid, pairhome (required by duel, raid)".
func (s Selection) Summary(requested []string) string {
	parts := slices.Clone(requested)
	var added []string
	for _, m := range s.Modules {
		if by, ok := s.AddedBy[m.Name]; ok {
			added = append(added, fmt.Sprintf("%s (required by %s)", m.Name, strings.Join(by, ", ")))
		}
	}
	return "modules: " + strings.Join(append(parts, added...), ", ")
}

// Resolve selects the requested modules plus everything they require. An empty
// request means every module.
func (c *Catalog) Resolve(requested []string) (Selection, error) {
	if len(requested) == 0 {
		requested = c.names
	}
	var unknown []string
	want := map[string]bool{}
	for _, n := range requested {
		if _, ok := c.byName[n]; !ok {
			unknown = append(unknown, n)
			continue
		}
		want[n] = true
	}
	if len(unknown) > 0 {
		return Selection{}, &UnknownError{Names: unknown, Valid: c.Names()}
	}
	addedBy := map[string][]string{}
	var visit func(name string)
	visit = func(name string) {
		for _, r := range c.byName[name].Requires {
			if want[r] {
				continue
			}
			_, seen := addedBy[r]
			if !slices.Contains(addedBy[r], name) {
				addedBy[r] = append(addedBy[r], name)
			}
			if !seen {
				visit(r)
			}
		}
	}
	for _, n := range requested {
		visit(n)
	}
	all := []string{}
	for n := range want {
		all = append(all, n)
	}
	for n := range addedBy {
		all = append(all, n)
	}
	sort.Strings(all)
	ordered, err := c.order(all)
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{AddedBy: addedBy}
	for _, n := range ordered {
		sel.Modules = append(sel.Modules, c.byName[n])
	}
	return sel, nil
}

// order sorts names topologically (requirements first), ties broken by name so
// the order is the same in every process.
func (c *Catalog) order(names []string) ([]string, error) {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var out, stack []string
	var walk func(n string) error
	walk = func(n string) error {
		switch state[n] {
		case done:
			return nil
		case active:
			i := slices.Index(stack, n)
			return &CycleError{Path: append(slices.Clone(stack[i:]), n)}
		}
		state[n] = active
		stack = append(stack, n)
		reqs := slices.Clone(c.byName[n].Requires)
		sort.Strings(reqs)
		for _, r := range reqs {
			if err := walk(r); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := walk(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}
