#!/usr/bin/env bash
# Regenerates data/jieba/dict.txt.zst from the dictionary of the jieba-rs crate that
# Cargo.lock pins: "word freq" per line, in the crate's order (duplicates kept, as
# jieba-rs loads them). Run it after upgrading jieba-rs; tests/query_dictionary
# checks that query segmentation with it matches jieba-rs's own.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
meta = json.load(sys.stdin)
print(next(p["version"] for p in meta["packages"] if p["name"] == "jieba-rs"))')
src=$(cargo metadata --format-version 1 --locked | python3 -c "
import json, sys
meta = json.load(sys.stdin)
print(next(p['manifest_path'] for p in meta['packages'] if p['name'] == 'jieba-rs' and p['version'] == '$version'))")
dict="$(dirname "$src")/src/data/dict.txt"
awk '{ print $1, ($2 == "" ? 0 : $2) }' "$dict" | zstd -19 -q -f -o data/jieba/dict.txt.zst
echo "data/jieba/dict.txt.zst from jieba-rs $version ($(wc -l < "$dict") entries)"
