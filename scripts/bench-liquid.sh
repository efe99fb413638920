#!/usr/bin/env bash
# Liquid's cost against the size of site.data (issue #13): the same 4,000 `{% if %}`
# blocks (40 pages of 100) built with no data file and with a 3,000-entry one that
# every block reads. The two times should be close: a block reads the data, it does
# not copy it.
#
#   scripts/bench-liquid.sh [RUNS]      (default 3; output on tmpfs)
#   PAGES=400 scripts/bench-liquid.sh   (ten times the blocks)
#   SIGNPOST_BIN=path/to/signpost scripts/bench-liquid.sh   (no cargo build)
set -euo pipefail
runs=${1:-3}
pages=${PAGES:-40}   # 100 blocks each
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/dev/shm/signpost-bench-liquid}
[ -n "${SIGNPOST_BIN:-}" ] || cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin=${SIGNPOST_BIN:-$repo/target/release/signpost}

make_site() { # DIR ENTRIES
  local dir=$1 entries=$2
  rm -rf "$dir"
  mkdir -p "$dir/content/_data"
  printf 'title: Liquid benchmark\n' > "$dir/site.yaml"
  for p in $(seq 1 "$pages"); do
    {
      printf -- '---\ntitle: Page %s\n---\n\n' "$p"
      for b in $(seq 1 100); do
        printf '{%% if site.data.glossary.term%s %%}Defined: {{ site.data.glossary.term%s.text }}{%% else %%}Block %s.{%% endif %%}\n\n' "$b" "$b" "$b"
      done
    } > "$dir/content/page-$p.md"
  done
  if [ "$entries" -gt 0 ]; then
    for e in $(seq 1 "$entries"); do
      printf 'term%s:\n  text: "Entry %s of the glossary, with a sentence of text to give it some size."\n' "$e" "$e"
    done > "$dir/content/_data/glossary.yml"
  fi
}

for entries in 0 3000; do
  site="$work/data-$entries"
  make_site "$site" "$entries"
  results=""
  for _ in $(seq "$runs"); do
    rm -rf "$site/.signpost-cache" "$work/out"
    results+=$( { /usr/bin/time -f '%e %M' "$bin" build --quiet --no-check --root "$site" --out "$work/out"; } 2>&1 | tail -1)$'\n'
  done
  printf "%d if blocks, %5d data entries: " $((pages * 100)) "$entries"
  printf '%s' "$results" | sort -n | awk '{t[NR]=$1; if ($2>m) m=$2} END {printf "median %.2f s, peak %.0f MB\n", t[int((NR+1)/2)], m/1024}'
done
[ -n "${KEEP:-}" ] || rm -rf "$work"
