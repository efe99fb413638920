#!/usr/bin/env bash
# Load test of `signpost serve`: wrk (Debian package `wrk`) requests pages of the bundled
# portal for DURATION seconds while a page is edited EDITS times; reports requests/s,
# errors (non-2xx, socket errors), torn pages (an HTML answer that does not end with
# its closing </html>) and the server's memory (VmRSS) before and after the edits.
#
#   scripts/load-test.sh [--duration 60] [--edits 100] [--connections 50] [--bin PATH]
#
# The site is copied to /dev/shm; the release binary is built if --bin is not given.
# docs/robustness.md quotes the figures.
set -euo pipefail

duration=60 edits=100 connections=50 bin=""
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --edits) edits=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --release --quiet)
  bin="$repo/target/release/signpost"
fi

work=$(mktemp -d /dev/shm/signpost-load-XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
site="$work/site"
mkdir -p "$site"
cp -r "$repo/site.yaml" "$repo/content" "$repo/diagrams" "$site/"
[ -d "$repo/themes" ] && cp -r "$repo/themes" "$site/"

"$bin" serve --root "$site" --port 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 600); do
  url=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "signpost serve printed no address:" >&2; cat "$work/serve.err" >&2; exit 1; }
url=${url%/}

# The edited page and a spread of others: every HTML answer must be whole.
page=$(cd "$site" && find content -name '*.md' ! -path '*/_*' | sort | head -1)
edited="${page#content/}"
edited="${edited%.md}.html"
paths=$(cd "$site/content" && find . -name '*.md' ! -path '*/_*' | sort | head -20 | sed 's|^\./||; s|\.md$|.html|')

cat >"$work/load.lua" <<LUA
local paths = {}
for p in ([[$paths]]):gmatch("[^\n]+") do paths[#paths + 1] = "/" .. p end
paths[#paths + 1] = "/$edited"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; torn = 0; bad = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1
  elseif not body:find("</html>%s*$") then torn = torn + 1 end
end
function done(summary, latency, requests)
  local t, b = 0, 0
  for _, thread in ipairs(threads) do t = t + thread:get("torn"); b = b + thread:get("bad") end
  local e = summary.errors
  io.write(string.format("requests %d in %.1f s: %.0f/s; non-200 %d; socket errors %d; torn pages %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), b,
    e.connect + e.read + e.write + e.timeout, t))
end
LUA

rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
# Warm up: every path once, so the first measurement is of a running server.
wrk -t1 -c1 -d2s -s "$work/load.lua" "$url" >/dev/null
before=$(rss)

editor() {
  local gap
  gap=$(awk -v d="$duration" -v e="$edits" 'BEGIN { printf "%.3f", (d - 5) / e }')
  for i in $(seq 1 "$edits"); do
    # Saved the way editors save: a new file renamed over the page.
    { cat "$site/$page"; printf '\nEdit %d of the load test.\n' "$i"; } >"$site/$page.tmp"
    mv "$site/$page.tmp" "$site/$page"
    sleep "$gap"
  done
}
editor &
editor_pid=$!
wrk -t2 -c"$connections" -d"${duration}s" -s "$work/load.lua" "$url" | tail -1
wait "$editor_pid"
sleep 3 # the last rebuild
after=$(rss)
last=$(curl -s "$url/$edited" | grep -c "Edit $edits of the load test" || true)
echo "memory (VmRSS): ${before} kB before, ${after} kB after ${edits} edits"
echo "the last edit is served: $([ "$last" -gt 0 ] && echo yes || echo no)"
