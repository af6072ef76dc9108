#!/usr/bin/env bash
# focus-cv.sh - measure the focus classifier's options by cross-validation and print the table of docs/assist.md.
#
# Usage: scripts/focus-cv.sh [DISPUTED_BIN] [DATA.tsv...]
# Defaults: build/disputed, and the training data of `make model`. Each row
# changes one thing from the default options (the first row) and runs
# `disputed focus cv` (stratified 5-fold, 5 shuffles); the figures are
# mean ± standard deviation over the shuffles. The keyword baseline needs
# no training: it is evaluated once on all the data. Takes a few minutes.
set -euo pipefail

bin=${1:-build/disputed}
shift || true
if [ "$#" -eq 0 ]; then
	mapfile -t files < <(scripts/focus-model.sh --list)
	set -- "${files[@]}"
fi
data=()
for f in "$@"; do
	data+=(--data "$f")
done

figures() {
	python3 -c 'import json, sys
o = json.load(sys.stdin)
print("| %.3f ± %.3f | %.3f ± %.3f |" % (o["accuracy"], o.get("accuracy_sd", 0),
                                        o["macro_f1"], o.get("macro_f1_sd", 0)))'
}

row() {
	local what=$1
	shift
	printf '| %s | `%s` ' "$what" "${*:-(defaults)}"
	"$bin" focus cv "${data[@]}" --json "$@" | figures
}

echo "| what changes | options | accuracy | macro-F1 |"
echo "|---|---|---|---|"
printf '| keyword baseline | `focus eval --baseline` '
"$bin" focus eval "${data[@]}" --baseline --json | figures
row "the choice"
row "keyword-list features" --keywords
row "secondary labels not trained" --no-secondary
row "no class weights" --no-balanced
row "binary features" --weighting binary
row "n-grams across punctuation" --split space
row "n-grams 1-3" --ngrams 1-3
row "n-grams 1-3, across punctuation" --ngrams 1-3 --split space
row "n-grams seen once kept" --min-df 1
for c in 0.3 1 3 10 30; do
	row "C" --c "$c"
done
for c in 0.1 0.3 1 3; do
	row "linear SVM" --solver svm --c "$c"
done
for c in 0.3 1 3; do
	row "Crammer-Singer SVM" --solver cs --c "$c"
done
for c in 1 3 10 30; do
	row "L1 logistic regression" --solver l1lr --c "$c"
done
row "n-grams only (LR)" --no-keywords --no-secondary --split space --ngrams 1-3 --c 3
row "n-grams only (SVM)" --no-keywords --no-secondary --split space --solver svm --c 0.3
row "n-grams only (L1 LR)" --no-keywords --no-secondary --split space --solver l1lr --c 10
