#!/usr/bin/env bash
# run-unit.sh - run the cmocka unit test binaries given as arguments and sum their results.
#
# Usage: scripts/run-unit.sh build/tests/test_core [more test binaries...]
#
# Each binary's output is shown as it runs. The last line is
# "unit: N passed, M failed", counting test cases from cmocka's
# "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)" lines. A binary
# that crashes, cannot be run or exits non-zero with no failed case counts
# at least one failure, and makes the script exit 1.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The summary lines parsed below are cmocka's standard output format.
export CMOCKA_MESSAGE_OUTPUT=STDOUT

passed=0
failed=0
bad=0
times="" # "SECONDS BINARY" a line, for the slowest list at the end

for bin in "$@"; do
	echo "== $bin"
	if [ ! -x "$bin" ]; then
		echo "run-unit: $bin: not an executable file" >&2
		failed=$((failed + 1))
		bad=1
		continue
	fi

	t0=$SECONDS
	set +e
	"$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	times+="$((SECONDS - t0)) $bin"$'\n'

	# a binary may run several groups (test_store: one per backend): sum their summaries
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$out" |
		awk '{ s += $1 } END { if (NR) print s }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$out" |
		awk '{ s += $1 } END { if (NR) print s }')

	if [ -z "$p" ] && [ -z "$f" ]; then
		# No summary: the binary died mid-run. Count the cases that
		# finished, and the ones started but not finished as failed.
		p=$(grep -c '^\[       OK \]' "$out" || true)
		f=$(( $(grep -c '^\[ RUN      \]' "$out" || true) - p ))
	fi
	p=${p:-0}
	f=${f:-0}

	if [ "$rc" -gt 128 ]; then
		echo "run-unit: $bin: killed by signal $((rc - 128))" >&2
	elif [ "$rc" -ne 0 ] && [ "$f" -lt 1 ]; then
		echo "run-unit: $bin: exited with status $rc" >&2
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -lt 1 ]; then
		f=1
	fi
	if [ "$rc" -ne 0 ] || [ "$f" -gt 0 ]; then
		bad=1
	fi

	passed=$((passed + p))
	failed=$((failed + f))
done

# where the run's time goes, for whoever keeps `make check` short
echo "unit took $SECONDS s; its slowest binaries (s):"
printf '%s' "$times" | sort -rn | head -5 | sed 's/^/  /'
echo "unit: $passed passed, $failed failed"
if [ "$bad" -ne 0 ]; then
	exit 1
fi
