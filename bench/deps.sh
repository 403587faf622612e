#!/usr/bin/env bash
# Benchmark of lm-deps: the corpus lockfile of ../shared/bench/corpus/ and a generated
# 10,000-entry package-lock.json, each against the full ../shared/osv advisory data
# (osv-scanner layout: <ecosystem>/all.zip). Prints wall-clock figures; writes work
# files under bench/out/deps/.
#
#   bash bench/deps.sh            # build the release binary, then measure
#   RUNS=20 bash bench/deps.sh    # more runs per case
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${SHARED:-$repo/../shared}"
osv="$shared/osv"
corpus="$shared/bench/corpus"
runs="${RUNS:-10}"
out="$here/out/deps"

if [[ ! -d "$osv" || ! -f "$corpus/package-lock.json" ]]; then
  echo "deps.sh: needs $osv and $corpus/package-lock.json (../shared); skipped" >&2
  exit 0
fi

# The lm-deps binary; when the whole `lm` package does not build (another stage in
# progress), the crate's example, which is the same main, is used instead.
if (cd "$repo" && cargo build --release --quiet --bin lm-deps); then
  bin="$repo/target/release/lm-deps"
else
  echo "deps.sh: the lm package did not build; using the lm-deps crate's example binary" >&2
  (cd "$repo" && cargo build --release --quiet -p lm-deps --example lm-deps)
  bin="$repo/target/release/examples/lm-deps"
fi
mkdir -p "$out/corpus" "$out/gen10k"
cp "$corpus/package.json" "$corpus/package-lock.json" "$out/corpus/"

# A 10,000-entry lockfile (v3): real package names from the bundled popularity list,
# nested installs, dev flags, and a few versions with known advisories.
python3 - "$repo/crates/lm-deps/data/npm-popular.txt" "$out/gen10k" <<'PY'
import json, random, sys
random.seed(7)
names = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
out = sys.argv[2]
pkgs = {"": {"name": "gen10k", "version": "1.0.0", "dependencies": {}, "devDependencies": {}}}
fixed = {"lodash": "4.17.15", "axios": "0.21.0", "next": "13.4.19", "minimist": "1.2.5", "semver": "7.5.1", "jsonwebtoken": "8.5.1"}
i = 0
while len(pkgs) < 10001:
    n = names[i % len(names)]
    i += 1
    v = fixed.get(n) or f"{random.randint(0, 20)}.{random.randint(0, 30)}.{random.randint(0, 40)}"
    key = f"node_modules/{n}" if i <= len(names) else f"node_modules/{names[(i * 7) % len(names)]}/node_modules/{n}"
    if key in pkgs:
        continue
    e = {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{n.split('/')[-1]}-{v}.tgz", "integrity": "sha512-AAAA"}
    if random.random() < 0.3:
        e["dev"] = True
    if random.random() < 0.5:
        e["dependencies"] = {names[random.randrange(len(names))]: "^1.0.0" for _ in range(3)}
    pkgs[key] = e
    if len(pkgs) < 60:
        (pkgs[""]["devDependencies"] if e.get("dev") else pkgs[""]["dependencies"])[n] = f"^{v}"
lock = {"name": "gen10k", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": pkgs}
json.dump(lock, open(f"{out}/package-lock.json", "w"), indent=2)
manifest = {"name": "gen10k", "version": "1.0.0", "dependencies": pkgs[""]["dependencies"], "devDependencies": pkgs[""]["devDependencies"]}
json.dump(manifest, open(f"{out}/package.json", "w"), indent=2)
PY

records() {
  printf '{"type":"file","path":"package.json","root":"%s","size":1,"role":"manifest"}\n{"type":"file","path":"package-lock.json","root":"%s","size":1,"role":"lockfile"}\n' "$1" "$1"
}
records "$out/corpus" > "$out/corpus.jsonl"
records "$out/gen10k" > "$out/gen10k.jsonl"

entries() { python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['packages'])-1)" "$1"; }
echo "corpus lockfile: $(entries "$out/corpus/package-lock.json") entries; generated: $(entries "$out/gen10k/package-lock.json") entries"
echo "osv: $(du -sh "$osv" | cut -f1) ($(ls "$osv"/*/all.zip | wc -l) all.zip files)"
for case in corpus gen10k; do
  "$bin" --db "$osv" -i "$out/$case.jsonl" > "$out/$case.out.jsonl"
  echo "$case: $(grep -c '"type":"finding"' "$out/$case.out.jsonl") findings; summary: $(tail -1 "$out/$case.out.jsonl")"
done
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$out/times.md" \
    -n corpus "$bin --db $osv -i $out/corpus.jsonl" \
    -n gen10k "$bin --db $osv -i $out/gen10k.jsonl" \
    -n gen10k-no-db "$bin -i $out/gen10k.jsonl"
  cat "$out/times.md"
else
  for case in corpus gen10k; do
    /usr/bin/time -f "$case: %e s wall, %M KB peak" "$bin" --db "$osv" -i "$out/$case.jsonl" > /dev/null
  done
fi
