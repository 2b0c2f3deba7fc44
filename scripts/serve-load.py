#!/usr/bin/env python3
"""Load on `zhsearch serve`, loopback only, bounded in count and time.

Plain load on a running server: N client threads, M requests each, no
pauses, over a mix of searches (with facets, with a date filter) and facet
counts. Prints throughput and latency percentiles (see BENCHMARKS.md):

    python3 scripts/serve-load.py http://127.0.0.1:7700 8 100

Hostile load: starts `zhsearch serve` itself (on a free loopback port) for
each scenario and measures it (see BENCHMARKS.md, "Server under hostile
load"):

    python3 scripts/serve-load.py hostile --zhsearch target/release/zhsearch \\
        --index /tmp/cctv-serve-idx [--json out.json]

1. mix: 1, 8, 32 and 128 connections of the realistic mix;
2. heavy: one light client (sequential everyday searches) and a health
   prober beside 0, 4 and 8 heavy clients looping a 1,000-character
   `的 OR 的 OR …` query without pause, each from its own loopback address
   (127.0.0.x), ignoring Retry-After;
3. idle: 300 connections that send nothing, beside 8 normal clients;
4. cpu: with `--timeout 0.3`, heavy searches that time out, and the server's
   CPU seconds (from /proc) used after each 503 until it is idle again.
"""
import argparse, http.client, json, multiprocessing, os, random, re, signal, socket, subprocess, sys, tempfile, threading, time, urllib.parse

QUERIES = ["党建", "高质量发展", "疫情防控", "乡村振兴", "一带一路", "人工智能", "乌克兰", "经济",
           "\"新质生产力\"", "科技 创新", "党", "5G"]


def mix_paths():
    paths = []
    for q in QUERIES:
        e = urllib.parse.quote(q)
        paths += [f"/api/search?q={e}&limit=10", f"/api/search?q={e}&facets=true&limit=10",
                  f"/api/search?q={e}&since=2024&limit=10", f"/api/facets?q={e}"]
    return paths


LIGHT = [f"/api/search?q={urllib.parse.quote(q)}&limit=10" for q in QUERIES]
HEAVY = "/api/search?q=" + urllib.parse.quote(" OR ".join(["的"] * 200)) + "&facets=true"


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100 * len(s))) - 1))]


class Client:
    """One keep-alive connection from `source` (a loopback address)."""

    def __init__(self, port, source="127.0.0.1", timeout=30):
        self.port, self.source, self.timeout = port, source, timeout
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                       source_address=(self.source, 0))
            try:
                t = time.perf_counter()
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                r.read()
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close(); self.conn = None
                return r.status, (time.perf_counter() - t) * 1000
            except (OSError, http.client.HTTPException) as e:
                self.conn.close(); self.conn = None
                if attempt:
                    return f"{type(e).__name__}", float("nan")


def loop(port, paths, count, deadline, out, source="127.0.0.1", seed=0, stop=None, pause=0.0):
    rnd, client = random.Random(seed), Client(port, source)
    for _ in range(count):
        if time.time() > deadline or (stop is not None and stop.is_set()):
            break
        status, ms = client.get(rnd.choice(paths))
        out.append((status, ms))
        if pause:
            time.sleep(pause)


def user(i):
    """The loopback address of the i-th user of the mix (each user its own)."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def summary(results):
    ok = [ms for s, ms in results if s == 200]
    codes = {}
    for s, _ in results:
        codes[str(s)] = codes.get(str(s), 0) + 1
    return {"requests": len(results), "codes": codes, "p50": pct(ok, 50), "p95": pct(ok, 95),
            "p99": pct(ok, 99), "max": max(ok) if ok else float("nan"),
            "5xx": sum(n for c, n in codes.items() if c.startswith("5") or not c.isdigit())}


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`zhsearch serve` on a free loopback port, its log in a file (as in
    production: a pipe read by this script would slow the server down)."""

    def __init__(self, zhsearch, index, flags=()):
        self.logfile = tempfile.NamedTemporaryFile("w+", prefix="zhsearch-serve-", suffix=".log")
        self.proc = subprocess.Popen([zhsearch, "serve", "--index", index, "--addr", "127.0.0.1:0", *flags],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.logfile)
        started = time.time()
        while True:
            m = re.search(r"on http://127\.0\.0\.1:(\d+)/", open(self.logfile.name).read())
            if m:
                self.port = int(m.group(1))
                break
            if time.time() - started > 120 or self.proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        # Warm up: the facet cache, the page cache.
        c = Client(self.port)
        for p in mix_paths() + ["/api/health"]:
            c.get(p)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.logfile.close()


def run_threads(targets):
    ts = [threading.Thread(target=f, args=a, kwargs=k) for f, a, k in targets]
    [t.start() for t in ts]
    [t.join() for t in ts]


def scenario_mix(args, report):
    srv = Server(args.zhsearch, args.index)
    try:
        for conns, per in [(1, 300), (8, 60), (32, 20), (128, 6)]:
            results, deadline = [], time.time() + 60
            t0 = time.perf_counter()
            run_threads([(loop, (srv.port, mix_paths(), per, deadline, results), {"seed": i, "source": user(i)})
                         for i in range(conns)])
            wall = time.perf_counter() - t0
            s = summary(results)
            s["req_per_s"] = len(results) / wall
            report[f"mix_{conns}"] = s
            print(f"mix {conns:>3} connections: {s['requests']} requests, {s['req_per_s']:.0f} req/s, "
                  f"p50 {s['p50']:.1f} p95 {s['p95']:.1f} p99 {s['p99']:.1f} ms, codes {s['codes']}", flush=True)
    finally:
        srv.stop()


