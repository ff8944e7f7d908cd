package module

import (
	"fmt"
	"reflect"
	"sync"

	"go.uber.org/fx"
)

// Point is a typed extension point: a place where modules contribute values of
// type T and one owner collects them. The core declares its points next to the
// types they carry (interaction.Commands, queue.Jobs, projection.Renderers, …);
// a module declares its own in its API package (pairhomeapi.Sections).
//
// Everything is typed: a contribution of the wrong type does not compile, and
// a point cannot be misspelt because it is a Go value, not a string. The fx
// value group behind a point is derived from T and never appears in module code.
type Point[T any] struct {
	name  string
	group string
}

var (
	pointsMu sync.Mutex
	points   = map[reflect.Type]string{}
)

// NewPoint declares the extension point for T. name is what errors and docs
// call it, e.g. "commands". One type has one point: declaring a second point
// for the same type panics at package initialisation.
func NewPoint[T any](name string) Point[T] {
	t := reflect.TypeFor[T]()
	pointsMu.Lock()
	defer pointsMu.Unlock()
	if prev, dup := points[t]; dup {
		panic(fmt.Sprintf("module: %s already has the extension point %q; cannot declare %q", t, prev, name))
	}
	points[t] = name
	group := t.String()
	if t.Name() != "" {
		group = t.PkgPath() + "." + t.Name()
	}
	return Point[T]{name: name, group: "point:" + group}
}

// Name is the point's human name.
func (p Point[T]) Name() string { return p.name }

// resultTag contributes a slice flattened into the group; paramTag collects it.
func (p Point[T]) resultTag() string { return `group:"` + p.mustGroup() + `,flatten"` }
func (p Point[T]) paramTag() string  { return `group:"` + p.mustGroup() + `"` }

func (p Point[T]) mustGroup() string {
	if p.group == "" {
		panic("module: the zero Point is not an extension point; declare one with NewPoint")
	}
	return p.group
}

// Contribute adds the values f returns to point p. D is what f needs from the
// container: one service (*Service) or an fx.In struct for several.
//
//	module.Contribute(interaction.Commands, func(h *Handlers) []interaction.Command { return h.Commands() })
func Contribute[T, D any](p Point[T], f func(D) []T) fx.Option {
	return fx.Provide(fx.Annotate(f, fx.ResultTags(p.resultTag())))
}

// ContributeOrFail is Contribute for a constructor that can fail; its error
// stops the process at start, naming the constructor.
func ContributeOrFail[T, D any](p Point[T], f func(D) ([]T, error)) fx.Option {
	return fx.Provide(fx.Annotate(f, fx.ResultTags(p.resultTag())))
}

// None is the dependency of a constructor that needs nothing from the
// container: func(module.None) ([]T, error).
type None struct{ fx.In }

// Add contributes fixed values that need nothing from the container.
//
//	module.Add(i18n.Catalogs, Catalog)
func Add[T any](p Point[T], values ...T) fx.Option {
	return fx.Provide(fx.Annotate(func() []T { return values }, fx.ResultTags(p.resultTag())))
}

// Contributions is every value contributed to one point, in no particular
// order. The point's owner takes it as a dependency after providing it with
// Collect.
type Contributions[T any] struct{ Items []T }

// Collect provides Contributions[T] to the point's owner. Exactly one fx.Option
// in the graph collects a point: the core for its own points, the owning module
// for a module-owned one. Contributions to a point whose owner is not running
// (hall's categories when hall is not selected) are built by nobody and dropped.
func Collect[T any](p Point[T]) fx.Option {
	return fx.Provide(fx.Annotate(func(items []T) Contributions[T] { return Contributions[T]{Items: items} },
		fx.ParamTags(p.paramTag())))
}
