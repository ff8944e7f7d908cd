package specvalidate

import (
	"encoding/json"
	"slices"
	"sort"
)

// Errata: places where openapi.json is narrower than what Discord's API
// accepts and what real clients send. Each is corrected at load time, listed
// here explicitly, and covered by TestErrataStillNeeded so an erratum is
// dropped as soon as the spec is fixed.

// permissionFields are the request properties holding a permission bitset.
//
// Discord's docs (Topics > Permissions) say permissions are "serialized into
// a string", and the API accepts a decimal string or an integer. The spec
// types these request fields as integer only, while typing the same fields
// as string in responses; disgo v0.19.6 sends strings
// (discord.Permissions.MarshalJSON), e.g. "default_member_permissions":"2080"
// and permission_overwrites "allow":"1024". The correction admits a decimal
// string next to the integer; integers keep the spec's bounds.
var permissionFields = []string{"permissions", "allow", "deny", "default_member_permissions"}

// attachmentIDPointer is the id of an attachment in a message request.
//
// Discord's docs (Reference > Uploading Files) give attachment placeholders
// integer ids matching the files[n] index ("attachments":[{"id":0,...}]),
// and disgo v0.19.6 sends exactly that (discord.AttachmentCreate.ID is an
// int). The spec types the field as SnowflakeType, a digit string only. The
// correction also admits a non-negative integer.
const attachmentIDPointer = "/components/schemas/MessageAttachmentRequest/properties/id"

// applyErrata patches doc in place and returns the JSON pointers it changed.
func applyErrata(doc map[string]any) []string {
	var patched []string
	if schemas, ok := doc["components"].(map[string]any)["schemas"].(map[string]any); ok {
		req, _ := schemas["MessageAttachmentRequest"].(map[string]any)
		props, _ := req["properties"].(map[string]any)
		if id, ok := props["id"].(map[string]any); ok && id["$ref"] == "#/components/schemas/SnowflakeType" {
			props["id"] = map[string]any{"anyOf": []any{
				id,
				map[string]any{"type": "integer", "minimum": json.Number("0")},
			}}
			patched = append(patched, attachmentIDPointer)
		}
	}
	walkSchemas(doc, nil, func(obj map[string]any, path []string) {
		props, ok := obj["properties"].(map[string]any)
		if !ok {
			return
		}
		for _, name := range permissionFields {
			prop, ok := props[name].(map[string]any)
			if !ok {
				continue
			}
			types, ok := prop["type"].([]any)
			if !ok || !slices.Contains(types, any("integer")) || slices.Contains(types, any("string")) {
				continue
			}
			prop["type"] = append(slices.Clone(types), "string")
			prop["pattern"] = snowflakePattern // decimal digits, no leading zeros
			patched = append(patched, pointer(path)+"/properties/"+name)
		}
	})
	sort.Strings(patched)
	return patched
}

// walkSchemas visits every object of the request side of the document
// (paths and components/schemas); response schemas already use strings.
// path is the location of v, rendered only when something is patched.
func walkSchemas(v any, path []string, visit func(map[string]any, []string)) {
	switch v := v.(type) {
	case map[string]any:
		visit(v, path)
		for k, child := range v {
			if k == "responses" {
				continue
			}
			walkSchemas(child, append(path, k), visit)
		}
	case []any:
		for i, child := range v {
			walkSchemas(child, append(path, itoa(i)), visit)
		}
	}
}
