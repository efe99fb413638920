#!/usr/bin/env bash
# `signpost check --external` against lychee on a local mirror, as no other host is
# reachable from the development machine: a generated site whose external links lead to
# four loopback hosts (127.0.0.1-4, scripts/external-mirror.py) that answer after DELAY
# ms, 80% of them 200, 10% 404 and 10% a 301 to a working page. Prints, for each tool,
# the time of a cold run and of a run with its cache, the requests the hosts received,
# the most in flight at once, and what each reported.
#
#   scripts/bench-external.sh [PAGES] [LINKS_PER_PAGE] [DELAY_MS]   (defaults: 20 30 50)
#   SIGNPOST=/path/to/signpost LYCHEE=/path/to/lychee scripts/bench-external.sh
#
# Both tools get the same limits: 8 requests at a time per host (signpost's `per_host`,
# lychee's --host-concurrency), a 10 s timeout, and no more than 2 retries. The "nogap" run
# also lifts lychee's default 50 ms pause between two requests to one host.
set -euo pipefail

pages=${1:-20}
per_page=${2:-30}
delay=${3:-50}
port=${PORT:-8765}
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-/dev/shm/signpost-bench-external}
if [ -z "${SIGNPOST:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
signpost=${SIGNPOST:-$repo/target/release/signpost}
lychee=${LYCHEE:-lychee}
hosts=(127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4)

python3 "$repo/scripts/external-mirror.py" "$port" "$delay" "${hosts[@]}" >"$dir.server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do
    grep -q serving "$dir.server.log" 2>/dev/null && break
    sleep 0.1
done
stats() { python3 -c "import json,urllib.request;print(json.load(urllib.request.urlopen('http://127.0.0.1:$port/__stats')))"; }
reset() { python3 -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:$port/__reset')"; }

rm -rf "$dir"
mkdir -p "$dir/site/content"
printf 'title: External links benchmark\ncheck:\n  orphan-page: ignore\n  external:\n    per_host: 8\n    timeout: 10s\n    retries: 2\n' >"$dir/site/site.yaml"
{
    printf -- '---\ntitle: Home\n---\n\n'
    for p in $(seq "$pages"); do printf -- '- [Page %d](p%d.html)\n' "$p" "$p"; done
} >"$dir/site/content/index.md"
for p in $(seq "$pages"); do
    {
        printf -- '---\ntitle: Page %d\n---\n\n' "$p"
        # Every page also links one URL all pages share, with a fragment.
        printf -- '- [shared](http://127.0.0.1:%d/ok/shared#details)\n' "$port"
        for i in $(seq "$per_page"); do
            host=${hosts[$(((p * per_page + i) % 4))]}
            case $((i % 10)) in 0) kind=gone ;; 1) kind=moved ;; *) kind=ok ;; esac
            printf -- '- [link %d](http://%s:%d/%s/%d-%d)\n' "$i" "$host" "$port" "$kind" "$p" "$i"
        done
    } >"$dir/site/content/p$p.md"
done
"$signpost" build --root "$dir/site" --out "$dir/public" --no-check --quiet

seconds() { python3 -c "import sys;print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

run_signpost() {
    reset
    local start end
    start=$(date +%s.%N)
    (cd "$dir/site" && "$signpost" check --external --format json >"$dir/signpost-$1.json") || true
    end=$(date +%s.%N)
    printf 'signpost %-5s %6s s  hosts saw %s  ' "$1" "$(seconds "$start" "$end")" "$(stats)"
    python3 -c "import json,sys;s=json.load(open(sys.argv[1]))['summary'];x=s['external_checked'];print(f\"{x['links']} links, {x['urls']} URLs, {x['cached']} cached; by kind:\", {k: v['errors'] + v['warnings'] for k, v in s['by_kind'].items()})" "$dir/signpost-$1.json"
}

run_lychee() {
    reset
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && "$lychee" --no-progress --format json --scheme http --scheme https \
        --host-concurrency 8 --timeout 10 --max-retries 2 ${2:-} public >"$dir/lychee-$1.json") || true
    end=$(date +%s.%N)
    printf 'lychee   %-5s %6s s  hosts saw %s  ' "$1" "$(seconds "$start" "$end")" "$(stats)"
    python3 -c "import json,sys;s=json.load(open(sys.argv[1]));print(f\"{s['total']} links, {s['unique']} URLs, {s.get('cached', 0)} cached; errors {s['errors']}, redirects {s.get('redirects', 0)}, successful {s['successful']}\")" "$dir/lychee-$1.json"
}

rm -f "$dir/site/.signpost-cache/external.json" "$dir/.lycheecache"
run_signpost cold
run_signpost warm
run_lychee cold "--cache"
run_lychee warm "--cache"
# lychee also waits 50 ms between two requests to one host by default; without that pause:
rm -f "$dir/.lycheecache"
run_lychee nogap "--host-request-interval 0s"
