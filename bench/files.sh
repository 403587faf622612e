#!/usr/bin/env bash
# Benchmark of lm-files against `rg --files` (the I/O floor of listing a tree) on the
# benchmark corpus (../shared/bench/make-corpus.sh, built into bench/out/corpus/ when
# missing), side by side with hyperfine. Prints the figures and the ratios.
#
#   bash bench/files.sh              # corpus at bench/out/corpus/pkgs
#   bash bench/files.sh DIR          # any tree
#   RUNS=30 bash bench/files.sh      # more runs per command
#   BIN=target/release/lm-files bash bench/files.sh   # skip the build
#
# Settings are matched: lm-files runs with --no-ignore --hidden (rg's -uuu). lm-files also
# stats every file (size, --max-filesize) where plain `rg --files` stats none, so rg is
# timed twice: plain, and with `--max-filesize 8M` (lm-files' default limit), which makes
# it stat every file too.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
runs="${RUNS:-20}"
out="$here/out/files"

if [[ $# -ge 1 ]]; then
  tree="$1"
else
  corpus="$here/out/corpus"
  tree="$corpus/pkgs"
  if [[ ! -d "$tree" ]]; then
    if [[ -x "$shared/bench/make-corpus.sh" ]]; then
      bash "$shared/bench/make-corpus.sh" "$corpus"
    else
      echo "files.sh: no corpus at $tree and no ../shared/bench/make-corpus.sh; pass a DIR" >&2
      exit 1
    fi
  fi
fi

for tool in rg hyperfine jq; do
  if ! command -v "$tool" >/dev/null; then
    pkg=$tool; [[ $tool == rg ]] && pkg=ripgrep
    echo "files.sh: installing $pkg" >&2
    apt-get install -y "$pkg" >/dev/null
  fi
done

# The lm-files binary; when the whole `lm` package does not build (another stage being
# changed), the crate's example, which is the same main, is used instead.
if [[ -n "${BIN:-}" ]]; then
  bin="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
elif (cd "$repo" && cargo build --release --quiet --bin lm-files 2>/dev/null); then
  bin="$repo/target/release/lm-files"
else
  echo "files.sh: the lm package did not build; using the lm-files crate's example binary" >&2
  (cd "$repo" && cargo build --release --quiet -p lm-files --example lm-files)
  bin="$repo/target/release/examples/lm-files"
fi
mkdir -p "$out"

files=$("$bin" --no-ignore --hidden --no-summary "$tree" | grep -c '"type":"file"' || true)
diags=$("$bin" --no-ignore --hidden --no-summary "$tree" | grep -c '"type":"diagnostic"' || true)
rg_files=$(rg --files -uuu "$tree" | wc -l)
echo "tree: $tree"
echo "lm-files: $files file records + $diags diagnostics; rg --files -uuu: $rg_files paths; $(nproc) cores"

hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/hyperfine.json" \
  -n "rg --files -uuu" "rg --files -uuu $tree" \
  -n "rg --files -uuu --max-filesize 8M" "rg --files -uuu --max-filesize 8M $tree" \
  -n "lm-files --no-ignore --hidden --no-sort" "$bin --no-ignore --hidden --no-sort $tree" \
  -n "lm-files --no-ignore --hidden --sort" "$bin --no-ignore --hidden --sort $tree" \
  -n "lm-files --no-ignore --hidden --sort --sniff all" "$bin --no-ignore --hidden --sort --sniff all $tree"

echo
echo "median wall time, CPU (user+sys), ratio of medians to rg --files -uuu:"
jq -r '
  .results as $r
  | ($r[0].median) as $base
  | $r[]
  | "\(.command | .[0:52] | . + (" " * (52 - length)))  \((.median * 1000 * 10 | round) / 10) ms  cpu \(((.user + .system) * 1000 * 10 | round) / 10) ms  x\((.median / $base * 100 | round) / 100)"
' "$out/hyperfine.json"
