package tenant

import (
	"net"
	"strings"
)

// HostKind says what a request's host name points at.
type HostKind int

// Kinds of host.
const (
	HostUnknown HostKind = iota // not ours, or malformed: 404
	HostPortal                  // <base>: the public portal
	HostAdmin                   // admin.<base>: consoles and the provisioning API
	HostAuth                    // auth.<base>: the identity server's public API
	HostTenant                  // <slug>.<base>: one establishment
)

// ParseHost classifies host (as in the Host header, port allowed) against the base domain.
// For HostTenant it returns the slug, which is always a valid, non-reserved DNS label; the
// schema is never derived from it, only looked up by it.
func ParseHost(host, base string) (HostKind, string) {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	base = strings.TrimSuffix(strings.ToLower(base), ".")
	if host == "" || base == "" {
		return HostUnknown, ""
	}
	if host == base || host == "www."+base {
		return HostPortal, ""
	}
	label, ok := strings.CutSuffix(host, "."+base)
	if !ok || label == "" || strings.Contains(label, ".") {
		return HostUnknown, ""
	}
	switch label {
	case "admin":
		return HostAdmin, ""
	case "auth":
		return HostAuth, ""
	}
	if !ValidSlug(label) || IsReservedSlug(label) {
		return HostUnknown, ""
	}
	return HostTenant, label
}
