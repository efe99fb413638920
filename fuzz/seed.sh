#!/usr/bin/env bash
# Fills fuzz/corpus/TARGET with seeds: the bundled portal's pages and diagrams, and the
# shared sites (../shared/sites) when present. The corpus is not committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared="$repo/../shared/sites"
corpus="$here/corpus"
mkdir -p "$corpus"/{front_matter,markdown,process_yaml,drawio,html_scan,liquid}
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
mapfile -t includes < <(find ${shared:+"$shared"} -path '*_includes/*' -name '*.html' 2>/dev/null)
seed liquid "${pages[@]}" "${includes[@]}"
# Every template of Shopify's liquid-spec, one file each (python3's yaml reads the specs).
specs="$repo/../shared/specs/liquid/specs"
if [ -d "$specs" ] && python3 -c 'import yaml' 2>/dev/null; then
  python3 - "$specs" "$corpus/liquid" <<'PY'
import hashlib, pathlib, sys, yaml
specs, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for f in specs.rglob("*.yml"):
    try:
        doc = yaml.safe_load(f.read_text())
    except Exception:
        continue
    for spec in (doc or {}).get("specs", []) if isinstance(doc, dict) else []:
        t = spec.get("template") if isinstance(spec, dict) else None
        if isinstance(t, str) and t:
            (out / hashlib.sha1(t.encode()).hexdigest()[:16]).write_text(t)
PY
fi
for t in "$corpus"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
