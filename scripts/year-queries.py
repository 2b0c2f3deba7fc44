#!/usr/bin/env python3
"""How a year in a query serves a researcher: `TOPIC YEAR` on a dated corpus.

For each topic word below and each year from 2022 to 2025, the articles
relevant to `TOPIC YEAR` are those dated that year whose title or body has the
topic (read from the JSONL(.gz) corpus itself: its `date`, `title`, `body`).
Each ZHSEARCH binary searches `TOPIC YEAR` and `TOPIC YEAR年` in INDEX (an
index of that corpus), every hit (`-n 10000 --no-collapse`), and the script
prints, per binary and per form:

- P@10: the relevant share of the first ten hits (of min(10, relevant));
- R-precision: the relevant share of the first R hits, R the number of
  relevant articles (how many of them come before the others);
- recall: the relevant share found among all the hits (asking for 10,000
  hits, the search relaxes to fewer words when fewer have them all);
- median with every word: how many articles have every word
  (`--match all`).

    python3 scripts/year-queries.py CORPUS INDEX ZHSEARCH [ZHSEARCH...]

Topics and years are fixed here, written before any run; nothing is tuned to
them. See BENCHMARKS.md ("A year in a query").
"""
import gzip
import json
import re
import statistics
import subprocess
import sys

TOPICS = [
    "疫情防控", "乡村振兴", "高质量发展", "一带一路", "碳达峰", "党建", "脱贫", "冬奥",
    "亚运会", "两会", "春运", "防汛", "进博会", "粮食安全", "数字经济", "新质生产力",
]
YEARS = ["2022", "2023", "2024", "2025"]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    corpus, index, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    opener = gzip.open if corpus.endswith(".gz") else open
    docs = {}
    with opener(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs[r["id"]] = ((r.get("date") or "")[:4], r.get("title", "") + "\n" + r.get("body", ""))
    for suffix in ["", "年"]:
        for binary in binaries:
            p10, rprec, recall, hits = [], [], [], []
            for topic in TOPICS:
                for year in YEARS:
                    relevant = {i for i, (d, text) in docs.items() if d == year and topic in text}
                    if not relevant:
                        continue
                    query = f"{topic} {year}{suffix}"
                    out = subprocess.run(
                        [binary, "search", query, "--index", index, "--json", "-n", "10000",
                         "--no-collapse"],
                        capture_output=True, text=True, check=False,
                    ).stdout
                    ids = [json.loads(l)["id"] for l in out.splitlines() if l.startswith('{"rank"')]
                    first = ids[:10]
                    p10.append(sum(i in relevant for i in first) / min(10, len(relevant)))
                    rprec.append(sum(i in relevant for i in ids[: len(relevant)]) / len(relevant))
                    recall.append(len(relevant & set(ids)) / len(relevant))
                    counted = subprocess.run(
                        [binary, "search", query, "--index", index, "--match", "all", "-n", "0",
                         "--no-collapse", "--color", "never"],
                        capture_output=True, text=True, check=False,
                    ).stdout
                    every = re.search(r"(\d+) hits?\b", counted)
                    hits.append(int(every.group(1)) if every else 0)
            print(
                f"TOPIC YEAR{suffix:<2} {binary}: {len(p10)} queries, "
                f"P@10 {statistics.mean(p10):.3f}, R-precision {statistics.mean(rprec):.3f}, "
                f"recall {statistics.mean(recall):.3f}, "
                f"median with every word {statistics.median(hits):.0f}"
            )


if __name__ == "__main__":
    main()
