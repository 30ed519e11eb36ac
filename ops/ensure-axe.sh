#!/bin/sh
# Makes sure axe-core (the accessibility rules the browser tests run in Chromium,
# cmd/cartable/browser_test.go) is in the cache: its npm package, at a pinned version,
# unpacked once into ~/.cache/cartable/axe-core-<version>/ (npm checks its integrity).
set -eu

version=4.10.3
dir="${XDG_CACHE_HOME:-$HOME/.cache}/cartable/axe-core-$version"

if [ -s "$dir/axe.min.js" ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	# npm comes from Debian, like Chromium (ops/ensure-chromium.sh); the package from the
	# npm registry.
	if [ "$(id -u)" -ne 0 ]; then
		echo "ensure-axe: the browser tests need npm to fetch axe-core; install it with:" >&2
		echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm'" >&2
		exit 1
	fi
	echo "ensure-axe: installing Debian's npm package to fetch axe-core" >&2
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y npm
	command -v npm >/dev/null 2>&1 || {
		echo "ensure-axe: npm is still missing after apt-get install" >&2
		exit 1
	}
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null && tar -xzf "axe-core-$version.tgz")
mkdir -p "$dir"
cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dir/"
echo "ensure-axe: axe-core $version in $dir" >&2
