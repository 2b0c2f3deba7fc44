#!/usr/bin/env python3
"""How well zhsearch dates articles from their text alone.

Writes a copy of a JSONL(.gz) corpus with the `date` field removed from every
line to a temporary directory, runs `zhsearch index` on it, reads every
article's extracted date back from the index (`zhsearch search '*' --json`),
and compares each with the removed one, at the precision zhsearch states (a
year-precise 2022 agrees with 2022-05-01). See BENCHMARKS.md:

    python3 scripts/dates-from-text.py ../shared/corpora/cctv-news.jsonl.gz [ZHSEARCH] [--evidence]

ZHSEARCH defaults to target/release/zhsearch. The figures are given for all
articles, and apart for those whose id ends in an even digit (the set the
rules were tuned on) and an odd one (held out). Disagreements are listed with
the dates and the kind of evidence only; --evidence adds the evidence itself,
which quotes the article (for looking at by hand, never for committing).
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter

args = [a for a in sys.argv[1:] if not a.startswith("--")]
show_evidence = "--evidence" in sys.argv
corpus = args[0]
binary = os.path.abspath(args[1] if len(args) > 1 else "target/release/zhsearch")
opener = gzip.open if corpus.endswith(".gz") else open
PAGE = 10000


def half(doc_id):
    """'even' or 'odd' by the id's last digit (the tuning and held-out halves)."""
    last = doc_id[-1]
    n = int(last) if last.isdigit() else sum(doc_id.encode())
    return "even" if n % 2 == 0 else "odd"


truth = {}
with tempfile.TemporaryDirectory() as tmp:
    os.mkdir(os.path.join(tmp, "corpus"))
    with opener(corpus, "rt", encoding="utf-8") as lines, open(
        os.path.join(tmp, "corpus", "stripped.jsonl"), "w", encoding="utf-8"
    ) as stripped:
        for line in lines:
            doc = json.loads(line)
            truth[doc["id"]] = doc.pop("date")
            stripped.write(json.dumps(doc, ensure_ascii=False) + "\n")
    index = os.path.join(tmp, "index")
    started = time.perf_counter()
    subprocess.run([binary, "index", os.path.join(tmp, "corpus"), "--index", index],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    found = {}
    while True:
        out = subprocess.run([binary, "search", "*", "--index", index, "--json",
                              "-n", str(PAGE), "--offset", str(len(found))],
                             capture_output=True, text=True)
        hits = [json.loads(l) for l in out.stdout.splitlines()]
        hits = [h for h in hits if "id" in h]
        for h in hits:
            found[h["id"]] = h["meta"].get("date")
        if len(hits) < PAGE:
            break
    assert set(found) == set(truth), f"{len(found)} articles read back of {len(truth)}"


def agrees(date, t):
    p = date["precision"]
    return (date["year"] == int(t[:4])
            and (p == "year" or date["month"] == int(t[5:7]))
            and (p != "day" or date["day"] == int(t[8:10])))


def kind(date):
    return f"{date['precision']} {date['source']} {date['evidence'].split(':')[0]}"


print(f"{len(truth)} articles; zhsearch index took {seconds:.1f} s")
print(f"{'set':<6} {'articles':>8} {'dated':>7} {'to the day':>11} {'agree':>7} {'differ':>7}")
for name in ["all", "even", "odd"]:
    ids = [i for i in truth if name == "all" or half(i) == name]
    dated = [i for i in ids if found[i]]
    day = [i for i in dated if found[i]["precision"] == "day"]
    agree = [i for i in dated if agrees(found[i], truth[i])]
    print(f"{name:<6} {len(ids):>8} {len(dated):>7} {len(day):>5} ({100 * len(day) / len(ids):.1f}%)"
          f" {len(agree):>7} {len(dated) - len(agree):>7}"
          f"  ({100 * len(agree) / max(1, len(dated)):.2f}% agree)")
kinds, wrong = Counter(), Counter()
for i, date in found.items():
    if date:
        kinds[kind(date)] += 1
        wrong[kind(date)] += not agrees(date, truth[i])
print("by kind of evidence (precision, source, rule): dated, differ")
for k, n in kinds.most_common():
    print(f"  {k:<40} {n:>6} {wrong[k]:>5}")
for i, date in sorted(found.items()):
    if date and not agrees(date, truth[i]):
        shown = "-".join(str(date[k]) for k in ("year", "month", "day") if date.get(k))
        extra = f": {date['evidence']}" if show_evidence else ""
        print(f"  differ {i} ({half(i)}): {shown} ({kind(date)}) vs {truth[i]}{extra}")