def hostile_client(port, source, deadline, stop, results):
    """Loops the heavy query without pause, ignoring Retry-After, until
    `stop` is set; then reports what it got."""
    out = []
    loop(port, [HEAVY], 10 ** 6, deadline, out, source=source, stop=stop)
    results.put(out)


def scenario_heavy(args, report):
    srv = Server(args.zhsearch, args.index)
    try:
        for heavy in [0, 4, 8]:
            stop, deadline = threading.Event(), time.time() + 90
            light, health = [], []
            def light_client():
                loop(srv.port, LIGHT, args.light_requests, deadline, light, seed=1)
                stop.set()
            targets = [(light_client, (), {}),
                       (loop, (srv.port, ["/api/health"], 10 ** 6, deadline, health),
                        {"stop": stop, "pause": 0.02})]
            # Hostile clients in processes of their own, so that they do not
            # take the measuring threads' interpreter lock.
            results, halt = multiprocessing.Queue(), multiprocessing.Event()
            procs = [multiprocessing.Process(target=hostile_client,
                                             args=(srv.port, f"127.0.0.{10 + i}", deadline, halt, results))
                     for i in range(heavy)]
            [p.start() for p in procs]
            time.sleep(0.5 if heavy else 0)  # the attack is under way before measuring
            run_threads(targets)
            halt.set()
            heavy_results = []
            for _ in procs:
                heavy_results += results.get(timeout=60)
            [p.join() for p in procs]
            s = {"light": summary(light), "health": summary(health),
                 "heavy": summary(heavy_results)}
            report[f"heavy_{heavy}"] = s
            print(f"{heavy} heavy clients: light p50 {s['light']['p50']:.1f} p95 {s['light']['p95']:.1f} ms "
                  f"codes {s['light']['codes']}; health p99 {s['health']['p99']:.1f} ms codes {s['health']['codes']}; "
                  f"heavy codes {s['heavy']['codes']}", flush=True)
    finally:
        srv.stop()


def scenario_idle(args, report):
    srv = Server(args.zhsearch, args.index)
    try:
        for idle in [0, 300]:
            socks = []
            for _ in range(idle):
                s = socket.create_connection(("127.0.0.1", srv.port))
                socks.append(s)
            time.sleep(0.5)
            results, deadline = [], time.time() + 60
            run_threads([(loop, (srv.port, mix_paths(), 60, deadline, results), {"seed": i, "source": user(i)})
                         for i in range(8)])
            s = summary(results)
            report[f"idle_{idle}"] = s
            print(f"{idle} idle connections + 8 clients: p50 {s['p50']:.1f} p95 {s['p95']:.1f} ms, "
                  f"codes {s['codes']}", flush=True)
            for s in socks:
                s.close()
    finally:
        srv.stop()


def scenario_cpu(args, report):
    srv = Server(args.zhsearch, args.index, ["--timeout", "0.3"])
    try:
        after = []
        for i in range(args.timeouts):
            c = Client(srv.port, f"127.0.0.{20 + i}")
            status, _ = c.get(HEAVY)
            at_503 = cpu_seconds(srv.proc.pid)
            # Until the CPU time stops growing for 200 ms (at most 30 s).
            last, still, t0 = at_503, 0, time.time()
            while still < 4 and time.time() - t0 < 30:
                time.sleep(0.05)
                now = cpu_seconds(srv.proc.pid)
                still = still + 1 if now - last < 0.005 else 0
                last = now
            after.append({"status": status, "cpu_s_after": round(last - at_503, 3)})
        report["cpu_after_timeout"] = after
        print(f"--timeout 0.3, heavy query: CPU seconds used after each answer: "
              f"{[(a['status'], a['cpu_s_after']) for a in after]}", flush=True)
    finally:
        srv.stop()


def hostile(argv):
    ap = argparse.ArgumentParser(prog="serve-load.py hostile")
    ap.add_argument("--zhsearch", default="target/release/zhsearch")
    ap.add_argument("--index", required=True)
    ap.add_argument("--json")
    ap.add_argument("--light-requests", type=int, default=400)
    ap.add_argument("--timeouts", type=int, default=5)
    ap.add_argument("--only", choices=["mix", "heavy", "idle", "cpu"])
    args = ap.parse_args(argv)
    report = {"load_before": os.getloadavg()}
    for name, f in [("mix", scenario_mix), ("heavy", scenario_heavy), ("idle", scenario_idle), ("cpu", scenario_cpu)]:
        if args.only in (None, name):
            f(args, report)
    report["load_after"] = os.getloadavg()
    print(f"load average before {report['load_before'][0]:.2f}, after {report['load_after'][0]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


def plain(base, clients, per):
    lat, errors = [], []
    lock = threading.Lock()
    port = urllib.parse.urlparse(base).port
    def client(i):
        out = []
        loop(port, mix_paths(), per, time.time() + 600, out, seed=i)
        with lock:
            for s, ms in out:
                lat.append(ms)
                if s != 200:
                    errors.append(s)
    t0 = time.perf_counter()
    run_threads([(client, (i,), {}) for i in range(clients)])
    wall = time.perf_counter() - t0
    lat.sort()
    print(f"{clients} clients x {per} = {len(lat)} requests in {wall:.2f} s ({len(lat)/wall:.0f} req/s), "
          f"errors {len(errors)}; latency ms p50 {pct(lat, 50):.1f} p95 {pct(lat, 95):.1f} "
          f"p99 {pct(lat, 99):.1f} max {lat[-1]:.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "hostile":
        hostile(sys.argv[2:])
    else:
        plain(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
