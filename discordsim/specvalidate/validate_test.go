package specvalidate

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// obj and arr keep the table payloads readable.
type obj = map[string]any
type arr = []any

func button(customID string) obj {
	return obj{"type": 2, "style": 1, "label": "Go", "custom_id": customID}
}

func row(children ...any) obj { return obj{"type": 1, "components": arr(children)} }

func stringSelect(customID string, options ...any) obj {
	return obj{"type": 3, "custom_id": customID, "options": arr(options)}
}

func option(label, value string) obj { return obj{"label": label, "value": value} }

func textDisplay(content string) obj { return obj{"type": 10, "content": content} }

func repeat(s string, n int) string { return strings.Repeat(s, n) }

func repeatItems(n int, item func(i int) any) arr {
	out := make(arr, n)
	for i := range out {
		out[i] = item(i)
	}
	return out
}

func hasViolation(vs []Violation, pointer, code string) bool {
	for _, v := range vs {
		if v.Pointer == pointer && v.Code == code {
			return true
		}
	}
	return false
}

func TestValidMessageCreate(t *testing.T) {
	v := newValidator(t)
	body := mustJSON(t, obj{
		"content": "hello",
		"components": arr{
			row(button("a"), button("b"), obj{"type": 2, "style": 5, "label": "Docs", "url": "https://example.com"}),
			row(stringSelect("s", option("One", "1"), option("Two", "2"))),
		},
		"embeds": arr{obj{"title": "t", "description": "d", "fields": arr{obj{"name": "n", "value": "v"}}}},
	})
	if vs := v.Validate("POST", "/channels/123/messages", nil, "application/json", body); vs != nil {
		t.Fatalf("valid message rejected:\n%s", formatViolations(vs))
	}
}

