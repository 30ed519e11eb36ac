// Package fault defines the kinds of error that domain code returns and that the web layer
// maps to HTTP statuses and pages. It has no dependencies so that every package can use it.
package fault

import (
	"errors"
	"fmt"
)

// Sentinel errors. Wrap them with context: fmt.Errorf("tenant %s: %w", uai, fault.ErrNotFound).
var (
	// ErrNotFound: the thing asked for does not exist, or the caller may not know it does.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller is known but their role does not grant this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthorized: the caller could not be identified.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrConflict: the request contradicts the current state (duplicate, already live, …).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the resource exists but cannot be served now (maintenance, suspended).
	ErrUnavailable = errors.New("unavailable")
	// ErrInvalid: the request cannot be read at all (malformed body); field errors use Invalid.
	ErrInvalid = errors.New("invalid")
	// ErrTooLarge: an upload exceeds the size allowed.
	ErrTooLarge = errors.New("too large")
)

// Invalid reports input that fails validation: which field, and what is wrong with it in
// words a user can act on (French, since it is shown to users).
type Invalid struct {
	Field   string
	Message string
}

func (e *Invalid) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Invalidf returns an *Invalid for field with a formatted message.
func Invalidf(field, format string, args ...any) error {
	return &Invalid{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Message is an error whose text is safe and meant to be shown to the user as is.
type Message struct {
	Kind  error  // one of the sentinels above
	Field string // the input field concerned, if any
	Text  string // French, shown to the user
}

func (e *Message) Error() string { return e.Text }

// Unwrap lets errors.Is match the kind.
func (e *Message) Unwrap() error { return e.Kind }

// New returns an error of the given kind whose text is shown to users.
func New(kind error, format string, args ...any) error {
	return &Message{Kind: kind, Text: fmt.Sprintf(format, args...)}
}

// NewField is New for an error about one input field.
func NewField(kind error, field, format string, args ...any) error {
	return &Message{Kind: kind, Field: field, Text: fmt.Sprintf(format, args...)}
}
