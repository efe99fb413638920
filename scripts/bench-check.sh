#!/usr/bin/env bash
# Times `signpost check` on the generated 10,000-page corpus, and lychee on the same
# site built to HTML when lychee is installed. Prints the figures docs/check.md quotes.
#
#   scripts/bench-check.sh [PAGES] [RUNS] [ENTRIES]   (defaults: 10000 pages, 5 runs, 1)
#   SIGNPOST=/path/to/signpost scripts/bench-check.sh   (time another binary)
#
# ENTRIES is the number of sidebar entries every page shows: 1 (a link home) by default;
# the NHS portals' sidebars have 50 to 150, in folders of about ten.
#
# The corpus goes to /dev/shm (memory) so the disk does not dominate; set BENCH_DIR to
# put it elsewhere. Needs python3 and ../shared/bench/gen_corpus.py.
set -euo pipefail

pages=${1:-10000}
runs=${2:-5}
entries=${3:-1}
repo=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$repo/../shared/bench/gen_corpus.py}
dir=${BENCH_DIR:-/dev/shm/signpost-bench-check}/site-$pages
[ "$entries" = 1 ] || dir=$dir-sidebar-$entries

# SIGNPOST=path/to/signpost times another build of it (to compare versions).
if [ -z "${SIGNPOST:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
signpost=${SIGNPOST:-$repo/target/release/signpost}

if [ ! -f "$dir/site.yaml" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    python3 "$gen" --pages "$pages" --out "$dir/content" --format plain >/dev/null
    # The pages name `main_sidebar`; a home page links every page, so none is an orphan.
    mkdir -p "$dir/content/_data/sidebars"
    {
        printf 'entries:\n- title: sidebar\n  folders:\n  - title: Start\n    folderitems:\n    - title: Home\n      url: /index.html\n'
        # The other entries link the first pages, ten to a folder.
        (cd "$dir/content" && find . -name '*.md' ! -name index.md | sort) |
            awk -v n=$((entries - 1)) 'NR > n { next } { if ((NR - 1) % 10 == 0) printf "  - title: Folder %d\n    folderitems:\n", (NR - 1) / 10 + 1;
                   sub(/^\.\//, ""); sub(/\.md$/, ".html"); printf "    - title: Page %d\n      url: /%s\n", NR, $0 }'
    } >"$dir/content/_data/sidebars/main_sidebar.yml"
    {
        printf -- '---\ntitle: Benchmark corpus\npermalink: /index.html\n---\n\n'
        (cd "$dir/content" && find . -name '*.md' ! -name index.md | sort | sed 's|^\./\(.*\)\.md$|- [\1](\1.html)|')
    } >"$dir/content/index.md"
    printf 'title: Check benchmark (%s pages)\nbase_url: /\nsidebar: main_sidebar\n' "$pages" >"$dir/site.yaml"
fi

# Seconds (wall clock) of the best of $runs runs of a command.
best_of() {
    local best=""
    for _ in $(seq "$runs"); do
        local start end took
        start=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        took=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$took < $best" | bc)" = 1 ]; then best=$took; fi
    done
    printf '%.3f' "$best"
}

# The first run fills the highlighting cache (.signpost-cache), as any second check would.
"$signpost" check --root "$dir" --quiet >/dev/null || true
summary=$("$signpost" check --root "$dir" --verbose 2>&1 || true)
echo "corpus: $pages pages in $dir, $entries sidebar entries"
echo "signpost check: $(echo "$summary" | grep '^checked')"
echo "signpost check, one run: $(echo "$summary" | grep '^loaded')"
echo "signpost check (load + render in memory + check), best of $runs: $(best_of "$signpost" check --root "$dir") s"
# --force: a build of an unchanged site would otherwise notice it and write nothing.
echo "signpost build --no-check --force (load + render + write), best of $runs: $(best_of "$signpost" build --root "$dir" --no-check --force --quiet) s"

if command -v lychee >/dev/null; then
    "$signpost" build --root "$dir" --no-check --quiet
    echo "lychee: $(lychee --version)"
    lychee --offline --include-fragments --no-progress --root-dir "$dir/public" "$dir/public" 2>&1 | tail -n 12 | grep -E 'Total|Errors|OK|Excluded' | tr -s ' ' | paste -sd ' ' || true
    echo "lychee --offline --include-fragments on the built HTML, best of $runs: $(best_of lychee --offline --include-fragments --no-progress --root-dir "$dir/public" "$dir/public") s"
else
    echo "lychee: not installed (cargo install lychee --locked), not timed"
fi