func TestLimits(t *testing.T) {
	const (
		messages = "/channels/1/messages"
		callback = "/interactions/2/tok/callback"
	)
	modal := func(components ...any) obj {
		return obj{"type": 9, "data": obj{"custom_id": "m", "title": "Title", "components": append(arr{}, components...)}}
	}
	textInput := func(label string, maxLength int) obj {
		return row(obj{"type": 4, "custom_id": "ti-" + label, "style": 1, "label": label, "max_length": maxLength})
	}
	v2 := func(extra obj, components ...any) obj {
		m := obj{"flags": 1 << 15, "components": arr(components)}
		for k, val := range extra {
			m[k] = val
		}
		return m
	}
	tests := []struct {
		name          string
		method, path  string
		body          any
		pointer, code string
	}{
		{"custom_id empty", "POST", messages, obj{"components": arr{row(button(""))}},
			"/components/0/components/0/custom_id", CodeBadLength},
		{"custom_id over 100", "POST", messages, obj{"components": arr{row(button(repeat("x", 101)))}},
			"/components/0/components/0/custom_id", CodeBadLength},
		{"custom_id duplicated", "POST", messages, obj{"components": arr{row(button("a")), row(button("b"), button("a"))}},
			"/components/1/components/1/custom_id", CodeDuplicateCustomID},
		{"six action rows", "POST", messages, obj{"components": repeatItems(6, func(i int) any { return row(button(string(rune('a' + i)))) })},
			"/components", CodeMaxLength},
		{"six buttons in a row", "POST", messages, obj{"components": arr{row(repeatItems(6, func(i int) any { return button(string(rune('a' + i))) })...)}},
			"/components/0/components", CodeBadLength},
		{"select shares its row", "POST", messages, obj{"components": arr{row(stringSelect("s", option("a", "a")), button("b"))}},
			"/components/0/components", CodeLayoutWidth},
		{"26 select options", "POST", messages, obj{"components": arr{row(stringSelect("s", repeatItems(26, func(i int) any { return option("l", string(rune('a'+i))) })...))}},
			"/components/0/components/0/options", CodeBadLength},
		{"select option label over 100", "POST", messages, obj{"components": arr{row(stringSelect("s", option(repeat("l", 101), "v")))}},
			"/components/0/components/0/options/0/label", CodeBadLength},
		{"select option value over 100", "POST", messages, obj{"components": arr{row(stringSelect("s", option("l", repeat("v", 101))))}},
			"/components/0/components/0/options/0/value", CodeBadLength},
		{"content over 2000", "POST", messages, obj{"content": repeat("é", 2001)},
			"/content", CodeMaxLength},
		{"eleven embeds", "POST", messages, obj{"embeds": repeatItems(11, func(int) any { return obj{"title": "t"} })},
			"/embeds", CodeMaxLength},
		{"embeds over 6000 in total", "POST", messages, obj{"embeds": repeatItems(2, func(int) any { return obj{"description": repeat("d", 3001)} })},
			"/embeds", CodeEmbedSize},
		{"embed title over 256", "POST", messages, obj{"embeds": arr{obj{"title": repeat("t", 257)}}},
			"/embeds/0/title", CodeMaxLength},
		{"embed description over 4096", "POST", messages, obj{"embeds": arr{obj{"description": repeat("d", 4097)}}},
			"/embeds/0/description", CodeMaxLength},
		{"26 embed fields", "POST", messages, obj{"embeds": arr{obj{"fields": repeatItems(26, func(int) any { return obj{"name": "n", "value": "v"} })}}},
			"/embeds/0/fields", CodeMaxLength},
		{"embed field name over 256", "POST", messages, obj{"embeds": arr{obj{"fields": arr{obj{"name": repeat("n", 257), "value": "v"}}}}},
			"/embeds/0/fields/0/name", CodeMaxLength},
		{"embed field value over 1024", "POST", messages, obj{"embeds": arr{obj{"fields": arr{obj{"name": "n", "value": repeat("v", 1025)}}}}},
			"/embeds/0/fields/0/value", CodeMaxLength},
		{"embed footer over 2048", "POST", messages, obj{"embeds": arr{obj{"footer": obj{"text": repeat("f", 2049)}}}},
			"/embeds/0/footer/text", CodeMaxLength},
		{"embed author name over 256", "POST", messages, obj{"embeds": arr{obj{"author": obj{"name": repeat("a", 257)}}}},
			"/embeds/0/author/name", CodeMaxLength},
		{"v2 with content", "POST", messages, v2(obj{"content": "hi"}, textDisplay("x")),
			"/content", CodeComponentsV2},
		{"v2 with embeds", "POST", messages, v2(obj{"embeds": arr{obj{"title": "t"}}}, textDisplay("x")),
			"/embeds", CodeComponentsV2},
		{"v2 over 40 components counted recursively", "POST", messages,
			v2(nil, obj{"type": 17, "components": repeatItems(40, func(int) any { return textDisplay("x") })}),
			"/components", CodeMaxLength},
		{"v2 text displays over 4000 in total", "POST", messages,
			v2(nil, textDisplay(repeat("a", 2000)), textDisplay(repeat("b", 2001))),
			"/components", CodeMaxLength},
		{"v2 component without flag", "POST", messages, obj{"components": arr{textDisplay("x")}},
			"/components/0/type", CodeUnionTypeChoices},
		{"edit with flags but no v2 keeps legacy rules", "PATCH", "/channels/1/messages/2", obj{"flags": 0, "components": arr{textDisplay("x")}},
			"/components/0/type", CodeUnionTypeChoices},
		{"edit of unknown mode still counts components", "PATCH", "/channels/1/messages/2",
			obj{"components": arr{obj{"type": 17, "components": repeatItems(40, func(int) any { return textDisplay("x") })}}},
			"/components", CodeMaxLength},
		{"message edit content over 2000", "PATCH", "/channels/1/messages/2", obj{"content": repeat("x", 2001)},
			"/content", CodeMaxLength},
		{"webhook execute duplicate custom_id", "POST", "/webhooks/3/tok", obj{"components": arr{row(button("a"), button("a"))}},
			"/components/0/components/1/custom_id", CodeDuplicateCustomID},
		{"webhook edit six rows", "PATCH", "/webhooks/3/tok/messages/@original", obj{"flags": 0, "components": repeatItems(6, func(i int) any { return row(button(string(rune('a' + i)))) })},
			"/components", CodeMaxLength},
		{"callback message content over 2000", "POST", callback, obj{"type": 4, "data": obj{"content": repeat("x", 2001)}},
			"/data/content", CodeMaxLength},
		{"callback update six buttons", "POST", callback, obj{"type": 7, "data": obj{"components": arr{row(repeatItems(6, func(i int) any { return button(string(rune('a' + i))) })...)}}},
			"/data/components/0/components", CodeBadLength},
		{"modal without components", "POST", callback, modal(),
			"/data/components", CodeBadLength},
		{"modal with six components", "POST", callback, modal(repeatItems(6, func(i int) any { return textInput(string(rune('a'+i)), 10) })...),
			"/data/components", CodeBadLength},
		{"modal title over 45", "POST", callback, obj{"type": 9, "data": obj{"custom_id": "m", "title": repeat("t", 46), "components": arr{textInput("a", 10)}}},
			"/data/title", CodeBadLength},
		{"text input label over 45", "POST", callback, modal(textInput(repeat("l", 46), 10)),
			"/data/components/0/components/0/label", CodeBadLength},
		{"text input max_length over 4000", "POST", callback, modal(textInput("a", 4001)),
			"/data/components/0/components/0/max_length", CodeNumberMax},
		{"label component label over 45", "POST", callback, modal(obj{"type": 18, "label": repeat("l", 46), "component": obj{"type": 4, "custom_id": "x", "style": 1}}),
			"/data/components/0/label", CodeBadLength},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := v.Validate(tt.method, tt.path, nil, "application/json", mustJSON(t, tt.body))
			if !hasViolation(vs, tt.pointer, tt.code) {
				t.Errorf("want %s at %q, got:\n%s", tt.code, tt.pointer, formatViolations(vs))
			}
			// One mistake, one report: the schema and the explicit checks
			// overlap but must not double-report.
			if len(vs) != 1 {
				t.Errorf("want exactly one violation, got:\n%s", formatViolations(vs))
			}
		})
	}
}

