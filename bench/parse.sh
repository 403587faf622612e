#!/usr/bin/env bash
# Benchmark of lm-parse on the benchmark corpus (../shared/bench/make-corpus.sh, built into
# bench/out/corpus/ when missing) against `ast-grep run -p 'process.env.$A' -l js`, side by
# side with hyperfine. Prints wall times, files/s and MB/s, and lm-parse's peak memory.
#
#   bash bench/parse.sh            # corpus at bench/out/corpus/pkgs
#   bash bench/parse.sh DIR        # any tree
#   RUNS=5 bash bench/parse.sh     # more runs per command (default 3)
#
# Both tools read every file (lm-files --no-ignore --hidden; ast-grep --no-ignore for
# hidden, dot and vcs files), since bench/out is git-ignored in this repository. "JS
# files" are the records lm-files tags `javascript` (.js .mjs .cjs), ast-grep's `-l js`
# set; "all JS/TS" adds jsx, typescript and tsx.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
runs="${RUNS:-3}"
out="$here/out/parse"

if [[ $# -ge 1 ]]; then
  tree="$1"
else
  corpus="$here/out/corpus"
  tree="$corpus/pkgs"
  if [[ ! -d "$tree" ]]; then
    if [[ -x "$shared/bench/make-corpus.sh" ]]; then
      bash "$shared/bench/make-corpus.sh" "$corpus"
    else
      echo "parse.sh: no corpus at $tree and no ../shared/bench/make-corpus.sh; pass a DIR" >&2
      exit 1
    fi
  fi
fi

if ! command -v ast-grep >/dev/null; then
  echo "parse.sh: installing ast-grep (pip install ast-grep-cli)" >&2
  pip install --quiet ast-grep-cli
fi
for tool in hyperfine jq; do
  command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done

(cd "$repo" && cargo build --release --quiet --bin lm-files --bin lm-parse)
bin="$repo/target/release"
mkdir -p "$out"

# The file lists, once: the input each lm-parse run reads (listing is lm-files' own
# benchmark; it is timed here only in the end-to-end pipeline row).
"$bin/lm-files" --no-ignore --hidden --no-summary "$tree" >"$out/all.jsonl"
grep '"language":"javascript"' "$out/all.jsonl" >"$out/js.jsonl" || true
grep -E '"language":"(javascript|jsx|typescript|tsx)"' "$out/all.jsonl" >"$out/jsts.jsonl" || true

count_bytes() { jq -s 'map(.size) | add // 0' "$1"; }
js_files=$(wc -l <"$out/js.jsonl"); js_bytes=$(count_bytes "$out/js.jsonl")
all_files=$(wc -l <"$out/jsts.jsonl"); all_bytes=$(count_bytes "$out/jsts.jsonl")

# What each produces (and lm-parse's peak memory), outside the timed runs.
/usr/bin/time -f "%M" -o "$out/mem-js.txt" "$bin/lm-parse" <"$out/js.jsonl" >"$out/facts-js.jsonl"
/usr/bin/time -f "%M" -o "$out/mem-all.txt" "$bin/lm-parse" <"$out/jsts.jsonl" >"$out/facts-all.jsonl"
/usr/bin/time -f "%M" -o "$out/mem-sg.txt" \
  ast-grep run --no-ignore hidden --no-ignore dot --no-ignore vcs -p 'process.env.$A' -l js "$tree" \
  >"$out/sg.txt" || true
facts_js=$(grep -c '"type":"fact"' "$out/facts-js.jsonl" || true)
facts_all=$(grep -c '"type":"fact"' "$out/facts-all.jsonl" || true)
sg_hits=$(grep -c 'process.env' "$out/sg.txt" || true)

echo "tree: $tree ($(nproc) cores)"
echo "JS files: $js_files ($((js_bytes / 1000000)) MB); all JS/TS: $all_files ($((all_bytes / 1000000)) MB)"
echo "facts: $facts_js on JS files, $facts_all on all JS/TS; ast-grep matched lines: $sg_hits"
echo "peak RSS: lm-parse JS $(cat "$out/mem-js.txt") KB, all JS/TS $(cat "$out/mem-all.txt") KB; ast-grep $(cat "$out/mem-sg.txt") KB"

hyperfine --warmup 1 --runs "$runs" --export-json "$out/hyperfine.json" \
  -n "ast-grep run -p 'process.env.\$A' -l js" \
  "ast-grep run --no-ignore hidden --no-ignore dot --no-ignore vcs -p 'process.env.\$A' -l js '$tree' >/dev/null" \
  -n "lm-parse < JS file records" "'$bin/lm-parse' <'$out/js.jsonl' >/dev/null" \
  -n "lm-files | grep javascript | lm-parse" \
  "'$bin/lm-files' --no-ignore --hidden '$tree' | grep '\"language\":\"javascript\"' | '$bin/lm-parse' >/dev/null" \
  -n "lm-parse < all JS/TS file records" "'$bin/lm-parse' <'$out/jsts.jsonl' >/dev/null"

echo
echo "median wall time, CPU (user+sys), throughput, ratio to ast-grep:"
jq -r --argjson jf "$js_files" --argjson jb "$js_bytes" --argjson af "$all_files" --argjson ab "$all_bytes" '
  .results as $r
  | ($r[0].median) as $base
  | $r[]
  | (if (.command | test("all JS/TS")) then [$af, $ab] else [$jf, $jb] end) as $n
  | "\(.command | .[0:44] | . + (" " * (44 - length)))  \((.median * 100 | round) / 100) s  cpu \(((.user + .system) * 100 | round) / 100) s  \(($n[0] / .median) | round) files/s  \((($n[1] / 1000000 / .median) * 10 | round) / 10) MB/s  x\((.median / $base * 100 | round) / 100)"
' "$out/hyperfine.json"
