package discordsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Discord JSON error codes used by the emulator.
const (
	codeGeneral                = 0
	codeUnknownChannel         = 10003
	codeUnknownGuild           = 10004
	codeUnknownMember          = 10007
	codeInvalidGuild           = 50055
	codeUnknownMessage         = 10008
	codeUnknownOverwrite       = 10009
	codeUnknownRole            = 10011
	codeUnknownUser            = 10013
	codeUnknownWebhook         = 10015
	codeUnknownInteraction     = 10062
	codeUnknownCommand         = 10063
	codeMissingAccess          = 50001
	codeCannotEditOthers       = 50005
	codeCannotSendToUser       = 50007
	codeEmptyMessage           = 50006
	codeMissingPermissions     = 50013
	codeInvalidWebhookToken    = 50027
	codeInvalidFormBody        = 50035
	codeInvalidJSON            = 50109
	codeAlreadyAcknowledged    = 40060
	codeCannotExecuteOnChannel = 50003
)

// APIError is a Discord-shaped error: an HTTP status plus the JSON body
// {"message","code"} and, for 50035, the nested "errors" object.
type APIError struct {
	Status  int            `json:"-"`
	Code    int            `json:"code"`
	Message string         `json:"message"`
	Errors  map[string]any `json:"errors,omitempty"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("discord %d: %s (code %d)", e.Status, e.Message, e.Code)
}

func apiErr(status, code int, msg string) *APIError {
	return &APIError{Status: status, Code: code, Message: msg}
}

var (
	errUnauthorized  = apiErr(http.StatusUnauthorized, codeGeneral, "401: Unauthorized")
	errNotFound      = apiErr(http.StatusNotFound, codeGeneral, "404: Not Found")
	errMissingAccess = apiErr(http.StatusForbidden, codeMissingAccess, "Missing Access")
	errMissingPerms  = apiErr(http.StatusForbidden, codeMissingPermissions, "Missing Permissions")
)

func errUnknown(code int) *APIError {
	names := map[int]string{
		codeUnknownChannel:     "Unknown Channel",
		codeUnknownGuild:       "Unknown Guild",
		codeUnknownMember:      "Unknown Member",
		codeUnknownMessage:     "Unknown Message",
		codeUnknownOverwrite:   "Unknown Overwrite",
		codeUnknownRole:        "Unknown Role",
		codeUnknownUser:        "Unknown User",
		codeUnknownWebhook:     "Unknown Webhook",
		codeUnknownInteraction: "Unknown interaction",
		codeUnknownCommand:     "Unknown application command",
	}
	return apiErr(http.StatusNotFound, code, names[code])
}

// formError builds a 50035 error for one field, in Discord's nested shape.
func formError(field, errCode, msg string) *APIError {
	return &APIError{
		Status: http.StatusBadRequest, Code: codeInvalidFormBody, Message: "Invalid Form Body",
		Errors: map[string]any{field: map[string]any{"_errors": []map[string]string{{"code": errCode, "message": msg}}}},
	}
}

// ControlError is returned by control-API methods for requests that Discord
// would never produce (unknown command, bad option, unknown user...).
type ControlError struct {
	Status int
	Msg    string
}

func (e *ControlError) Error() string { return e.Msg }

func controlErr(status int, format string, args ...any) *ControlError {
	return &ControlError{Status: status, Msg: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeAPIError(w http.ResponseWriter, err error) {
	var ae *APIError
	if errors.As(err, &ae) {
		writeJSON(w, ae.Status, ae)
		return
	}
	var ce *ControlError
	if errors.As(err, &ce) {
		writeJSON(w, ce.Status, map[string]any{"message": ce.Msg, "code": 0})
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]any{"message": "500: Internal Server Error", "code": 0})
}
