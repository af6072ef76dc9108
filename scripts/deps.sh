#!/usr/bin/env bash
# deps.sh - install the Debian packages that building, testing and the demo of disputed need (idempotent).
set -euo pipefail

packages=(
	build-essential pkg-config
	libmicrohttpd-dev libjansson-dev libsodium-dev libssl-dev libsqlite3-dev libglib2.0-dev libcurl4-openssl-dev zlib1g-dev
	liblinear-dev
	libpq-dev postgresql
	libcmocka-dev
	libcairo2-dev libpango1.0-dev libjpeg62-turbo-dev fonts-noto-cjk poppler-utils
	libvips-dev
	python3 sqlite3 curl jq ca-certificates
	nodejs npm
	chromium
)

# `deps.sh fuzz` adds what `make fuzz` needs: clang and its libFuzzer runtime;
# `deps.sh bench` what `make bench` needs: wrk, the HTTP load generator, and
# ImageMagick, which the photo comparison is measured against, and Go with
# golang.org/x/mod (sumdb/tlog), the peer of the log's tree and proof figures.
for group in "$@"; do
	case "$group" in
	fuzz) packages+=(clang libclang-rt-dev) ;;
	bench) packages+=(wrk imagemagick golang-go golang-golang-x-mod-dev) ;;
	*) echo "deps.sh: unknown group $group" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

# A Node.js that did not come from Debian (e.g. a newer one on PATH) serves as well.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	filtered=()
	for p in "${missing[@]}"; do
		case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
	done
	missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
