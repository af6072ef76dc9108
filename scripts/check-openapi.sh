#!/usr/bin/env bash
# check-openapi.sh - lint docs/openapi.yaml with Redocly CLI and check that it documents exactly the routes the server registers.
#
# Usage: scripts/check-openapi.sh BIN
#   BIN is the disputed binary; `BIN routes` prints one "METHOD PATH" line per
#   registered route. Installs the npm dev dependencies (package-lock.json)
#   when they are missing. Exits 0 only if the spec lints without errors and
#   the two route lists are equal.
set -euo pipefail

if [ "$#" -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi

bin=$1
case "$bin" in
/*) ;;
*) bin="$PWD/$bin" ;;
esac
if [ ! -x "$bin" ]; then
	echo "check-openapi: $1 is not an executable file" >&2
	exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
spec=docs/openapi.yaml

for tool in node npm npx; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-openapi: $tool not found (Debian: apt-get install nodejs npm)" >&2
		exit 2
	fi
done

if [ ! -d node_modules/@redocly/cli ] || [ ! -d node_modules/yaml ]; then
	npm ci --no-audit --no-fund
fi

# (b) Lint; redocly exits non-zero when it finds errors. No telemetry, no
# update check: this runs in CI.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	npx --no-install redocly lint "$spec"

# (c) Compare the server's routes with the spec's (method, path) pairs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$bin" routes >"$tmp/server.raw"; then
	echo "check-openapi: '$1 routes' failed" >&2
	exit 1
fi
# Trim stray whitespace and CRs, squeeze the separator, drop blank lines.
sed -e 's/\r$//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e 's/[[:space:]][[:space:]]*/ /' \
	"$tmp/server.raw" | grep -v '^$' | LC_ALL=C sort -u >"$tmp/server" || true

node - "$spec" >"$tmp/spec.raw" <<'EOF'
// Print "METHOD PATH" for every operation in the OpenAPI document argv[2].
const fs = require('fs');
const YAML = require('yaml');

const file = process.argv[2];
const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
if (!doc || typeof doc.paths !== 'object' || doc.paths === null) {
  console.error(`check-openapi: ${file} has no paths`);
  process.exit(1);
}
for (const [path, item] of Object.entries(doc.paths)) {
  for (const m of methods) {
    if (item && Object.prototype.hasOwnProperty.call(item, m)) {
      console.log(`${m.toUpperCase()} ${path}`);
    }
  }
}
EOF
LC_ALL=C sort -u "$tmp/spec.raw" >"$tmp/spec"

if [ ! -s "$tmp/server" ]; then
	echo "check-openapi: '$1 routes' printed no routes" >&2
	exit 1
fi

LC_ALL=C comm -23 "$tmp/server" "$tmp/spec" >"$tmp/undocumented"
LC_ALL=C comm -13 "$tmp/server" "$tmp/spec" >"$tmp/unserved"

fail=0
if [ -s "$tmp/undocumented" ]; then
	echo "check-openapi: routes the server registers that $spec does not describe:" >&2
	sed 's/^/  /' "$tmp/undocumented" >&2
	fail=1
fi
if [ -s "$tmp/unserved" ]; then
	echo "check-openapi: routes in $spec that the server does not register:" >&2
	sed 's/^/  /' "$tmp/unserved" >&2
	fail=1
fi
if [ "$fail" -ne 0 ]; then
	exit 1
fi

echo "check-openapi: OK: $spec passes redocly lint and matches the $(wc -l <"$tmp/server") routes of $1"
