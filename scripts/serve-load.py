#!/usr/bin/env python3
"""Load on a running `zhsearch serve`: N client threads, M requests each, no
pauses, over a mix of searches (with facets, with a date filter) and facet
counts. Prints throughput and latency percentiles (see BENCHMARKS.md).

    python3 scripts/serve-load.py http://127.0.0.1:7700 8 100
"""
import sys, time, threading, urllib.request, urllib.parse, random
base, clients, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
queries = ["党建", "高质量发展", "疫情防控", "乡村振兴", "一带一路", "人工智能", "乌克兰", "经济", "\"新质生产力\"", "科技 创新", "党", "5G"]
paths = []
for q in queries:
    e = urllib.parse.quote(q)
    paths += [f"/api/search?q={e}&limit=10", f"/api/search?q={e}&facets=true&limit=10",
              f"/api/search?q={e}&since=2024&limit=10", f"/api/facets?q={e}"]
lat, errors = [], []
lock = threading.Lock()
def client(i):
    rnd = random.Random(i)
    for _ in range(per):
        p = rnd.choice(paths)
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(base + p, timeout=30) as r:
                r.read(); code = r.status
        except Exception as e:
            code = str(e)
        dt = (time.perf_counter() - t) * 1000
        with lock:
            lat.append(dt)
            if code != 200: errors.append((p, code))
t0 = time.perf_counter()
ts = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
[t.start() for t in ts]; [t.join() for t in ts]
wall = time.perf_counter() - t0
lat.sort()
pc = lambda p: lat[max(0, int(round(p / 100 * len(lat))) - 1)]
print(f"{clients} clients x {per} = {len(lat)} requests in {wall:.2f} s ({len(lat)/wall:.0f} req/s), errors {len(errors)}; "
      f"latency ms p50 {pc(50):.1f} p95 {pc(95):.1f} p99 {pc(99):.1f} max {lat[-1]:.1f}")
