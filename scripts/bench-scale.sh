#!/usr/bin/env bash
# How `signpost build` scales: cold builds (search index included) of generated corpora
# of 1,000, 10,000 and 100,000 pages, one run each, printing wall time, peak resident
# memory and time per page. Issue #18 asks for memory that does not grow with the site
# (100,000 pages under 400 MB) and time linear in the pages.
#
#   scripts/bench-scale.sh                 (1000 10000 100000)
#   scripts/bench-scale.sh 1000 10000      (other sizes)
#   BENCH_DIR=/dev/shm/mine scripts/bench-scale.sh
#
# The corpora are written by ../shared/bench/gen_corpus.py to tmpfs (/dev/shm), as
# bench-build.sh writes them (100,000 pages take about 430 MB of Markdown, and as much
# again of output: check `df -h /dev/shm`). Each output is removed after its run.
set -euo pipefail
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
# Sets repo, gen, work and bin (a release build), or skips without the shared generator.
# shellcheck source=corpus.sh
. "$(dirname "$0")/corpus.sh"

printf '| pages | cold build with search | peak memory | per page |\n| --- | --- | --- | --- |\n'
for pages in "${sizes[@]}"; do
  site="$work/plain-$pages"
  make_corpus "$site" "$pages"
  rm -rf "$site/.signpost-cache" "$work/out-$pages"
  line=$( { /usr/bin/time -f '%e %M' "$bin" build --quiet --root "$site" --out "$work/out-$pages" ; } 2>&1 | tail -1)
  rm -rf "$work/out-$pages"
  echo "$pages $line" | awk '{printf "| %d | %.2f s | %.0f MB | %.0f µs |\n", $1, $2, $3/1024, $2/$1*1e6}'
done
