#!/usr/bin/env bash
# Benchmark `signpost build` on generated corpora of 1,000 and 10,000 pages, and Hugo
# on the same pages when `hugo` is installed. Prints median wall time and peak memory,
# the size of the search index, and each case's ratio to Hugo's time. "warm" keeps the
# highlighting cache and removes the output; "unchanged" keeps both, as does "one page
# edited" (a sentence added to one page before each run).
#
#   scripts/bench-build.sh [RUNS]        (default 5 runs per case)
#   BENCH_DIR=/dev/shm/mine scripts/bench-build.sh
#
# Everything is written to tmpfs (/dev/shm) so disk speed does not decide the result.
set -euo pipefail
runs=${1:-5}
# Sets repo, gen, work and bin (a release build), or skips without the shared generator.
# shellcheck source=corpus.sh
. "$(dirname "$0")/corpus.sh"

# median of the first column, and the max of the second, over lines "seconds kilobytes"
summarise() { sort -n | awk '{t[NR]=$1; if ($2>m) m=$2} END {printf "median %.2f s, peak %.0f MB\n", t[int((NR+1)/2)], m/1024}'; }
# median of the first column
median() { sort -n | awk '{t[NR]=$1} END {print t[int((NR+1)/2)]}'; }

declare -A times
for pages in 1000 10000; do
  site="$work/plain-$pages"
  make_corpus "$site" "$pages"
  for flags in "" "--no-search"; do
    for cache in cold warm; do
      results=""
      for _ in $(seq "$runs"); do
        [ "$cache" = cold ] && rm -rf "$site/.signpost-cache"
        rm -rf "$work/out-$pages"
        # shellcheck disable=SC2086
        line=$( { /usr/bin/time -f '%e %M' "$bin" build --quiet $flags --root "$site" --out "$work/out-$pages" ; } 2>&1 | tail -1)
        results+="$line"$'\n'
      done
      printf 'signpost %6d pages, %-11s %s cache: ' "$pages" "${flags:-with search}" "$cache"
      printf '%s' "$results" | summarise
      median=$(printf '%s' "$results" | median)
      times["${flags:-search} $cache"]=$median
    done
    if [ -z "$flags" ]; then
      printf 'search index on disk: %s\n' "$(du -sh --apparent-size "$work/out-$pages/search-index" | cut -f1)"
      # The output and cache kept from the last run: nothing to do but notice it.
      results=""
      for _ in $(seq "$runs"); do
        line=$( { /usr/bin/time -f '%e %M' "$bin" build --quiet --root "$site" --out "$work/out-$pages" ; } 2>&1 | tail -1)
        results+="$line"$'\n'
      done
      printf 'signpost %6d pages, with search unchanged:    ' "$pages"
      printf '%s' "$results" | summarise
      times["search unchanged"]=$(printf '%s' "$results" | median)
      # One page edited (a sentence added, a different one each run), output and cache kept.
      page="$site/content/$(cd "$site/content" && ls part-00/ch-00/*.md | sed -n 2p)"
      cp "$page" "$work/page.orig"
      results=""
      for i in $(seq "$runs"); do
        printf '\nAn added sentence, number %s.\n' "$i" >> "$page"
        line=$( { /usr/bin/time -f '%e %M' "$bin" build --quiet --root "$site" --out "$work/out-$pages" ; } 2>&1 | tail -1)
        results+="$line"$'\n'
      done
      cp "$work/page.orig" "$page"
      printf 'signpost %6d pages, with search one page edited: ' "$pages"
      printf '%s' "$results" | summarise
      times["search one-edit"]=$(printf '%s' "$results" | median)
    fi
  done
  if command -v hugo >/dev/null; then
    hsite="$work/hugo-$pages"
    [ -d "$hsite" ] || python3 "$gen" --pages "$pages" --out "$hsite" --format hugo >/dev/null
    results=""
    for _ in $(seq "$runs"); do
      rm -rf "$work/hugo-out-$pages"
      line=$( { /usr/bin/time -f '%e %M' hugo --quiet -s "$hsite" -d "$work/hugo-out-$pages" ; } 2>&1 | tail -1)
      results+="$line"$'\n'
    done
    printf 'hugo     %6d pages:                         ' "$pages"
    printf '%s' "$results" | summarise
    hugo_median=$(printf '%s' "$results" | median)
    for case in "search cold" "search warm" "search unchanged" "search one-edit" "--no-search cold" "--no-search warm"; do
      awk -v s="${times[$case]}" -v h="$hugo_median" -v c="$case" \
        'BEGIN {printf "  ratio to hugo, %-17s %.2fx\n", c ":", s / h}'
    done
  else
    echo "hugo not installed: skipped the side-by-side run"
  fi
done
