#!/bin/sh
# html.sh: ceb-risk --html, the operator's page, rendered in headless
# Chromium (Debian chromium; fonts-noto-cjk for the Chinese) (TAP):
#  - the page is one self-contained file: no script, no link, no image or
#    style it loads, nothing from the network;
#  - it holds the top risks, the distribution of each indicator with its
#    threshold, the trend over the nights and the ranking, with Chinese
#    and English headings, as the browser parses it (--dump-dom);
#  - its screenshot is not blank (ink, colours, the bars' red) and the
#    browser logs no console message for it;
#  - the checks fail when they should: an empty page gives a blank
#    screenshot, a page that logs to the console is caught.
set -u
LC_ALL=C.UTF-8
export LC_ALL
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
tap_need ceb-gen ceb-risk chromium python3
T=$(mktemp -d "${TMPDIR:-/tmp}/risk-html.XXXXXX") || tap_broken "mktemp failed"
trap 'rm -rf "$T"' EXIT INT TERM
cd "$T" || exit 1
unset CEB_RISK_OPTIONS CEBTOOLS_CONFIG 2>/dev/null || :
png="python3 $top/tests/risk/png.py"

# Chromium on a local file: no network, no profile but a fresh one.
# browse PAGE OUT ARGS...: stdout to OUT, stderr to OUT.err
browse() {
	_p=$1 _o=$2
	shift 2
	_u=$(mktemp -d "$T/profile.XXXXXX") || return 1
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$_u" \
	    --enable-logging=stderr --v=0 "$@" "file://$T/$_p" \
	    >"$_o" 2>"$_o.err"
	_s=$?
	rm -rf "$_u"
	return $_s
}
# console FILE.err: the page's console messages the browser logged
console() {
	grep ':CONSOLE' "$1"
}
# blank "W H INK COLOURS RED": 0 (true) when the screenshot is blank
blank() {
	awk -v ink="$3" -v c="$4" -v red="$5" \
	    'BEGIN { exit !(ink < 0.01 || c < 4 || red < 0.0005) }'
}

ceb-gen -q -s 1 -n 1500 --start 20250301 -o n1.xml ||
    tap_broken "ceb-gen night 1 failed"
ceb-gen -q -s 2 -n 500 --start 20250302 -o n2.xml -D risk-ring=10 \
    -D risk-undervalued=5 -D risk-under-limit=6 ||
    tap_broken "ceb-gen night 2 failed"
ceb-risk -q --store s.db n1.xml >/dev/null 2>err1 ||
    tap_broken "ceb-risk night 1 failed: $(cat err1)"
ceb-risk -q --store s.db --html page.html -o rank.csv n2.xml >/dev/null 2>err2 ||
    tap_broken "ceb-risk --html failed: $(cat err2)"
[ -s page.html ] || tap_broken "no page written"

echo "1..7"
# 1: self-contained.  The only URL is the SVG namespace.
loads=$(grep -o -i -e '<script' -e '<link' -e '<iframe' -e '<img' \
    -e 'src=' -e 'href=' -e 'url(' -e '@import' page.html | sort -u | tr '\n' ' ')
urls=$(grep -o -i -e 'https\?://[^" )]*' page.html | sort -u |
    grep -v -x 'http://www.w3.org/2000/svg' | tr '\n' ' ')
if [ -z "$loads" ] && [ -z "$urls" ] &&
    grep -q "Content-Security-Policy\" content=\"default-src 'none'" page.html; then
	echo "ok 1 - the page loads nothing: no script, link, image or URL; CSP default-src 'none'"
else
	echo "not ok 1 - the page loads: $loads $urls"
fi

# 2: as the browser parses it.
browse page.html dom.html --dump-dom
st=$?
ndist=$(grep -o '<svg class="dist"' dom.html | wc -l)
nrows=$(grep -o '<tr><td class="num">' dom.html | wc -l)
ranked=$(($(wc -l <rank.csv) - 1))
if [ $st -eq 0 ] && grep -q '<svg id="top"' dom.html &&
    grep -q '<svg id="trend"' dom.html && [ "$ndist" -ge 5 ] &&
    [ "$(grep -o '<line class="thr"' dom.html | wc -l)" -eq "$ndist" ] &&
    [ "$nrows" -eq "$ranked" ] && [ "$ranked" -gt 0 ] &&
    grep -q '风险报告 / risk report' dom.html &&
    grep -q '阈值 / threshold' dom.html; then
	echo "ok 2 - parsed: top risks, $ndist indicator distributions each with its threshold, the trend, $nrows ranking rows (as -o), Chinese and English"
else
	echo "not ok 2 - parsed (exit $st): $ndist distributions, $nrows rows of $ranked: $(head -c 300 dom.html.err)"
fi

# 3, 4: the screenshot and the console.
browse page.html shot.out --window-size=1000,1600 --screenshot="$T/shot.png"
st=$?
set -- $($png shot.png)
if [ $st -eq 0 ] && [ $# -eq 5 ] && ! blank "$@"; then
	echo "ok 3 - screenshot $1x$2 not blank: ink $3, $4 colours, bar red $5"
else
	echo "not ok 3 - screenshot (exit $st): $*"
fi
c=$(console shot.out.err; console dom.html.err)
if [ -z "$c" ]; then
	echo "ok 4 - no console message while the page loads and renders"
else
	echo "not ok 4 - console: $(echo "$c" | head -3)"
fi

# 5, 6: the checks can fail.
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>\n' >empty.html
browse empty.html empty.out --window-size=1000,1600 --screenshot="$T/empty.png"
set -- $($png empty.png)
if [ $# -eq 5 ] && blank "$@"; then
	echo "ok 5 - an empty page is found blank ($*)"
else
	echo "not ok 5 - an empty page passes as not blank: $*"
fi
sed 's|</body>|<script>console.error("broken")</script><img src="http://192.0.2.1/x.png"></body>|' \
    page.html >bad.html
browse bad.html bad.dom --dump-dom
n=$(console bad.dom.err | wc -l)
if [ "$n" -ge 2 ]; then
	echo "ok 6 - a page with a script and a network image is caught: $n console messages (the page's CSP blocks both)"
else
	echo "not ok 6 - a console message went unseen: $(tail -3 bad.dom.err)"
fi

# 7: the page of a rerun is the same page.
cp page.html page1.html
ceb-risk -q --store s.db --html page.html n2.xml >/dev/null 2>err3
st=$?
if [ $st -eq 0 ] && cmp -s page1.html page.html; then
	echo "ok 7 - a rerun writes the same page"
else
	echo "not ok 7 - rerun: exit $st, $(diff page1.html page.html | head -3)"
fi
