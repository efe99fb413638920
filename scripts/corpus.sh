# Sourced by the benchmark scripts: sets repo, gen (../shared/bench/gen_corpus.py), work
# (BENCH_DIR, on tmpfs by default) and bin (a release build of signpost), and defines
# make_corpus SITE PAGES, which writes a generated corpus of PAGES pages with a site.yaml
# and a sidebar, once. Without the generator the calling script skips.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gen="$repo/../shared/bench/gen_corpus.py"
[ -f "$gen" ] || { echo "skipped: $gen not found (the shared corpus generator is needed)"; exit 0; }
work=${BENCH_DIR:-/dev/shm/signpost-bench}
mkdir -p "$work"
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/signpost"

make_corpus() {
  local site=$1 pages=$2
  [ -f "$site/site.yaml" ] && return 0
  rm -rf "$site"
  python3 "$gen" --pages "$pages" --out "$site/content" --format plain >/dev/null
  # Every page is linked from others; the sidebar names the first one, so nothing is an orphan.
  local first
  first=$(cd "$site/content" && ls part-00/ch-00/*.md | head -1)
  printf 'title: Benchmark corpus\nsidebar: main_sidebar\n' > "$site/site.yaml"
  mkdir -p "$site/content/_data/sidebars"
  printf 'entries:\n- title: sidebar\n  product: Benchmark\n  folders:\n  - title: Start\n    output: web\n    folderitems:\n    - title: First page\n      url: /%s\n      output: web\n' "${first%.md}.html" \
    > "$site/content/_data/sidebars/main_sidebar.yml"
}
