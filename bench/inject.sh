#!/usr/bin/env bash
# Benchmark of lm-inject: what `lm-parse | lm-inject` adds to `lm-parse` alone on the
# benchmark corpus (../shared/bench/make-corpus.sh, built into bench/out/corpus/), and
# lm-inject's own throughput over the saved facts. Also counts the taint facts
# (`input`, `sink`) lm-parse's flow engine wrote and the findings. Work files go to
# bench/out/inject/.
#
#   bash bench/inject.sh            # build release binaries, then measure
#   RUNS=5 bash bench/inject.sh     # more runs per case
#   CORPUS=/path/to/tree bash bench/inject.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
corpus="${CORPUS:-$here/out/corpus}"
runs="${RUNS:-3}"
out="$here/out/inject"

if [[ ! -d "$corpus" ]]; then
  if [[ -x "$shared/bench/make-corpus.sh" ]]; then
    bash "$shared/bench/make-corpus.sh" "$corpus"
  else
    echo "inject.sh: no corpus at $corpus and no ../shared/bench/make-corpus.sh; skipped" >&2
    exit 0
  fi
fi

(cd "$repo" && cargo build --release --quiet --bin lm-files --bin lm-parse --bin lm-inject)
bin="$repo/target/release"
mkdir -p "$out"

"$bin/lm-files" "$corpus" > "$out/files.jsonl"
files=$(grep -c '"type":"file"' "$out/files.jsonl" || true)
"$bin/lm-parse" < "$out/files.jsonl" > "$out/parsed.jsonl"
facts=$(grep -c '"type":"fact"' "$out/parsed.jsonl" || true)
inputs=$(grep -c '"kind":"input"' "$out/parsed.jsonl" || true)
sinks=$(grep -c '"kind":"sink"' "$out/parsed.jsonl" || true)
bytes=$(stat -c %s "$out/parsed.jsonl")
echo "corpus: $corpus ($files files, $facts facts: $inputs input, $sinks sink; $((bytes / 1048576)) MB of records)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Runs $2 $runs times; prints "wall cpu" medians (seconds; cpu = user + sys of every
# process in the command). CPU time is what the stage costs; wall time on a shared
# machine swings with other load, so the overhead is computed from CPU time.
measure() { # $1 = label, $2 = shell command
  local w=() c=()
  for _ in $(seq "$runs"); do
    local line
    line=$( { /usr/bin/time -f "%e %U %S" bash -c "$2" > /dev/null; } 2>&1 | tail -1)
    w+=("$(echo "$line" | awk '{print $1}')")
    c+=("$(echo "$line" | awk '{print $2 + $3}')")
  done
  local mw mc
  mw=$(printf '%s\n' "${w[@]}" | median)
  mc=$(printf '%s\n' "${c[@]}" | median)
  printf '%-28s wall %7.2f s  cpu %7.2f s  (median of %s; wall: %s)\n' "$1" "$mw" "$mc" "$runs" "${w[*]}" >&2
  echo "$mw $mc"
}

# The three pipeline cases run interleaved, round by round, so that drifting load on a
# shared machine hits them alike. `lm-parse | cat` is the cost of any pipe.
run_case() { # prints "wall cpu" of one run
  { /usr/bin/time -f "%e %U %S" bash -c "$1" > /dev/null; } 2>&1 | tail -1 \
    | awk '{print $1, $2 + $3}'
}
declare -a pw pc cw cc bw bc
for _ in $(seq "$runs"); do
  read -r w c <<<"$(run_case "'$bin/lm-parse' < '$out/files.jsonl'")"; pw+=("$w"); pc+=("$c")
  read -r w c <<<"$(run_case "'$bin/lm-parse' < '$out/files.jsonl' | cat")"; cw+=("$w"); cc+=("$c")
  read -r w c <<<"$(run_case "'$bin/lm-parse' < '$out/files.jsonl' | '$bin/lm-inject'")"; bw+=("$w"); bc+=("$c")
done
med() { printf '%s\n' "$@" | median; }
parse_w=$(med "${pw[@]}"); parse_c=$(med "${pc[@]}")
cat_w=$(med "${cw[@]}"); cat_c=$(med "${cc[@]}")
both_w=$(med "${bw[@]}"); both_c=$(med "${bc[@]}")
printf '%-28s wall %7.2f s  cpu %7.2f s  (wall runs: %s)\n' "lm-parse" "$parse_w" "$parse_c" "${pw[*]}" >&2
printf '%-28s wall %7.2f s  cpu %7.2f s  (wall runs: %s)\n' "lm-parse | cat" "$cat_w" "$cat_c" "${cw[*]}" >&2
printf '%-28s wall %7.2f s  cpu %7.2f s  (wall runs: %s)\n' "lm-parse | lm-inject" "$both_w" "$both_c" "${bw[*]}" >&2
read -r alone_w alone_c <<<"$(measure "lm-inject (saved facts)" "'$bin/lm-inject' < '$out/parsed.jsonl'")"
echo "lm-inject adds $(echo "scale=1; 100 * ($both_c - $parse_c) / $parse_c" | bc)% CPU to lm-parse alone" \
  "(wall: $(echo "scale=1; 100 * ($both_w - $parse_w) / $parse_w" | bc)% vs lm-parse alone," \
  "$(echo "scale=1; 100 * ($both_w - $cat_w) / $cat_w" | bc)% vs lm-parse | cat);" \
  "on its own it costs $(echo "scale=1; 100 * $alone_c / $parse_c" | bc)% of lm-parse's CPU"
echo "lm-inject alone: $(echo "scale=1; $bytes / 1048576 / $alone_w" | bc) MB/s of records"

# A fact-heavy stream: the fixture apps' records (sinks on most lines of code)
# repeated to about 50 MB, to measure lm-inject where it has work to do.
heavy="$out/heavy.jsonl"
"$bin/lm-files" "$repo/tests/fixtures/inject" | "$bin/lm-parse" > "$out/fixtures.jsonl"
: > "$heavy"
while [[ $(stat -c %s "$heavy") -lt 50000000 ]]; do cat "$out/fixtures.jsonl" >> "$heavy"; done
hsinks=$(grep -c '"kind":"sink"' "$heavy" || true)
hbytes=$(stat -c %s "$heavy")
read -r heavy_w heavy_c <<<"$(measure "lm-inject (fact-heavy stream)" "'$bin/lm-inject' < '$heavy'")"
echo "fact-heavy stream: $((hbytes / 1048576)) MB, $hsinks sink facts:" \
  "$(echo "scale=1; $hbytes / 1048576 / $heavy_c" | bc) MB/s per CPU second," \
  "$(echo "scale=0; $hsinks / $heavy_c" | bc) sink facts/s"

mem=$( { /usr/bin/time -v "$bin/lm-inject" < "$out/parsed.jsonl" > "$out/inject.jsonl"; } 2>&1 \
  | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
findings=$(grep -c '"type":"finding"' "$out/inject.jsonl" || true)
echo "lm-inject peak memory: $((mem / 1024)) MB; findings on the corpus: $findings"
grep '"type":"finding"' "$out/inject.jsonl" \
  | sed -E 's/.*"rule":"([^"]+)".*/\1/' | sort | uniq -c | sort -rn || true
