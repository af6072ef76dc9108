#!/usr/bin/env bash
# focus-model.sh - train the dispute-focus model from the labelled texts committed under data/focus/.
#
# Usage: scripts/focus-model.sh DISPUTED_BIN OUT      train, write the model to OUT
#        scripts/focus-model.sh --list                print the training files, one a line
#
# The training set is ../shared/data/focus/focus_dev.tsv and every data/focus/train*.tsv
# (in byte order); data/focus/heldout.tsv is never trained on. `make model`
# writes etc/focus.model with it, and tests/e2e/test_focus.py runs it to check
# that the committed model is what the committed data give, byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(../shared/data/focus/focus_dev.tsv)
while IFS= read -r f; do
	files+=("$f")
done < <(find data/focus -maxdepth 1 -name 'train*.tsv' | LC_ALL=C sort)

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${files[@]}"
	exit 0
fi
if [ "$#" -ne 2 ]; then
	echo "usage: $0 DISPUTED_BIN OUT | --list" >&2
	exit 2
fi
bin=$1
out=$2
case "$bin" in /*) ;; */*) bin=$OLDPWD/$bin ;; esac
case "$out" in /*) ;; *) out=$OLDPWD/$out ;; esac
args=()
for f in "${files[@]}"; do
	args+=(--data "$f")
done
exec "$bin" focus train "${args[@]}" --out "$out"
