package specvalidate

// Violation is one reason a request is invalid.
type Violation struct {
	Method, Path, Route string
	// Pointer is a JSON pointer into the body ("/components/0/custom_id"),
	// or "/name" of the offending query parameter when In is InQuery, or ""
	// for the request as a whole.
	Pointer string
	Message string
	// Code is Discord's error code for the field ("BASE_TYPE_MAX_LENGTH",
	// ...) or one of the Code* constants for route and encoding problems.
	Code string
	// In says which part of the request is at fault: InRoute, InQuery,
	// InBody.
	In string
}

// Where a violation was found.
const (
	InRoute = "route"
	InQuery = "query"
	InBody  = "body"
)

// Codes of violations that are not field errors. A server should answer
// CodeUnknownRoute with 404, CodeMethodNotAllowed with 405, CodeInvalidJSON
// with 400 and Discord code 50109, and everything else with 400 and
// Discord code 50035 ("Invalid Form Body") carrying FieldErrors.
const (
	CodeUnknownRoute       = "UNKNOWN_ROUTE"
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	CodeInvalidJSON        = "INVALID_JSON"
	CodeUnsupportedContent = "UNSUPPORTED_CONTENT_TYPE"
)

// Discord's field error codes used by this package. They are the values
// Discord puts in "errors" → "_errors" → "code".
const (
	CodeRequired          = "BASE_TYPE_REQUIRED"
	CodeMaxLength         = "BASE_TYPE_MAX_LENGTH"
	CodeMinLength         = "BASE_TYPE_MIN_LENGTH"
	CodeBadLength         = "BASE_TYPE_BAD_LENGTH"
	CodeChoices           = "BASE_TYPE_CHOICES"
	CodeInvalid           = "BASE_TYPE_INVALID"
	CodeUnionTypeChoices  = "UNION_TYPE_CHOICES"
	CodeNumberCoerce      = "NUMBER_TYPE_COERCE"
	CodeNumberMin         = "NUMBER_TYPE_MIN"
	CodeNumberMax         = "NUMBER_TYPE_MAX"
	CodeDictConvert       = "DICT_TYPE_CONVERT"
	CodeListConvert       = "LIST_TYPE_CONVERT"
	CodeBoolConvert       = "BOOLEAN_TYPE_CONVERT"
	CodeStringConvert     = "STRING_TYPE_CONVERT"
	CodeRegex             = "STRING_TYPE_REGEX"
	CodeDuplicateCustomID = "COMPONENT_CUSTOM_ID_DUPLICATED"
	CodeLayoutWidth       = "COMPONENT_LAYOUT_WIDTH_EXCEEDED"
	CodeEmbedSize         = "MAX_EMBED_SIZE_EXCEEDED"
	CodeComponentsV2      = "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2"
)
