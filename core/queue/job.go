// Package queue runs River for the whole process: one client whose workers and
// schedules come from the selected modules. Each module's jobs go to a queue named
// after the module, so a process only fetches jobs it has workers for even when
// processes run different --modules sets.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/riverqueue/river/rivertype"

	"github.com/riverqueue/river"
)

// CoreQueue holds jobs that belong to no feature module.
const CoreQueue = "core"

// Job is one job kind a module contributes, with its worker.
type Job struct {
	Module      string
	Kind        string
	Description string
	register    func(*river.Workers) error
	argsType    reflect.Type
}

// NewJob wraps a River worker for contribution to Jobs.
func NewJob[T river.JobArgs](module, description string, w river.Worker[T]) Job {
	var zero T
	return Job{
		Module:      module,
		Kind:        zero.Kind(),
		Description: description,
		register:    func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) },
		argsType:    reflect.TypeOf(zero),
	}
}

// Validator is implemented by job args that can check themselves; `app jobs send`
// refuses args that fail.
type Validator interface {
	Validate() error
}

// Field describes one argument of a job kind for `app jobs kinds`.
type Field struct {
	Name string
	Type string
}

// Fields lists the JSON fields of the job's args.
func (j Job) Fields() []Field {
	var out []Field
	t := j.argsType
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, Field{Name: name, Type: f.Type.String()})
	}
	return out
}

// DecodeArgs builds args of this kind from JSON and validates them.
func (j Job) DecodeArgs(raw []byte) (river.JobArgs, error) {
	t := j.argsType
	ptr := reflect.New(t)
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %w (fields: %s)", j.Kind, err, j.fieldList())
	}
	args := ptr.Elem().Interface().(river.JobArgs)
	if v, ok := args.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", j.Kind, err)
		}
	}
	return args, nil
}

func (j Job) fieldList() string {
	var names []string
	for _, f := range j.Fields() {
		names = append(names, f.Name+" "+f.Type)
	}
	return strings.Join(names, ", ")
}

// Registry indexes the jobs of the selected modules by kind.
type Registry struct {
	byKind map[string]Job
}

// NewRegistry rejects two modules claiming one kind, and kinds not named
// "<module>.<job>": the prefix is the queue the job goes to.
func NewRegistry(jobs []Job) (*Registry, error) {
	r := &Registry{byKind: map[string]Job{}}
	for _, j := range jobs {
		if QueueFor(j.Kind) != j.Module {
			return nil, fmt.Errorf("job kind %q of module %s must be named %s.<job>", j.Kind, j.Module, j.Module)
		}
		if prev, dup := r.byKind[j.Kind]; dup {
			return nil, fmt.Errorf("job kind %q registered by %s and %s", j.Kind, prev.Module, j.Module)
		}
		r.byKind[j.Kind] = j
	}
	return r, nil
}

// Get finds a kind.
func (r *Registry) Get(kind string) (Job, bool) {
	j, ok := r.byKind[kind]
	return j, ok
}

// All lists every kind, sorted.
func (r *Registry) All() []Job {
	out := make([]Job, 0, len(r.byKind))
	for _, j := range r.byKind {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Kind < out[b].Kind })
	return out
}

// QueueFor returns the queue a kind's jobs go to: the module named by the
// kind's prefix ("duel.close" → "duel"), so any process can insert any kind
// and only processes running that module fetch it.
func QueueFor(kind string) string {
	if module, _, ok := strings.Cut(kind, "."); ok && module != "" {
		return module
	}
	return CoreQueue
}

// Queues lists every queue this process fetches from.
func (r *Registry) Queues() []string {
	set := map[string]bool{CoreQueue: true}
	for _, j := range r.byKind {
		if j.Module != "" {
			set[j.Module] = true
		}
	}
	out := make([]string, 0, len(set))
	for q := range set {
		out = append(out, q)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) workers() (*river.Workers, error) {
	ws := river.NewWorkers()
	for _, j := range r.All() {
		if err := j.register(ws); err != nil {
			return nil, fmt.Errorf("register worker %s: %w", j.Kind, err)
		}
	}
	return ws, nil
}

// rawArgs lets the scheduler insert a job of any kind from stored JSON.
type rawArgs struct {
	kind string
	json json.RawMessage
}

func (a rawArgs) Kind() string                 { return a.kind }
func (a rawArgs) MarshalJSON() ([]byte, error) { return a.json, nil }

// RawArgs wraps stored JSON as args of the given kind.
func RawArgs(kind string, raw json.RawMessage) river.JobArgs { return rawArgs{kind: kind, json: raw} }

// contextKey types keep values this package stores in job contexts private.
type contextKey int

const jobIDKey contextKey = iota

// JobID returns the id of the job being worked, for logs.
func JobID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(jobIDKey).(int64)
	return id, ok
}

type sqlTx = sql.Tx

// guildOf reads the guild a job acts on. By convention guild-scoped job args
// carry a top-level "guild_id" (a snowflake, string or number); the gate skips
// them when their module is turned off in that guild.
func guildOf(job *rivertype.JobRow) (uint64, bool) {
	var probe struct {
		GuildID json.Number `json:"guild_id"`
	}
	if err := json.Unmarshal(job.EncodedArgs, &probe); err != nil || probe.GuildID == "" {
		return 0, false
	}
	id, err := strconv.ParseUint(string(probe.GuildID), 10, 64)
	return id, err == nil && id != 0
}
