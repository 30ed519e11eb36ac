#!/bin/sh
# Makes sure stripe-mock (Stripe's API mock: the billing tests and `make dev` invoice the
# départements against it, offline) is in the project's .bin/, built once with `go install`
# from the Go module proxy at a pinned version. A binary of another version is rebuilt.
# ops/localstack/stripemock.go starts it; ops/testenv/stripemock.go finds it for the tests.
set -eu

version=v0.203.0
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.bin/stripe-mock"
stamp="$root/.bin/stripe-mock.version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
	exit 0
fi
mkdir -p "$root/.bin"
echo "ensure-stripe-mock: building stripe-mock $version into $root/.bin (once)" >&2
GOBIN="$root/.bin" GOFLAGS=-mod=mod go install "github.com/stripe/stripe-mock@$version"
echo "$version" >"$stamp"
