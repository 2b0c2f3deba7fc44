#!/usr/bin/env python3
"""How well zhsearch dates articles from their text alone.

Removes the `date` field from every line of a JSONL(.gz) corpus that has one,
runs `zhsearch extract --json` on the result, and compares each date found
in the text with the removed one (see BENCHMARKS.md):

    python3 scripts/dates-from-text.py ../shared/corpora/cctv-news.jsonl.gz [ZHSEARCH]

ZHSEARCH defaults to target/release/zhsearch.
"""
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter

corpus = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/zhsearch"
opener = gzip.open if corpus.endswith(".gz") else open

truth = {}
with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as stripped:
    with opener(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            truth[doc["id"]] = doc.pop("date")
            stripped.write(json.dumps(doc, ensure_ascii=False) + "\n")
    stripped.flush()
    started = time.perf_counter()
    out = subprocess.run([binary, "extract", stripped.name, "--json"],
                         check=True, capture_output=True, text=True).stdout
    seconds = time.perf_counter() - started

precision, source, agree, differ = Counter(), Counter(), 0, []
for line in out.splitlines():
    doc = json.loads(line)
    date = doc["meta"].get("date")
    if not date:
        continue
    p = date["precision"]
    precision[p] += 1
    source[date["source"]] += 1
    t = truth[doc["id"]]
    same = (date["year"] == int(t[:4])
            and (p == "year" or date["month"] == int(t[5:7]))
            and (p != "day" or date["day"] == int(t[8:10])))
    if same:
        agree += 1
    else:
        differ.append((doc["id"], date, t))

print(f"{len(truth)} articles, extract took {seconds:.1f} s")
print(f"dated from the text: {sum(precision.values())}; precision {dict(precision)}; "
      f"source {dict(source)}")
print(f"agree with the removed date: {agree}; differ: {len(differ)}")
for doc_id, date, t in differ:
    print(f"  {doc_id}: {date['year']}-{date['month']}-{date['day']} ({date['precision']}, "
          f"{date['evidence']}) vs {t}")
