#!/bin/sh
# Makes sure Debian's headless-capable Chromium is installed: the browser tests
# (cmd/cartable/browser_test.go) drive it through chromedp. As root it installs the
# package; otherwise it prints the command to run and fails.
set -eu

if command -v chromium >/dev/null 2>&1; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "ensure-chromium: installing Debian's chromium package for the browser tests" >&2
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
	command -v chromium >/dev/null 2>&1 || {
		echo "ensure-chromium: chromium is still missing after apt-get install" >&2
		exit 1
	}
	exit 0
fi

echo "ensure-chromium: the browser tests need Chromium; install it with:" >&2
echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium'" >&2
exit 1
