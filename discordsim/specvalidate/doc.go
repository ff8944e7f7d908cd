// Package specvalidate checks REST requests made to the emulator against
// Discord's official OpenAPI description (embedded openapi.json, MIT, see
// openapi.LICENSE) plus the documented limits that description leaves out.
//
// The spec is parsed once per process and shared by every Validator; each
// operation's schemas are compiled on first use and cached, so New is cheap
// and only the routes a test exercises pay for compilation.
//
// Violations carry Discord-style error codes so the emulator can answer with
// the same 50035 "Invalid Form Body" shape Discord uses (see FieldErrors).
package specvalidate
