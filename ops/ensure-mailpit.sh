#!/bin/sh
# Makes sure mailpit (the development mailbox: an SMTP server with a JSON API, started by
# `make dev` and by the notification tests) is in the cache, built once with `go install`
# from the Go module proxy at a pinned version into ~/.cache/cartable/mailpit-<version>/.
# ops/localstack/mailpit.go does the same when the binary is missing; its web UI is not
# used (the dev page of cartable lists the mails through the API).
set -eu

version=v1.33.1
dir="${XDG_CACHE_HOME:-$HOME/.cache}/cartable/mailpit-$version"

if [ -x "$dir/mailpit" ]; then
	exit 0
fi
mkdir -p "$dir"
echo "ensure-mailpit: building mailpit $version into $dir (once; about a minute on 2 cores)" >&2
GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/axllent/mailpit@$version"
