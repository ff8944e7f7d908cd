package guild

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/together-bot/together/core/module"
)

// Requirements maps each deployed module to the modules it requires.
type Requirements map[string][]string

// RequirementsOf reads the graph from the process's module selection.
func RequirementsOf(sel module.Selection) Requirements {
	r := Requirements{}
	for _, m := range sel.Modules {
		r[m.Name] = slices.Clone(m.Requires)
	}
	return r
}

// DependentsError refuses turning a module off while enabled modules need it.
type DependentsError struct {
	Module     string
	Dependents []string
}

func (e *DependentsError) Error() string {
	return fmt.Sprintf("module %s is required by %s", e.Module, strings.Join(e.Dependents, ", "))
}

// Plan is the set of switches to store for one /config module change.
type Plan struct {
	Switches map[string]bool
	// AlsoEnabled lists requirements that were off and are turned on too.
	AlsoEnabled []string
}

// PlanModuleChange decides what turning module on/off means in a guild:
// turning off is refused while an enabled module requires it (directly or
// through another), and turning on also turns on every requirement that is off.
func PlanModuleChange(req Requirements, s Settings, name string, on bool) (Plan, error) {
	if name == CoreModule && !on {
		return Plan{}, ErrCoreAlwaysOn
	}
	p := Plan{Switches: map[string]bool{name: on}}
	if !on {
		var deps []string
		for m := range req {
			if m != name && s.ModuleOn(m) && requiresTransitively(req, m, name) {
				deps = append(deps, m)
			}
		}
		if len(deps) > 0 {
			sort.Strings(deps)
			return Plan{}, &DependentsError{Module: name, Dependents: deps}
		}
		return p, nil
	}
	seen := map[string]bool{name: true}
	var visit func(string)
	visit = func(m string) {
		for _, r := range req[m] {
			if seen[r] {
				continue
			}
			seen[r] = true
			if !s.ModuleOn(r) {
				p.Switches[r] = true
				p.AlsoEnabled = append(p.AlsoEnabled, r)
			}
			visit(r)
		}
	}
	visit(name)
	sort.Strings(p.AlsoEnabled)
	return p, nil
}

func requiresTransitively(req Requirements, from, target string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(m string) bool {
		for _, r := range req[m] {
			if r == target {
				return true
			}
			if !seen[r] {
				seen[r] = true
				if walk(r) {
					return true
				}
			}
		}
		return false
	}
	return walk(from)
}
