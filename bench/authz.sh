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

# A fact-heavy stream: the parse output of every tests/fixtures/authz app, repeated
# under 200 directory prefixes (about 200 small apps in one monorepo).
copies="${COPIES:-200}"
for app in "$repo"/tests/fixtures/authz/*/; do
  "$bin/lm-files" "$app" | "$bin/lm-parse"
done > "$out/fixtures.jsonl"
python3 - "$out/fixtures.jsonl" "$out/many.jsonl" "$copies" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(src) if l.strip()]
with open(dst, "w") as out:
    for k in range(n):
        for r in lines:
            if r.get("type") in ("file", "fact"):
                r = dict(r, path=f"app{k}/{r['path']}")
            out.write(json.dumps(r) + "\n")
PY
many=$(measure "lm-authz (${copies} fixture apps)" "'$bin/lm-authz' < '$out/many.jsonl'")
facts_many=$(grep -c '"type": *"fact"' "$out/many.jsonl" || true)
mem_many=$( { /usr/bin/time -v "$bin/lm-authz" < "$out/many.jsonl" > "$out/many-out.jsonl"; } 2>&1 \
  | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
findings_many=$(grep -c '"type":"finding"' "$out/many-out.jsonl" || true)
echo "lm-authz on $copies fixture apps: $facts_many facts in ${many}s, peak RSS $((mem_many / 1024)) MB, $findings_many findings"
