package specvalidate

import "testing"

// BenchmarkParseSpec is the one-time cost of the first New in a process.
func BenchmarkParseSpec(b *testing.B) {
	for b.Loop() {
		if _, err := parseSpec(openapiJSON); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew is the cost of every later New: the spec is shared.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstValidate includes compiling the operation's schema.
func BenchmarkFirstValidate(b *testing.B) {
	body := []byte(`{"content":"hi","components":[{"type":1,"components":[{"type":2,"style":1,"label":"Go","custom_id":"a"}]}]}`)
	for b.Loop() {
		s, err := parseSpec(openapiJSON)
		if err != nil {
			b.Fatal(err)
		}
		v := &Validator{spec: s}
		if vs := v.Validate("POST", "/channels/1/messages", nil, "application/json", body); vs != nil {
			b.Fatal(vs)
		}
	}
}

// BenchmarkValidate is a warm message create with an embed and components.
func BenchmarkValidate(b *testing.B) {
	v := newValidator(b)
	body := []byte(`{"content":"hi","embeds":[{"title":"t","description":"d","fields":[{"name":"n","value":"v"}]}],` +
		`"components":[{"type":1,"components":[{"type":2,"style":1,"label":"Go","custom_id":"a"},{"type":2,"style":4,"label":"No","custom_id":"b"}]},` +
		`{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"One","value":"1"}]}]}]}`)
	v.Validate("POST", "/channels/1/messages", nil, "application/json", body) // compile outside the loop
	b.ReportAllocs()
	for b.Loop() {
		if vs := v.Validate("POST", "/channels/1/messages", nil, "application/json", body); vs != nil {
			b.Fatal(vs)
		}
	}
}
