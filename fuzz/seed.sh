#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET with seeds: the bundled portal's pages and diagrams, and the
# shared sites (../shared/sites) when present. The corpus is not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared="$repo/../shared/sites"
corpus="$here/corpus"
mkdir -p "$corpus"/{front_matter,markdown,process_yaml,drawio,html_scan}
seed() { # target, files...
  local target=$1; shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$corpus/$target/$(sha1sum "$f" | cut -c1-16)"
  done
}
mapfile -t pages < <(find "$repo/content" ${shared:+"$shared"} -name '*.md' 2>/dev/null)
mapfile -t yamls < <(find "$repo/content" "$repo/site.yaml" ${shared:+"$shared"} -name '*.y*ml' 2>/dev/null)
mapfile -t diagrams < <(find "$repo/diagrams" "$repo/tests/fixtures" -path '*diagrams/*.yaml' 2>/dev/null)
mapfile -t html < <(find ${shared:+"$shared"} "$repo/themes" -name '*.html' 2>/dev/null)
mapfile -t drawings < <(grep -rl 'mxgraph' ${shared:+"$shared"} "$repo/tests/fixtures" 2>/dev/null || true)
seed front_matter "${pages[@]}" "${yamls[@]}"
seed markdown "${pages[@]}"
seed process_yaml "${diagrams[@]}"
seed html_scan "${html[@]}" "${pages[@]}"
seed drawio "${drawings[@]}"
for t in "$corpus"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