// TestEditWithoutFlags: an edit that omits flags keeps the message's
// current flags, so a V2 layout must not be judged by legacy rules.
func TestEditWithoutFlags(t *testing.T) {
	v := newValidator(t)
	body := mustJSON(t, obj{"components": arr{textDisplay("a"), textDisplay("b"), textDisplay("c"), textDisplay("d"), textDisplay("e"), textDisplay("f")}})
	for _, path := range []string{"/channels/1/messages/2", "/webhooks/1/tok/messages/@original"} {
		if vs := v.Validate("PATCH", path, nil, "application/json", body); vs != nil {
			t.Errorf("%s: V2 edit without flags rejected:\n%s", path, formatViolations(vs))
		}
	}
	if vs := v.Validate("POST", "/channels/1/messages", nil, "application/json", body); vs == nil {
		t.Errorf("create without the V2 flag accepted V2 components")
	}
}

func TestSchemaTypes(t *testing.T) {
	tests := []struct {
		name          string
		method, path  string
		body          string
		pointer, code string
	}{
		{"string for integer", "POST", "/channels/1/messages", `{"content":"x","flags":"4"}`, "/flags", CodeNumberCoerce},
		{"string for button style", "POST", "/channels/1/messages",
			`{"components":[{"type":1,"components":[{"type":2,"style":"1","custom_id":"a"}]}]}`,
			"/components/0/components/0/style", CodeNumberCoerce},
		{"object for array", "POST", "/channels/1/messages", `{"embeds":{"title":"t"}}`, "/embeds", CodeListConvert},
		{"missing required", "POST", "/guilds/1/channels", `{"type":0}`, "/name", CodeRequired},
		{"bad snowflake", "POST", "/guilds/1/channels", `{"name":"x","parent_id":"abc"}`, "/parent_id", CodeNumberCoerce},
		{"unknown component type", "POST", "/channels/1/messages",
			`{"components":[{"type":1,"components":[{"type":99,"custom_id":"a"}]}]}`,
			"/components/0/components/0/type", CodeUnionTypeChoices},
		{"unknown callback type", "POST", "/interactions/1/tok/callback", `{"type":42}`, "/type", CodeUnionTypeChoices},
		{"invalid JSON", "POST", "/channels/1/messages", `{"content":`, "", CodeInvalidJSON},
		{"unsupported content type", "POST", "/channels/1/messages", `content=x`, "", CodeUnsupportedContent},
	}
	v := newValidator(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := "application/json"
			if tt.code == CodeUnsupportedContent {
				ct = "text/plain"
			}
			vs := v.Validate(tt.method, tt.path, nil, ct, []byte(tt.body))
			if !hasViolation(vs, tt.pointer, tt.code) {
				t.Errorf("want %s at %q, got:\n%s", tt.code, tt.pointer, formatViolations(vs))
			}
			// Union narrowing must keep reports focused on the real mistake.
			if len(vs) > 2 {
				t.Errorf("too many violations for one mistake:\n%s", formatViolations(vs))
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		method, path string
		code         string // "" means valid
	}{
		{"GET", "/channels/1/messages", ""},
		{"GET", "/api/v10/channels/1/messages", ""},
		{"GET", "/channels/1/nonsense", CodeUnknownRoute},
		{"GET", "/", CodeUnknownRoute},
		{"PUT", "/channels/1/messages", CodeMethodNotAllowed},
		{"POST", "/channels/1/typing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			vs := v.Validate(tt.method, tt.path, nil, "", nil)
			switch {
			case tt.code == "" && vs != nil:
				t.Errorf("unexpected violations:\n%s", formatViolations(vs))
			case tt.code != "" && (len(vs) != 1 || vs[0].Code != tt.code || vs[0].In != InRoute):
				t.Errorf("want one %s, got:\n%s", tt.code, formatViolations(vs))
			}
		})
	}
	if got := v.Methods("/channels/1/messages"); strings.Join(got, ",") != "GET,POST" {
		t.Errorf("Methods = %v, want [GET POST]", got)
	}
}

