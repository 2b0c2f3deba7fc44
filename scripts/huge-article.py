#!/usr/bin/env python3
"""What one huge article costs zhsearch: to index, and to every search that
matches it (see BENCHMARKS.md, "A huge article").

Builds, in a temporary directory, one JSONL record whose body is the CCTV
stories' bodies one after another, cycled up to MB megabytes (one line, no
line breaks), then:

1. indexes that record alone (`zhsearch index`), wall time and peak RSS;
2. indexes the CCTV corpus, and the CCTV corpus plus the record;
3. runs the same searches on both indexes, each a whole `zhsearch search`
   process (`-n 10 --json`, snippets for the hits shown), wall time (median
   of ROUNDS) and peak RSS (the largest), and says whether the huge article
   was among the hits shown.

The searches are quoted substrings of CCTV bodies, drawn at random (seeded)
among those that occur in at most 3 stories, so that the huge article,
which holds every story, ranks among the first 10; and a few common words,
where it may not.

    python3 scripts/huge-article.py ../shared/corpora/cctv-news.jsonl.gz [ZHSEARCH] [MB] [ROUNDS]

ZHSEARCH defaults to target/release/zhsearch, MB to 60, ROUNDS to 5. Peak RSS
is GNU time's (/usr/bin/time). Nothing is written outside the temporary
directory.
"""
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

corpus = sys.argv[1]
binary = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "target/release/zhsearch")
megabytes = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
COMMON = ["发展", "经济", "\"人民群众\"", "党"]


def measured(args):
    """Runs a zhsearch process under /usr/bin/time: (seconds, peak RSS in MB,
    stdout). (The peak RSS of a child forked from this Python process would
    count this process's memory too.)"""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, binary, *args],
                             capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if out.returncode not in (0, 1):
            sys.exit(f"zhsearch {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
        kilobytes = report.read().split()[-1]
    return seconds, int(kilobytes) / 1024, out.stdout


with gzip.open(corpus, "rt", encoding="utf-8") as lines:
    stories = [json.loads(line) for line in lines]
bodies = [s["body"].replace("\n", "") for s in stories]

with tempfile.TemporaryDirectory() as work:
    for d in ("huge", "cctv", "both"):
        os.makedirs(f"{work}/{d}")
    target = int(megabytes * 1e6)
    parts, size, i = [], 0, 0
    while size < target:
        body = bodies[i % len(bodies)]
        parts.append(body)
        size += len(body.encode())
        i += 1
    huge = "".join(parts)
    record = json.dumps({"id": "huge-article", "title": "新闻联播文字稿合集", "body": huge},
                        ensure_ascii=False)
    for d in ("huge", "both"):
        with open(f"{work}/{d}/huge.jsonl", "w", encoding="utf-8") as f:
            f.write(record + "\n")
    for d in ("cctv", "both"):
        shutil.copy(corpus, f"{work}/{d}/cctv-news.jsonl.gz")
    print(f"huge article: {len(huge.encode()) / 1e6:.1f} MB, {len(huge)} characters, "
          f"{i} story bodies, one line")

    seconds, peak, _ = measured(["index", f"{work}/huge", "--index", f"{work}/idx-huge"])
    print(f"index the huge article alone: {seconds:.1f} s, peak RSS {peak:.0f} MB")
    for d in ("cctv", "both"):
        seconds, peak, _ = measured(["index", f"{work}/{d}", "--index", f"{work}/idx-{d}"])
        print(f"index {d}: {seconds:.1f} s, peak RSS {peak:.0f} MB")

    rng = random.Random(20261128)
    queries = []
    while len(queries) < 6:
        body = bodies[rng.randrange(len(bodies))]
        if len(body) < 40:
            continue
        start = rng.randrange(len(body) - 8)
        sample = body[start:start + 6]
        if any(c in sample for c in "\"“”「」『』＂()（） \u3000"):
            continue
        if sum(sample in b for b in bodies) <= 3:
            queries.append(f"\"{sample}\"")
    queries += COMMON

    print(f"\n{'query':<16} {'without (s)':>12} {'with (s)':>9} {'ratio':>6} "
          f"{'RSS without':>12} {'RSS with':>9} {'extra':>6}  huge shown")
    for q in queries:
        results = {}
        for d in ("cctv", "both"):
            args = ["search", q, "--index", f"{work}/idx-{d}", "-n", "10", "--json"]
            runs = [measured(args) for _ in range(rounds)]
            shown = any(json.loads(line)["id"] == "huge-article"
                        for line in runs[0][2].splitlines())
            results[d] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs), shown)
        (t0, m0, _), (t1, m1, shown) = results["cctv"], results["both"]
        print(f"{q:<16} {t0:>12.3f} {t1:>9.3f} {t1 / t0:>6.2f} {m0:>10.0f} MB {m1:>6.0f} MB "
              f"{m1 - m0:>4.0f} MB  {'yes' if shown else 'no'}")
