// Package fault defines the kinds of error that domain code returns and that the web layer
// maps to HTTP statuses and pages. It depends on the standard library only, so that every
// package can use it.
package fault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
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
	// ErrBusy: the server is saturated for a moment; the same request should succeed later.
	ErrBusy = errors.New("busy")
)

// Busy is an ErrBusy that says when to try again (HTTP Retry-After) and what to tell users.
type Busy struct {
	RetryAfter time.Duration
	Text       string // French, shown to the user
	Err        error  // the cause, for the logs; may be nil
}

func (e *Busy) Error() string {
	if e.Err == nil {
		return e.Text
	}
	return e.Text + ": " + e.Err.Error()
}

// Unwrap lets errors.Is match ErrBusy and the cause.
func (e *Busy) Unwrap() []error { return []error{ErrBusy, e.Err} }

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
	Cause error  // what went wrong underneath: logged, never shown (it may name internal hosts)
}

// Error is the text, followed by the cause for the logs.
func (e *Message) Error() string {
	if e.Cause != nil {
		return e.Text + ": " + e.Cause.Error()
	}
	return e.Text
}

// Unwrap lets errors.Is match the kind and the cause.
func (e *Message) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

// Wrap is New with the underlying error kept for the logs and errors.Is, out of the text
// users see (a dependency's raw error can hold an internal URL).
func Wrap(kind, cause error, format string, args ...any) error {
	return &Message{Kind: kind, Text: fmt.Sprintf(format, args...), Cause: cause}
}

// New returns an error of the given kind whose text is shown to users.
func New(kind error, format string, args ...any) error {
	return &Message{Kind: kind, Text: fmt.Sprintf(format, args...)}
}

// NewField is New for an error about one input field.
func NewField(kind error, field, format string, args ...any) error {
	return &Message{Kind: kind, Field: field, Text: fmt.Sprintf(format, args...)}
}

// Decoding turns an error from reading a request body into a French message that says what
// is wrong and where, without the decoder's own words. A body over the route's limit
// (http.MaxBytesReader) is ErrTooLarge and gives the limit.
func Decoding(err error) error {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return Wrap(ErrTooLarge, err, "requête trop volumineuse : %s au plus", ByteSize(mbe.Limit))
	case errors.As(err, &syn):
		return Wrap(ErrInvalid, err, "JSON invalide vers l'octet %d : vérifiez les guillemets, virgules et accolades", syn.Offset)
	case errors.As(err, &typ):
		return Wrap(ErrInvalid, err, "JSON : le champ « %s » n'a pas le bon type (attendu : %s)", typ.Field, typ.Type.String())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Wrap(ErrInvalid, err, "corps JSON vide ou tronqué : envoyez l'objet complet")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Wrap(ErrInvalid, err, "JSON : champ inconnu %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return Wrap(ErrInvalid, err, "requête illisible : envoyez un formulaire ou du JSON valide")
}

// ByteSize writes a size for people: "1 Mo", "64 Ko", "512 octets".
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d Mo", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d Ko", n>>10)
	}
	return fmt.Sprintf("%d octets", n)
}
