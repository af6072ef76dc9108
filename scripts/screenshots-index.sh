#!/bin/sh
# screenshots-index.sh - the index of the pages' screenshots in DIR (default docs/screenshots) as Markdown, one row per page, a link per width and language; `make screenshots` writes it to DIR/README.md.
set -eu
dir=${1:-docs/screenshots}
echo "# Screenshots of the pages"
echo
echo "Written by \`make screenshots\` (the browser tests, in Debian's Chromium) at a"
echo "phone's width (360 px) and a desktop's (1100 px; the verifier 1280 px), in"
echo "Chinese and in English. Each row is one page; each link one picture."
echo
echo "| page | phone, 中文 | phone, English | desktop, 中文 | desktop, English |"
echo "|---|---|---|---|---|"
# the pages, by party in the order a dispute meets them, then any other
pages=$(ls "$dir" | sed -n 's/-\(phone\|desktop\)-\(zh\|en\)\.png$//p' | sort -u)
for party in verify consumer merchant agent court association regulator; do
	echo "$pages" | grep "^$party\(-\|$\)" || true
done > "$dir/.order"
echo "$pages" | grep -v -x -F -f "$dir/.order" >> "$dir/.order" || true
while read -r page; do
	[ -n "$page" ] || continue
	row="| $page"
	for w in phone desktop; do
		for l in zh en; do
			f="$page-$w-$l.png"
			if [ -f "$dir/$f" ]; then row="$row | [$w $l]($f)"; else row="$row | –"; fi
		done
	done
	echo "$row |"
done < "$dir/.order"
rm -f "$dir/.order"