func TestQueryParameters(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		path          string
		query         string
		pointer, code string // "" means valid
	}{
		{"/channels/1/messages", "limit=50&before=123", "", ""},
		{"/channels/1/messages", "limit=abc", "/limit", CodeNumberCoerce},
		{"/channels/1/messages", "limit=500", "/limit", CodeNumberMax},
		{"/channels/1/messages", "around=abc", "/around", CodeNumberCoerce},
		{"/channels/1/messages", "unknown=whatever", "", ""},
		{"/guilds/1", "with_counts=true", "", ""},
		{"/guilds/1", "with_counts=maybe", "/with_counts", CodeBoolConvert},
	}
	for _, tt := range tests {
		t.Run(tt.path+"?"+tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			vs := v.Validate("GET", tt.path, q, "", nil)
			if tt.code == "" {
				if vs != nil {
					t.Errorf("unexpected violations:\n%s", formatViolations(vs))
				}
				return
			}
			if !hasViolation(vs, tt.pointer, tt.code) || vs[0].In != InQuery {
				t.Errorf("want %s at %q in query, got:\n%s", tt.code, tt.pointer, formatViolations(vs))
			}
		})
	}
}

func TestMatch(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		method, path string
		route        string
		params       map[string]string
		ok           bool
	}{
		{"GET", "/users/@me", "/users/@me", map[string]string{}, true},
		{"GET", "/users/80351110224678912", "/users/{user_id}", map[string]string{"user_id": "80351110224678912"}, true},
		{"GET", "/applications/@me", "/applications/@me", map[string]string{}, true},
		{"PATCH", "/webhooks/1/tok/messages/@original", "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
			map[string]string{"webhook_id": "1", "webhook_token": "tok"}, true},
		{"PATCH", "/webhooks/1/tok/messages/99", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
			map[string]string{"webhook_id": "1", "webhook_token": "tok", "message_id": "99"}, true},
		{"PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
			map[string]string{"channel_id": "1", "message_id": "2", "emoji_name": "👍"}, true},
		{"DELETE", "/channels/1/messages/2/reactions/name:123/456", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}",
			map[string]string{"channel_id": "1", "message_id": "2", "emoji_name": "name:123", "user_id": "456"}, true},
		// Backtracking: "@me" is literal under /users, but this route only
		// exists with a parameter there.
		{"GET", "/users/@me/guilds/5/member", "/users/@me/guilds/{guild_id}/member", map[string]string{"guild_id": "5"}, true},
		{"POST", "/api/v10/interactions/1/tok/callback/", "/interactions/{interaction_id}/{interaction_token}/callback",
			map[string]string{"interaction_id": "1", "interaction_token": "tok"}, true},
		{"DELETE", "/users/@me", "/users/@me", map[string]string{}, false},
		{"GET", "/nope", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			route, params, ok := v.Match(tt.method, tt.path)
			if route != tt.route || ok != tt.ok || !equalParams(params, tt.params) {
				t.Errorf("Match = %q %v %v, want %q %v %v", route, params, ok, tt.route, tt.params, tt.ok)
			}
		})
	}
}

func equalParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestEverySpecRouteMatchesItself guards the router against ambiguous
// templates: filling each template's parameters must lead back to it.
func TestEverySpecRouteMatchesItself(t *testing.T) {
	v := newValidator(t)
	for key, op := range v.spec.ops {
		concrete := make([]string, 0)
		want := map[string]string{}
		for _, seg := range splitPath(op.route) {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				want[name] = "1" + name
				seg = "1" + name
			}
			concrete = append(concrete, seg)
		}
		route, params, ok := v.Match(op.method, "/"+strings.Join(concrete, "/"))
		if !ok || route != op.route || !equalParams(params, want) {
			t.Errorf("%s: matched %q %v %v", key, route, params, ok)
		}
	}
}

func TestMultipartPayloadJSON(t *testing.T) {
	v := newValidator(t)
	build := func(payload string) (string, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		if payload != "" {
			fw, _ := w.CreateFormField("payload_json")
			fw.Write([]byte(payload))
		}
		fw, _ := w.CreateFormFile("files[0]", "a.txt")
		fw.Write([]byte("hello"))
		w.Close()
		return w.FormDataContentType(), buf.Bytes()
	}
	ct, body := build(`{"content":"see file","attachments":[{"id":0,"filename":"a.txt"}]}`)
	if vs := v.Validate("POST", "/channels/1/messages", nil, ct, body); vs != nil {
		t.Errorf("valid multipart rejected:\n%s", formatViolations(vs))
	}
	ct, body = build(`{"content":"` + repeat("x", 2001) + `"}`)
	if vs := v.Validate("POST", "/channels/1/messages", nil, ct, body); !hasViolation(vs, "/content", CodeMaxLength) {
		t.Errorf("payload_json limits not applied:\n%s", formatViolations(vs))
	}
	ct, body = build("")
	if vs := v.Validate("POST", "/channels/1/messages", nil, ct, body); vs != nil {
		t.Errorf("files-only multipart rejected:\n%s", formatViolations(vs))
	}
}

func TestFieldErrors(t *testing.T) {
	vs := []Violation{
		{Pointer: "/components/0/components/1/custom_id", Code: CodeMaxLength, Message: "Must be 100 or fewer in length."},
		{Pointer: "/components/0/components/1/custom_id", Code: CodeDuplicateCustomID, Message: "Component custom id cannot be duplicated"},
		{Pointer: "/content", Code: CodeMaxLength, Message: "Must be 2000 or fewer in length."},
		{Pointer: "", Code: CodeInvalid, Message: "whole body"},
	}
	got, err := json.Marshal(FieldErrors(vs))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_errors":[{"code":"BASE_TYPE_INVALID","message":"whole body"}],` +
		`"components":{"0":{"components":{"1":{"custom_id":{"_errors":[` +
		`{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 100 or fewer in length."},` +
		`{"code":"COMPONENT_CUSTOM_ID_DUPLICATED","message":"Component custom id cannot be duplicated"}]}}}}},` +
		`"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}}`
	if string(got) != want {
		t.Errorf("FieldErrors =\n%s\nwant\n%s", got, want)
	}
}

func TestViolationContext(t *testing.T) {
	v := newValidator(t)
	vs := v.Validate("POST", "/api/v10/channels/9/messages", nil, "application/json", []byte(`{"flags":"x"}`))
	if len(vs) != 1 {
		t.Fatalf("got:\n%s", formatViolations(vs))
	}
	want := Violation{Method: "POST", Path: "/api/v10/channels/9/messages", Route: "/channels/{channel_id}/messages",
		Pointer: "/flags", Code: CodeNumberCoerce, In: InBody, Message: vs[0].Message}
	if vs[0] != want {
		t.Errorf("violation = %+v, want %+v", vs[0], want)
	}
}

