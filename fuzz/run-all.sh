#!/usr/bin/env bash
# Runs every fuzz target (or the TARGETS named) for SECONDS each (default 600), JOBS at a
# time (default 2), seeding the corpus first; each stops at SECONDS or RUNS executions
# (default 10 million), whichever comes first. Prints each target's executions, corpus
# size and whether it found a crash (saved under fuzz/artifacts/TARGET). Needs nightly
# Rust and cargo-fuzz. TIMEOUT is libFuzzer's limit per input in seconds (default 10):
# raise it when the targets run at low priority beside other work, where an input can
# wait for the CPU longer than it takes to run.
#
#   fuzz/run-all.sh [SECONDS [JOBS [TARGETS...]]]
#   MAX_LEN=1024 RUNS=20000000 TIMEOUT=60 fuzz/run-all.sh 7200 2 markdown liquid
set -uo pipefail
seconds=${1:-600} jobs=${2:-2}
shift 2 2>/dev/null || shift $#
max_len=${MAX_LEN:-4096} runs=${RUNS:-10000000} timeout=${TIMEOUT:-10}
cd "$(dirname "$0")"
./seed.sh >/dev/null
cargo +nightly fuzz build -O -a -s none >/dev/null 2>&1 || { echo "cargo fuzz build failed" >&2; exit 2; }
mkdir -p logs
run() {
  local t=$1
  cargo +nightly fuzz run -O -a -s none "$t" -- -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=3072 \
    -max_len="$max_len" -runs="$runs" >"logs/$t.log" 2>&1
  local status=$?
  local done_line
  done_line=$(grep -E '^Done [0-9]+ runs' "logs/$t.log" | tail -1)
  local corpus
  corpus=$(ls "corpus/$t" | wc -l)
  echo "$t: ${done_line:-no summary} corpus $corpus files; exit $status$([ $status -ne 0 ] && echo ' (see fuzz/logs/'"$t"'.log)')"
}
targets=${*:-$(cargo +nightly fuzz list)}
running=0
for t in $targets; do
  run "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
