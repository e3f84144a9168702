#!/usr/bin/env bash
# The HTML validation report in a real browser (headless Chromium, Debian's): at 375, 1280
# and 1920 px wide, the summary and the first failure's unexpected count are on the first
# screen, nothing overflows sideways, and the page loads nothing from anywhere (it carries
# a Content-Security-Policy with no source allowed but inline style; the check below runs
# on a copy without it, so that any reference to a resource would show as a request).
#   html_report_test.sh STRATA_BIN SUITE
set -euo pipefail
strata=$1
suite=$2
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium is not installed (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$strata" generate events 20000 --dirty -o events.csv >/dev/null
code=0
"$strata" validate events.csv --suite "$suite" --format html -o report.html 2>/dev/null || code=$?
[ "$code" -eq 1 ] || { echo "validate exited $code, expected 1 (the suite fails)"; exit 1; }

grep -q "Content-Security-Policy\" content=\"default-src 'none'" report.html ||
  { echo "the report has no Content-Security-Policy"; exit 1; }
if grep -Eiq "(src|href)=\"?(https?:)?//" report.html; then
  echo "the report references a resource elsewhere:"; grep -Eio "(src|href)=\"?[^ >]*" report.html; exit 1
fi
for want in "events.csv" "20,000" "Strata" "of 8</b> expectations met" "validated"; do
  grep -q "$want" report.html || { echo "the report does not show '$want'"; exit 1; }
done

# The copy the browser checks: no policy, and a script that measures the page.
python3 - "$tmp/report.html" "$tmp/check.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', '', page)
script = """<script>
(function () {
  var problems = [];
  function onFirstScreen(el, what) {
    if (!el) { problems.push(what + ' missing'); return; }
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) problems.push(what + ' not shown');
    if (r.bottom > window.innerHeight) problems.push(what + ' below the first screen (' + r.bottom + ' > ' + window.innerHeight + ')');
    if (r.left < 0 || r.right > window.innerWidth) problems.push(what + ' off-screen sideways');
  }
  onFirstScreen(document.querySelector('#summary .summary'), 'summary');
  onFirstScreen(document.querySelector('h1 .badge'), 'badge');
  onFirstScreen(document.querySelector('.card.fail .num.unexpected'), 'first unexpected count');
  onFirstScreen(document.querySelector('.card.fail .num.bad:not(.unexpected)'), 'first unexpected percent');
  if (document.documentElement.scrollWidth > window.innerWidth)
    problems.push('page wider than the window (' + document.documentElement.scrollWidth + ' > ' + window.innerWidth + ')');
  var requests = performance.getEntriesByType('resource').map(function (e) { return e.name; });
  if (requests.length) problems.push('requests: ' + requests.join(' '));
  if (document.querySelectorAll('#columns svg rect').length === 0) problems.push('no column chart');
  document.title = 'CHECK ' + (problems.length ? problems.join('; ') : 'ok');
})();
</script>"""
open(sys.argv[2], 'w').write(page.replace('</body>', script + '</body>'))
PY

status=0
for size in 375,800 1280,800 1920,1080; do
  dom=$("$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=$size \
          --dump-dom "file://$tmp/check.html" 2>/dev/null)
  verdict=$(echo "$dom" | grep -o '<title>CHECK [^<]*</title>' | sed 's/<title>CHECK //; s/<\/title>//')
  if [ "$verdict" = "ok" ]; then
    echo "$size: ok"
  else
    echo "$size: ${verdict:-the check did not run}"
    status=1
  fi
done
# And it renders: a screenshot of the real page (with its policy) is made.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,800 \
  --screenshot="$tmp/report.png" "file://$tmp/report.html" >/dev/null 2>&1
[ -s "$tmp/report.png" ] || { echo "no screenshot"; status=1; }
exit $status