func TestErrataStillNeeded(t *testing.T) {
	raw, err := parseRaw(openapiJSON)
	if err != nil {
		t.Fatal(err)
	}
	patched := applyErrata(raw)
	want := []string{
		"/components/schemas/ApplicationCommandCreateRequest/properties/default_member_permissions",
		"/components/schemas/ApplicationCommandPatchRequestPartial/properties/default_member_permissions",
		"/components/schemas/ApplicationCommandUpdateRequest/properties/default_member_permissions",
		"/components/schemas/ApplicationOAuth2InstallParams/properties/permissions",
		"/components/schemas/ChannelPermissionOverwriteRequest/properties/allow",
		"/components/schemas/ChannelPermissionOverwriteRequest/properties/deny",
		"/components/schemas/CreateRoleRequest/properties/permissions",
		"/components/schemas/MessageAttachmentRequest/properties/id",
		"/components/schemas/UpdateRoleRequestPartial/properties/permissions",
		"/paths/~1channels~1{channel_id}~1permissions~1{overwrite_id}/put/requestBody/content/application~1json/schema/properties/allow",
		"/paths/~1channels~1{channel_id}~1permissions~1{overwrite_id}/put/requestBody/content/application~1json/schema/properties/deny",
	}
	if strings.Join(patched, "\n") != strings.Join(want, "\n") {
		t.Errorf("errata applied to:\n%s\nwant:\n%s", strings.Join(patched, "\n"), strings.Join(want, "\n"))
	}
	v := newValidator(t)
	if got := v.Errata(); len(got) != len(want) {
		t.Errorf("Errata() = %v", got)
	}
	// Integers stay valid and bounded; digit strings are accepted.
	for body, ok := range map[string]bool{
		`{"name":"r","permissions":8}`:      true,
		`{"name":"r","permissions":"8"}`:    true,
		`{"name":"r","permissions":"-8"}`:   false,
		`{"name":"r","permissions":"lots"}`: false,
	} {
		vs := v.Validate("POST", "/guilds/1/roles", nil, "application/json", []byte(body))
		if (vs == nil) != ok {
			t.Errorf("%s: valid=%v, want %v:\n%s", body, vs == nil, ok, formatViolations(vs))
		}
	}
}

func TestConcurrentValidate(t *testing.T) {
	v := newValidator(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			other := newValidator(t) // shares the parsed spec and cache
			for j := range 20 {
				body := mustJSON(t, obj{"content": "x", "components": arr{row(button("a"))}})
				vv := v
				if (i+j)%2 == 0 {
					vv = other
				}
				if vs := vv.Validate("POST", "/channels/1/messages", nil, "application/json", body); vs != nil {
					t.Errorf("rejected:\n%s", formatViolations(vs))
				}
				vv.Validate("GET", "/guilds/1/members", url.Values{"limit": {"5"}}, "", nil)
			}
		})
	}
	wg.Wait()
}

func TestFormURLEncoded(t *testing.T) {
	v := newValidator(t)
	const ct = "application/x-www-form-urlencoded"
	if vs := v.Validate("POST", "/channels/1/messages", nil, ct, []byte("content=hi&tts=true&flags=4")); vs != nil {
		t.Errorf("valid form rejected:\n%s", formatViolations(vs))
	}
	if vs := v.Validate("POST", "/channels/1/messages", nil, ct, []byte("content=hi&flags=abc")); !hasViolation(vs, "/flags", CodeNumberCoerce) {
		t.Errorf("want NUMBER_TYPE_COERCE at /flags, got:\n%s", formatViolations(vs))
	}
}

// TestEverySchemaCompiles compiles every request body and query parameter
// schema of the spec, so a compile failure cannot hide behind laziness.
func TestEverySchemaCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the whole spec")
	}
	v := newValidator(t)
	for key, op := range v.spec.ops {
		for _, ptr := range op.bodies {
			if _, err := v.spec.schema(ptr); err != nil {
				t.Errorf("%s body: %v", key, err)
			}
		}
		for name, ptr := range op.query {
			if _, err := v.spec.schema(ptr); err != nil {
				t.Errorf("%s query %s: %v", key, name, err)
			}
		}
	}
}
