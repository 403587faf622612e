#!/usr/bin/env bash
# Benchmark of lm-authz: what `lm-parse | lm-authz` adds to `lm-parse` alone on the
# benchmark corpus (../shared/bench/make-corpus.sh, built into bench/out/corpus/), and
# lm-authz's own throughput over the saved facts. Prints wall-clock figures and peak
# memory; work files go to bench/out/authz/.
#
#   bash bench/authz.sh            # build release binaries, then measure
#   RUNS=5 bash bench/authz.sh     # more runs per case
#   CORPUS=/path/to/tree bash bench/authz.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
corpus="${CORPUS:-$here/out/corpus}"
runs="${RUNS:-3}"
out="$here/out/authz"

if [[ ! -d "$corpus" ]]; then
  if [[ -x "$shared/bench/make-corpus.sh" ]]; then
    bash "$shared/bench/make-corpus.sh" "$corpus"
  else
    echo "authz.sh: no corpus at $corpus and no ../shared/bench/make-corpus.sh; skipped" >&2
    exit 0
  fi
fi

(cd "$repo" && cargo build --release --quiet --bin lm-files --bin lm-parse --bin lm-authz)
bin="$repo/target/release"
mkdir -p "$out"

"$bin/lm-files" "$corpus" > "$out/files.jsonl"
files=$(grep -c '"type":"file"' "$out/files.jsonl" || true)
"$bin/lm-parse" < "$out/files.jsonl" > "$out/parsed.jsonl"
facts=$(grep -c '"type":"fact"' "$out/parsed.jsonl" || true)
echo "corpus: $corpus ($files files, $facts facts)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
measure() { # $1 = label, $2 = shell command
  local t=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(now); bash -c "$2" > /dev/null; e=$(now)
    t+=("$(echo "$e - $s" | bc)")
  done
  local m
  m=$(printf '%s\n' "${t[@]}" | median)
  printf '%-34s %8.2f s (median of %s: %s)\n' "$1" "$m" "$runs" "${t[*]}" >&2
  echo "$m"
}

parse=$(measure "lm-parse" "'$bin/lm-parse' < '$out/files.jsonl'")
both=$(measure "lm-parse | lm-authz" "'$bin/lm-parse' < '$out/files.jsonl' | '$bin/lm-authz'")
alone=$(measure "lm-authz (saved facts)" "'$bin/lm-authz' < '$out/parsed.jsonl'")
added=$(echo "scale=1; 100 * ($both - $parse) / $parse" | bc)
echo "lm-authz adds ${added}% to lm-parse alone"

mem=$( { /usr/bin/time -v "$bin/lm-authz" < "$out/parsed.jsonl" > "$out/authz.jsonl"; } 2>&1 \
  | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
lines=$(wc -l < "$out/parsed.jsonl")
mb=$(du -m "$out/parsed.jsonl" | cut -f1)
findings=$(grep -c '"type":"finding"' "$out/authz.jsonl" || true)
echo "lm-authz alone: $lines lines ($mb MB) in ${alone}s, peak RSS $((mem / 1024)) MB, $findings findings"
