#!/usr/bin/env python3
"""zhsearch against the engines a user would pick instead, on one corpus.

Each system indexes the title and body of every article (stored text,
positions), as a process of its own, timed from start to exit; the systems
take turns (A B C ... A B C ...) for --rounds rounds, so that ratios hold on
a noisy machine, and the table shows medians over rounds. After each
indexing run, one query set is timed on the index just built (warm, in a
process that stays up); in the last round, check strings are run as
phrases and as the AND of their tokens and compared with a scan of the
text, as Ctrl-F finds them. See BENCHMARKS.md, "zhsearch and its peers".

    python3 scripts/peers-bench.py                       # the bundled corpus: a smoke test
    python3 scripts/peers-bench.py ../shared/corpora/cctv-news.jsonl.gz --json /tmp/peers.json

The corpus is a JSONL file (optionally gzipped; `title`, then `body`,
`content` or `text`, and `id`), or a directory of .txt/.md articles, which is
first written to a JSONL file that every system then reads.

Systems (--only / --skip take these keys):

  zhsearch        `zhsearch index` (release build), full schema
  lucene-standard Lucene 10 StandardAnalyzer: one token per Han character
  lucene-cjk      Lucene 10 CJKAnalyzer: overlapping bigrams
  lucene-smartcn  SmartChineseAnalyzer (Lucene 8.7 jar) on Lucene 10: words
  tantivy-py      tantivy-py, words pre-segmented with rjieba (jieba-rs)
  fts5-trigram    SQLite FTS5, trigram tokenizer
  fts5-jieba      SQLite FTS5, unicode61 over rjieba words

What each needs, found or fetched into a cache (--cache, default
~/.cache/zhsearch-peers; nothing is written into the repository), and
skipped with a message where it cannot be had:

  - Lucene: a JDK 21 or newer (JAVA_HOME, /usr/lib/jvm/*, or PATH); Lucene
    10.5 from Anserini's fat jar, which the source distribution of pyserini
    2.4.0 on PyPI carries (`pip download`, or --lucene-jar); the SmartCN
    jar from Debian's liblucene8-java (`apt-get download`, or
    --smartcn-jar). benches/peers/java/LuceneBench.java is compiled there.
  - tantivy-py and rjieba: a virtualenv created there (pip).
  - SQLite: the sqlite3 module of Python, with FTS5 and the trigram
    tokenizer (SQLite 3.34 or newer).
"""

import argparse
import gzip
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
import urllib.parse
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JAVA_SOURCE = REPO / "benches" / "peers" / "java" / "LuceneBench.java"
PYSERINI = "pyserini==2.4.0"
PY_PACKAGES = ["tantivy==0.27.0", "rjieba==0.2.2"]
WRITER_MB = 256  # every writer's memory budget (zhsearch's default)

# Timed on every index: the mix of `zhsearch bench` without its filters and
# facet counts, which the peers do not have. Parts separated by spaces must
# all match; a part in double quotes is a phrase.
LATENCY_QUERIES = """党
会
发展
经济
疫情
科技创新
党建引领高质量发展
乡村振兴 农业
生态环境 保护 治理
"高质量发展"
"一带一路"
"人民群众"
"""

# Compared with a brute-force scan: 1, 2, 3+ characters, frequent and rare,
# inside one jieba word and across word boundaries, Chinese with digits.
CHECK_STRINGS = """的
鑫
发展
党建
国人
民生活
展中国
碳达峰
2023年
高质量发展
新质生产力
粤港澳大湾区
"""


class System:
    """One system of the table and what its queries mean."""

    def __init__(self, key, label, semantics, threads, note=""):
        self.key = key
        self.label = label
        self.semantics = semantics
        self.threads = threads
        self.note = note  # added to its verdict
        self.skip = None  # why it cannot run here


SYSTEMS = [
    System(
        "zhsearch",
        "zhsearch, full schema",
        'words ANDed (verbatim first); "…" the exact text',
        "{t} threads (-j)",
    ),
    System(
        "lucene-standard",
        "Lucene StandardAnalyzer (one token per Han character)",
        'AND of characters; "…" phrase of characters',
        "{t} indexing threads",
    ),
    System(
        "lucene-cjk",
        "Lucene CJKAnalyzer (bigrams)",
        'AND of bigrams; "…" phrase of bigrams',
        "{t} indexing threads",
    ),
    System(
        "lucene-smartcn",
        "Lucene SmartChineseAnalyzer (words)",
        'AND of words; "…" phrase of words',
        "{t} indexing threads",
    ),
    System(
        "tantivy-py",
        "tantivy-py + rjieba, pre-segmented",
        'AND of jieba words; "…" phrase of them',
        "segmenting on 1, writer on {t}",
    ),
    System(
        "fts5-trigram",
        "SQLite FTS5 trigram",
        "each part a substring (trigram phrase; 1–2 characters: LIKE scan)",
        "1",
        note=", with a LIKE scan for 1–2 characters",
    ),
    System(
        "fts5-jieba",
        "SQLite FTS5 unicode61 over jieba words",
        'AND of jieba words; "…" phrase of them',
        "1",
    ),
]


def say(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus


def read_articles(path):
    """(id, title, body) of each article of a JSONL(.gz) file."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            doc = json.loads(line)
            body = next(
                (doc[k] for k in ("body", "content", "text") if isinstance(doc.get(k), str)), ""
            )
            title = doc.get("title") if isinstance(doc.get("title"), str) else ""
            doc_id = doc.get("id") if isinstance(doc.get("id"), str) else f"{path}#{n}"
            yield doc_id, title, body


def as_jsonl(corpus, work):
    """The corpus as one JSONL file: itself, or its .txt/.md files written as one."""
    if corpus.is_file():
        return corpus
    out = work / "corpus.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for path in sorted(corpus.rglob("*")):
            if path.suffix not in (".txt", ".md") or not path.is_file():
                continue
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gb18030")
            doc = {"id": str(path.relative_to(corpus)), "title": "", "body": text}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return out


# ---------------------------------------------------------------- processes


def timed(argv, log, **kw):
    """Runs argv to its exit: wall seconds, CPU seconds, peak RSS (MB), stdout."""
    with open(log, "w") as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, **kw)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 3):
        tail = Path(log).read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{argv[0]} exited with {proc.returncode}:\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def run(argv, log, **kw):
    """Runs argv and returns its stdout; raises with stderr's tail on failure."""
    with open(log, "w") as err:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err, **kw)
    if proc.returncode != 0:
        tail = Path(log).read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(map(str, argv[:3]))} … exited with {proc.returncode}:\n{tail}")
    return proc.stdout.decode("utf-8")


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def size_of(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- setup


def find_java():
    """(java, javac, major version) of the newest JDK found, if 21 or newer."""
    homes = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    homes += sorted(Path("/usr/lib/jvm").glob("*"))
    if shutil.which("javac"):
        homes.append(Path(shutil.which("javac")).resolve().parent.parent)
    best = None
    for home in homes:
        java, javac = home / "bin" / "java", home / "bin" / "javac"
        if not (java.is_file() and javac.is_file()):
            continue
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
        m = re.search(r'version "(\d+)', out)
        if m and int(m.group(1)) >= 21 and (best is None or int(m.group(1)) > best[2]):
            best = (java, javac, int(m.group(1)))
    return best


def lucene_jar(cache, given):
    """Anserini's fat jar (Lucene 10): given, cached, or from pyserini's sdist."""
    if given:
        return Path(given)
    found = sorted(cache.glob("anserini-*-fatjar.jar"))
    if found:
        return found[-1]
    say(f"fetching {PYSERINI} (source distribution, ~110 MB) for its Lucene fat jar …")
    dl = cache / "download"
    dl.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", PYSERINI, "--no-deps", "--no-binary", ":all:",
         "--ignore-requires-python", "-d", dl, "-q"],
        check=True,
    )
    sdist = next(dl.glob("pyserini-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if re.search(r"/jars/anserini-.*-fatjar\.jar$", m.name))
        target = cache / Path(member.name).name
        with tar.extractfile(member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    sdist.unlink()
    return target


def smartcn_jar(cache, given):
    """The Lucene 8.7 SmartCN jar: given, installed, cached, or from liblucene8-java."""
    if given:
        return Path(given)
    for folder in (Path("/usr/share/java"), cache):
        found = sorted(folder.glob("lucene-analyzers-smartcn-*.jar"))
        if found:
            return found[-1]
    say("fetching Debian's liblucene8-java (~35 MB) for its SmartCN jar …")
    dl = cache / "download"
    dl.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", "liblucene8-java"], cwd=dl, check=True,
                   stdout=subprocess.DEVNULL)
    deb = next(dl.glob("liblucene8-java_*.deb"))
    extracted = dl / "deb"
    subprocess.run(["dpkg-deb", "-x", deb, extracted], check=True)
    jar = next(extracted.glob("usr/share/java/lucene-analyzers-smartcn-*.jar"))
    target = cache / jar.name
    shutil.copy(jar, target)
    shutil.rmtree(extracted)
    deb.unlink()
    return target


def setup_lucene(args, cache):
    """The command prefix that runs LuceneBench, or None (the Lucene systems say why)."""
    lucene = [s for s in SYSTEMS if s.key.startswith("lucene-") and not s.skip]
    if not lucene:
        return None
    java = find_java()
    if not java:
        for s in lucene:
            s.skip = "no JDK 21 or newer found (set JAVA_HOME)"
        return None
    java_bin, javac, major = java
    try:
        fat = lucene_jar(cache, args.lucene_jar)
    except (subprocess.CalledProcessError, StopIteration, OSError) as e:
        for s in lucene:
            s.skip = f"no Lucene 10 jar (pip download {PYSERINI} failed: {e}); give --lucene-jar"
        return None
    classpath = [str(fat)]
    smartcn = next((s for s in lucene if s.key == "lucene-smartcn"), None)
    if smartcn:
        try:
            classpath.append(str(smartcn_jar(cache, args.smartcn_jar)))
        except (subprocess.CalledProcessError, StopIteration, OSError) as e:
            smartcn.skip = (f"no SmartCN jar (apt-get download liblucene8-java failed: {e}); "
                            "run apt-get update, or give --smartcn-jar")
    digest = hashlib.sha1(JAVA_SOURCE.read_bytes() + str(fat).encode()).hexdigest()[:12]
    classes = cache / f"classes-{digest}"
    if not (classes / "LuceneBench.class").is_file():
        say(f"compiling {JAVA_SOURCE.relative_to(REPO)} with {javac} …")
        if subprocess.run([javac, "-d", classes, "-cp", fat, JAVA_SOURCE]).returncode != 0:
            shutil.rmtree(classes, ignore_errors=True)
            for s in lucene:
                s.skip = f"{JAVA_SOURCE.name} did not compile against {fat.name} (above)"
            return None
    classpath.append(str(classes))
    say(f"Lucene: {fat.name}, Java {major} ({java_bin})")
    return [str(java_bin), "--enable-native-access=ALL-UNNAMED", "--add-modules",
            "jdk.incubator.vector", "-cp", ":".join(classpath), "LuceneBench"]


def setup_python(cache):
    """The Pythons that run the Python peers: a venv with tantivy and rjieba
    for those that segment, this one for FTS5 trigram. Peers that cannot run
    say why."""
    pythons = {}
    if any(s.key in ("tantivy-py", "fts5-jieba") and not s.skip for s in SYSTEMS):
        venv = cache / "venv"
        python = venv / "bin" / "python"
        if not (python.is_file()
                and subprocess.run([python, "-c", "import tantivy, rjieba"]).returncode == 0):
            say(f"creating {venv} with {', '.join(PY_PACKAGES)} …")
            try:
                subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
                subprocess.run([python, "-m", "pip", "install", "-q", *PY_PACKAGES], check=True)
            except (subprocess.CalledProcessError, OSError) as e:
                python = None
                for s in SYSTEMS:
                    if s.key in ("tantivy-py", "fts5-jieba") and not s.skip:
                        s.skip = f"could not install {', '.join(PY_PACKAGES)} in {venv}: {e}"
        if python:
            pythons["tantivy-py"] = pythons["fts5-jieba"] = python
    pythons["fts5-trigram"] = Path(sys.executable)
    for key, python in pythons.items():
        probe = subprocess.run(
            [python, "-c",
             "import sqlite3; c = sqlite3.connect(':memory:'); "
             "c.execute(\"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')\"); "
             "print(sqlite3.sqlite_version)"],
            capture_output=True, text=True)
        system = next(s for s in SYSTEMS if s.key == key)
        if key.startswith("fts5-") and probe.returncode != 0 and not system.skip:
            system.skip = f"{python} has no SQLite with FTS5 and the trigram tokenizer (3.34 or newer)"
        elif not system.skip:
            say(f"{key}: {python}, SQLite {probe.stdout.strip()}")
    return pythons


# ---------------------------------------------------------------- runners


class Zhsearch:
    def __init__(self, exe, threads):
        self.exe, self.threads = str(exe), threads

    def index_argv(self, corpus, index):
        return [self.exe, "index", str(corpus), "--index", str(index), "-j", str(self.threads),
                "--memory", str(WRITER_MB), "--color", "never"]

    def latency(self, index, queries, rounds, log):
        """Times each query through `zhsearch serve`: the server's own time per
        search (top 10, exact total, snippets and highlights), and the round trip."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(log, "w") as err:
            server = subprocess.Popen(
                [self.exe, "serve", "--index", str(index), "--addr", f"127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL, stderr=err)
        try:
            conn = None
            deadline = time.time() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", "/api/health")
                    conn.getresponse().read()
                    break
                except OSError:
                    if server.poll() is not None or time.time() > deadline:
                        raise RuntimeError(f"zhsearch serve did not start: see {log}")
                    time.sleep(0.1)
            results = []
            for q in queries:
                results.append({"query": q, "ms": [], "round_trip_ms": []})
            for _ in range(rounds):
                for r in results:
                    path = "/api/search?" + urllib.parse.urlencode({"q": r["query"], "limit": 10})
                    started = time.perf_counter()
                    conn.request("GET", path)
                    body = json.loads(conn.getresponse().read())
                    r["round_trip_ms"].append((time.perf_counter() - started) * 1000)
                    r["ms"].append(body["elapsed_ms"])
                    r["total"] = body["total"]
            conn.close()
            return results
        finally:
            server.terminate()
            server.wait()

    def check(self, index, strings, log):
        """Every article each string finds, as "…" and bare: `zhsearch search`
        pages of 10,000 (the most one page holds)."""
        out = []
        for text in strings:
            for mode, q in (("phrase", f'"{text}"'), ("and", text)):
                ids, offset = [], 0
                while True:
                    argv = [self.exe, "search", q, "--index", str(index), "--json", "-n", "10000",
                            "--offset", str(offset), "--snippet-chars", "10", "--color", "never"]
                    with open(log, "w") as err:
                        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err)
                    if proc.returncode not in (0, 1):
                        raise RuntimeError(f"zhsearch search {q} exited with {proc.returncode}: see {log}")
                    page = [h["id"] for h in json_lines(proc.stdout.decode("utf-8"))]
                    ids += page
                    if len(page) < 10000:
                        break
                    offset += len(page)
                out.append({"query": text, "mode": mode, "ids": ids})
        return out


class Lucene:
    def __init__(self, prefix, analyzer, threads):
        self.prefix, self.analyzer, self.threads = prefix, analyzer, threads

    def index_argv(self, corpus, index):
        return self.prefix + ["index", self.analyzer, str(corpus), str(index), str(self.threads)]

    def latency(self, index, queries, rounds, log):
        out = run(self.prefix + ["latency", self.analyzer, str(index), str(queries.file),
                                 str(rounds)], log)
        return json_lines(out)

    def check(self, index, strings, log):
        return json_lines(run(self.prefix + ["check", self.analyzer, str(index),
                                             str(strings.file)], log))


class PythonPeer:
    """tantivy-py and the SQLite peers: this script's `worker` command."""

    def __init__(self, python, key, threads):
        self.argv = [str(python), str(Path(__file__).resolve()), "worker", key]
        self.threads = threads

    def index_argv(self, corpus, index):
        return self.argv + ["index", str(corpus), str(index), str(self.threads)]

    def latency(self, index, queries, rounds, log):
        return json_lines(run(self.argv + ["latency", str(index), str(queries.file),
                                           str(rounds)], log))

    def check(self, index, strings, log):
        return json_lines(run(self.argv + ["check", str(index), str(strings.file)], log))


class Lines(list):
    """Queries, and the file that holds them one per line."""

    def __init__(self, text, file):
        super().__init__(line.strip() for line in text.splitlines() if line.strip())
        self.file = file
        file.write_text("\n".join(self) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- workers
# Run by the venv's Python, as `peers-bench.py worker SYSTEM STEP ...`.

PART = re.compile(r'"([^"]*)"|(\S+)')


def parts(query):
    """(text, is_phrase) of each part of a query."""
    return [(m.group(1), True) if m.group(1) is not None else (m.group(2), False)
            for m in PART.finditer(query)]


def worker(argv):
    system, step, rest = argv[0], argv[1], argv[2:]
    peer = {"tantivy-py": TantivyPeer, "fts5-trigram": TrigramPeer, "fts5-jieba": JiebaFtsPeer}[system]()
    if step == "index":
        corpus, index, threads = rest
        docs, size = peer.index(corpus, index, int(threads))
        print(json.dumps({"docs": docs, "bytes": size}))
    elif step == "latency":
        index, queries, rounds = rest
        queries = [q for q in Path(queries).read_text(encoding="utf-8").splitlines() if q.strip()]
        peer.open(index)
        totals, times = {}, {q: [] for q in queries}
        for _ in range(int(rounds)):
            for q in queries:
                started = time.perf_counter()
                totals[q] = peer.top10(q)
                times[q].append((time.perf_counter() - started) * 1000)
        for q in queries:
            print(json.dumps({"query": q, "total": totals[q], "ms": times[q]}, ensure_ascii=False))
    elif step == "check":
        index, strings = rest
        peer.open(index)
        for text in Path(strings).read_text(encoding="utf-8").split():
            for mode, q in (("phrase", f'"{text}"'), ("and", text)):
                print(json.dumps({"query": text, "mode": mode, "ids": peer.all_ids(q)},
                                 ensure_ascii=False))
    else:
        raise SystemExit(f"unknown step {step}")


def jieba_words(text):
    """rjieba's words (precise mode, HMM), without whitespace."""
    import rjieba

    return [w for w in rjieba.cut(text) if not w.isspace()]


class TantivyPeer:
    """Words segmented by rjieba, joined by spaces, indexed by tantivy's
    whitespace tokenizer (lowercased) with positions; the original title and
    body are stored beside them (as bytes, since a text field is always indexed)."""

    def schema(self):
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", tokenizer_name="words")
        sb.add_text_field("body", tokenizer_name="words")
        sb.add_bytes_field("title_text", stored=True)
        sb.add_bytes_field("body_text", stored=True)
        return sb.build()

    def register(self, index):
        import tantivy

        words = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(
            tantivy.Filter.lowercase()).build()
        index.register_tokenizer("words", words)

    def index(self, corpus, path, threads):
        import tantivy

        Path(path).mkdir(parents=True)
        index = tantivy.Index(self.schema(), path=path, reuse=False)
        self.register(index)
        writer = index.writer(heap_size=WRITER_MB * 1_000_000, num_threads=threads)
        docs = size = 0
        for doc_id, title, body in read_articles(corpus):
            doc = tantivy.Document()
            doc.add_text("id", doc_id)
            doc.add_text("title", " ".join(jieba_words(title)))
            doc.add_text("body", " ".join(jieba_words(body)))
            doc.add_bytes("title_text", title.encode())
            doc.add_bytes("body_text", body.encode())
            writer.add_document(doc)
            docs += 1
            size += len(title.encode()) + len(body.encode())
        writer.commit()
        writer.wait_merging_threads()
        return docs, size

    def open(self, path):
        import tantivy

        self.index_ = tantivy.Index.open(path)
        self.register(self.index_)
        self.searcher = self.index_.searcher()
        self.schema_ = self.index_.schema

    def query(self, text):
        from tantivy import Occur, Query

        clauses = []
        for part, phrase in parts(text):
            words = [w.lower() for w in jieba_words(part)]
            if not words:
                return Query.empty_query()
            if phrase and len(words) > 1:
                either = [(Occur.Should, Query.phrase_query(self.schema_, f, words))
                          for f in ("title", "body")]
                clauses.append((Occur.Must, Query.boolean_query(either)))
            else:
                for w in words:
                    either = [(Occur.Should, Query.term_query(self.schema_, f, w))
                              for f in ("title", "body")]
                    clauses.append((Occur.Must, Query.boolean_query(either)))
        return Query.boolean_query(clauses) if clauses else Query.empty_query()

    def top10(self, text):
        result = self.searcher.search(self.query(text), limit=10, count=True)
        for _, address in result.hits:
            if self.searcher.doc(address).get_first("body_text") is None:
                raise RuntimeError("no stored body")
        return result.count

    def all_ids(self, text):
        from tantivy import Query

        if not hasattr(self, "ids"):
            every = self.searcher.search(Query.all_query(), limit=max(1, self.searcher.num_docs))
            self.ids = {(a.segment_ord, a.doc): self.searcher.doc(a).get_first("id")
                        for _, a in every.hits}
        hits = self.searcher.search(self.query(text), limit=max(1, self.searcher.num_docs)).hits
        return [self.ids[(a.segment_ord, a.doc)] for _, a in hits]


def fts_string(text):
    return '"' + text.replace('"', '""') + '"'


class SqlitePeer:
    def open(self, path):
        import sqlite3

        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA mmap_size = 1073741824")
        self.ids = None

    def top10(self, text):
        where, params, ranked = self.where(text)
        total = self.db.execute(f"SELECT count(*) FROM {self.matched} WHERE {where}",
                                params).fetchone()[0]
        order = "ORDER BY rank " if ranked else ""
        rows = self.db.execute(
            f"SELECT a.id, a.title, a.body FROM articles a WHERE a.rowid IN "
            f"(SELECT rowid FROM {self.matched} WHERE {where} {order}LIMIT 10)", params).fetchall()
        if any(body is None for _, _, body in rows):
            raise RuntimeError("no stored body")
        return total

    def all_ids(self, text):
        if self.ids is None:
            self.ids = dict(self.db.execute("SELECT rowid, id FROM articles"))
        where, params, _ = self.where(text)
        rows = self.db.execute(f"SELECT rowid FROM {self.matched} WHERE {where}", params)
        return [self.ids[r] for (r,) in rows]


class TrigramPeer(SqlitePeer):
    """One FTS5 table (id unindexed, title, body) with the trigram
    tokenizer; FTS5 stores the text itself. A part of three or more
    characters is a MATCH of its trigrams as a phrase; a shorter one,
    which has no trigram, a LIKE over every row."""

    matched = "articles"

    def index(self, corpus, path, threads):
        import sqlite3

        db = sqlite3.connect(path)
        db.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body, "
                   "tokenize='trigram')")
        docs = size = 0

        def rows():
            nonlocal docs, size
            for doc_id, title, body in read_articles(corpus):
                docs += 1
                size += len(title.encode()) + len(body.encode())
                yield docs, doc_id, title, body

        with db:
            db.executemany("INSERT INTO articles(rowid, id, title, body) VALUES (?, ?, ?, ?)", rows())
        db.close()
        return docs, size

    def where(self, text):
        matches, likes, params = [], [], []
        for part, _ in parts(text):
            if len(part) >= 3:
                matches.append(fts_string(part))
            else:
                pattern = "%" + re.sub(r"([\\%_])", r"\\\1", part) + "%"
                likes.append("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')")
                params += [pattern, pattern]
        clauses = (["articles MATCH ?"] if matches else []) + likes
        if matches:
            params.insert(0, " AND ".join(matches))
        return " AND ".join(clauses) or "0", params, bool(matches)


class JiebaFtsPeer(SqlitePeer):
    """The original text in a plain table; rjieba's words, joined by spaces,
    in a contentless FTS5 table (unicode61 tokenizer) with the same rowids."""

    matched = "words"

    def index(self, corpus, path, threads):
        import sqlite3

        db = sqlite3.connect(path)
        db.execute("CREATE TABLE articles(id TEXT, title TEXT, body TEXT)")
        db.execute("CREATE VIRTUAL TABLE words USING fts5(title, body, content='', "
                   "tokenize='unicode61')")
        docs = size = 0
        with db:
            for doc_id, title, body in read_articles(corpus):
                docs += 1
                size += len(title.encode()) + len(body.encode())
                db.execute("INSERT INTO articles(rowid, id, title, body) VALUES (?, ?, ?, ?)",
                           (docs, doc_id, title, body))
                db.execute("INSERT INTO words(rowid, title, body) VALUES (?, ?, ?)",
                           (docs, " ".join(jieba_words(title)), " ".join(jieba_words(body))))
        db.close()
        return docs, size

    def where(self, text):
        terms = []
        for part, phrase in parts(text):
            words = jieba_words(part)
            if not words:
                return "0", [], False
            if phrase:
                terms.append(fts_string(" ".join(words)))
            else:
                terms += [fts_string(w) for w in words]
        if not terms:
            return "0", [], False
        return "words MATCH ?", [" AND ".join(terms)], True


# ---------------------------------------------------------------- the run


def percentile(values, p):
    values = sorted(values)
    return values[max(0, int(round(p / 100 * len(values))) - 1)]


def plural(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def median(values):
    return statistics.median(values) if values else float("nan")


def compare(found, truth):
    found = set(found)
    return {"found": len(found & truth), "missed": len(truth - found), "extra": len(found - truth)}


def separated_by(needle, title, body):
    """Why an article without `needle` verbatim was found: what separates or
    changes the string in it, as far as whitespace, punctuation and width or
    case folding (NFKC) explain it."""
    text = title + "\n" + body
    if needle in re.sub(r"\s+", "", text):
        return "whitespace"
    folded = unicodedata.normalize("NFKC", text).lower()
    if needle in re.sub(r"\s+", "", folded):
        return "width or case"
    if needle in "".join(c for c in folded if c.isalnum()):
        return "punctuation"
    return "other"


def verdict(system, checks, truth, articles):
    """The table's last column, from the phrase checks: whether every article
    with the string is found, and what the articles found beyond those have
    between its characters."""
    rows = [(q, compare(c["ids"], truth[q]), c["ids"]) for q, c in checks["phrase"].items()]
    missing = [(q, r) for q, r, _ in rows if r["missed"]]
    if missing:
        q, r = max(missing, key=lambda x: (x[1]["missed"] / len(truth[x[0]]), len(truth[x[0]])))
        text = f'no: `"{q}"` finds {r["found"]:,} of {len(truth[q]):,}'
        if len(missing) > 1:
            text += f" (misses in {len(missing)} of {len(rows)} strings)"
        return text
    why = Counter()
    for q, r, ids in rows:
        for i in set(ids) - truth[q]:
            why[separated_by(q, *articles[i])] += 1
    text = "yes" + system.note
    if why:
        text += f" (+{sum(why.values()):,}: across " + ", ".join(
            f"{k} {n:,}" for k, n in why.most_common()) + ")"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(REPO / "corpus"),
                    help="a JSONL(.gz) file or a directory of .txt/.md articles (default: the bundled corpus)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved indexing rounds (default 2)")
    ap.add_argument("--query-rounds", type=int, default=10,
                    help="timed runs of each query after each indexing run (default 10)")
    ap.add_argument("--warmup", type=int, default=3,
                    help="untimed runs of the query set before those (default 3)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="indexing threads (default: all cores)")
    ap.add_argument("--only", help="comma-separated system keys to run")
    ap.add_argument("--skip", help="comma-separated system keys to leave out")
    ap.add_argument("--zhsearch", help="the zhsearch binary (default: cargo build --release, then target/release/zhsearch)")
    ap.add_argument("--lucene-jar", help="a jar with Lucene 10 core, analysis-common (and Jackson)")
    ap.add_argument("--smartcn-jar", help="lucene-analyzers-smartcn 8.x jar")
    ap.add_argument("--queries", help="latency queries, one per line (default: built in)")
    ap.add_argument("--checks", help="check strings, one per line (default: built in)")
    ap.add_argument("--cache", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "zhsearch-peers"))
    ap.add_argument("--work", help="where indexes are built (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the last round's indexes")
    ap.add_argument("--json", help="also write every measurement to this file")
    args = ap.parse_args()

    keys = [s.key for s in SYSTEMS]
    for opt in (args.only, args.skip):
        for k in (opt or "").split(","):
            if k and k not in keys:
                ap.error(f"unknown system {k!r}; systems: {', '.join(keys)}")
    for s in SYSTEMS:
        if args.only and s.key not in args.only.split(","):
            s.skip = "not in --only"
        if args.skip and s.key in args.skip.split(","):
            s.skip = "in --skip"
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(args.work or tempfile.mkdtemp(prefix="peers-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    corpus = as_jsonl(Path(args.corpus), work)
    articles = list(read_articles(corpus))
    text_bytes = sum(len(t.encode()) + len(b.encode()) for _, t, b in articles)
    say(f"corpus {args.corpus}: {len(articles):,} articles, {text_bytes / 1e6:.2f} MB of title and body")
    queries = Lines(Path(args.queries).read_text(encoding="utf-8") if args.queries
                    else LATENCY_QUERIES, work / "latency-queries.txt")
    strings = Lines(Path(args.checks).read_text(encoding="utf-8") if args.checks
                    else CHECK_STRINGS, work / "check-strings.txt")
    if any(not s or '"' in s or any(c.isspace() for c in s) for s in strings):
        ap.error("check strings must be non-empty, without spaces or double quotes")
    truth = {q: {i for i, t, b in articles if q in t or q in b} for q in strings}
    by_id = {i: (t, b) for i, t, b in articles}

    runners = {}
    zh = SYSTEMS[0]
    if not zh.skip:
        exe = args.zhsearch
        if not exe:
            say("cargo build --release …")
            subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "zhsearch"],
                           cwd=REPO, check=True)
            exe = REPO / "target" / "release" / "zhsearch"
        runners["zhsearch"] = Zhsearch(exe, args.threads)
    prefix = setup_lucene(args, cache)
    if prefix:
        for s in SYSTEMS:
            if s.key.startswith("lucene-") and not s.skip:
                runners[s.key] = Lucene(prefix, s.key.split("-")[1], args.threads)
    if any(not s.skip for s in SYSTEMS if s.key in ("tantivy-py", "fts5-trigram", "fts5-jieba")):
        pythons = setup_python(cache)
        for s in SYSTEMS[4:]:
            if not s.skip:
                runners[s.key] = PythonPeer(pythons[s.key], s.key, args.threads)
    running = [s for s in SYSTEMS if not s.skip]
    for s in SYSTEMS:
        if s.skip:
            say(f"skipping {s.key}: {s.skip}")
    if not running:
        raise SystemExit("nothing to run")

    results = {s.key: {"rounds": [], "latency": [], "check": None} for s in running}
    started = time.time()
    for rnd in range(args.rounds):
        for s in running:
            runner = runners[s.key]
            index = work / f"{s.key}.idx"
            if index.exists():
                shutil.rmtree(index) if index.is_dir() else index.unlink()
            load = os.getloadavg()[0]
            wall, cpu, rss, out = timed(runner.index_argv(corpus, index), work / f"{s.key}.log")
            size = size_of(index)
            lat = runner.latency(index, queries, args.warmup + args.query_rounds,
                                 work / f"{s.key}-query.log")
            measured = [t for r in lat for t in r["ms"][args.warmup:]]
            row = {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss, "index_bytes": size,
                   "load_before": load, "load_after": os.getloadavg()[0],
                   "p50_ms": percentile(measured, 50), "p99_ms": percentile(measured, 99),
                   "totals": {r["query"]: r.get("total") for r in lat}}
            if s.key == "zhsearch":
                trips = [t for r in lat for t in r["round_trip_ms"][args.warmup:]]
                row["round_trip_p50_ms"] = percentile(trips, 50)
            if s.key.startswith("lucene-"):
                row["lucene"] = json.loads(out.splitlines()[-1]).get("lucene")
            results[s.key]["rounds"].append(row)
            results[s.key]["latency"].append(lat)
            say(f"round {rnd + 1} {s.key:16} {wall:6.2f} s  {text_bytes / 1e6 / wall:5.2f} MB/s  "
                f"CPU {cpu:5.1f} s  RSS {rss:5.0f} MB  index {size / 1e6:6.2f} MB  "
                f"query p50 {row['p50_ms']:.2f} p99 {row['p99_ms']:.2f} ms  load {load:.2f}")
            if rnd == args.rounds - 1:
                checks = runner.check(index, strings, work / f"{s.key}-check.log")
                results[s.key]["check"] = {m: {c["query"]: c for c in checks if c["mode"] == m}
                                           for m in ("phrase", "and")}
                if not args.keep:
                    shutil.rmtree(index) if index.is_dir() else index.unlink()
    elapsed = time.time() - started

    # The tables.
    def per_round(key, field):
        return [r[field] for r in results[key]["rounds"]]

    zh_walls = per_round("zhsearch", "wall_s") if "zhsearch" in results else None
    verdicts = {s.key: verdict(s, results[s.key]["check"], truth, by_id) for s in running}
    print(f"corpus: {args.corpus} ({len(articles):,} articles, {text_bytes / 1e6:.2f} MB of title "
          f"and body); {plural(args.rounds, 'interleaved round')}, medians; {os.cpu_count()} cores; "
          f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end; "
          f"{elapsed / 60:.1f} min")
    print()
    print("| system | MB/s, read → committed | × zhsearch | CPU-s | peak RSS MB | index × text "
          "| finds every verbatim occurrence? |")
    print("|---|---|---|---|---|---|---|")
    for s in running:
        walls = per_round(s.key, "wall_s")
        ratio = (f"{median([z / w for z, w in zip(zh_walls, walls)]):.2f}" if zh_walls else "–")
        print(f"| {s.label} | {text_bytes / 1e6 / median(walls):.2f} | {ratio} "
              f"| {median(per_round(s.key, 'cpu_s')):.1f} "
              f"| {median(per_round(s.key, 'peak_rss_mb')):.0f} "
              f"| {median(per_round(s.key, 'index_bytes')) / text_bytes:.2f} "
              f"| {verdicts[s.key]} |")
    loads = [r["load_before"] for s in running for r in results[s.key]["rounds"]]
    print()
    print('The last column runs the check strings below as phrases ("…"); +N counts the articles '
          "found without the string verbatim, by what separates its characters in them. Load "
          f"average (1 min) before each run: {min(loads):.2f}–{max(loads):.2f}.")
    print()
    print(f"Query latency, warm, in process: {len(queries)} queries × {args.query_rounds} runs "
          f"after {plural(args.warmup, 'untimed round')}, top 10 with the exact total and their stored title and body "
          "(zhsearch: also snippets and highlights, timed by `zhsearch serve` itself); medians "
          "of the rounds' percentiles.")
    print()
    print("| system | queries | threads indexing | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for s in running:
        extra = ""
        if s.key == "zhsearch":
            extra = f" (HTTP round trip p50 {median(per_round(s.key, 'round_trip_p50_ms')):.2f})"
        print(f"| {s.label} | {s.semantics} | {s.threads.format(t=args.threads)} "
              f"| {median(per_round(s.key, 'p50_ms')):.2f}{extra} "
              f"| {median(per_round(s.key, 'p99_ms')):.2f} |")
    for mode, title in (("phrase", 'as a phrase, "…"'), ("and", "unquoted (each system's AND)")):
        print()
        print(f"Articles found for each check string {title}, against a scan of the text "
              "(−missed, +without the string):")
        print()
        print("| string | scan | " + " | ".join(s.key for s in running) + " |")
        print("|---|---|" + "---|" * len(running))
        for q in strings:
            cells = []
            for s in running:
                r = compare(results[s.key]["check"][mode][q]["ids"], truth[q])
                cell = f"{r['found'] + r['extra']:,}"
                if r["missed"] or r["extra"]:
                    cell += " (" + " ".join(
                        x for x in (f"−{r['missed']:,}" if r["missed"] else "",
                                    f"+{r['extra']:,}" if r["extra"] else "") if x) + ")"
                cells.append(cell)
            print(f"| {q} | {len(truth[q]):,} | " + " | ".join(cells) + " |")
    versions = {r.get("lucene") for s in running if s.key.startswith("lucene-")
                for r in results[s.key]["rounds"]}
    if versions:
        print()
        print(f"Lucene {', '.join(sorted(v for v in versions if v))}; writers' memory budget "
              f"{WRITER_MB} MB.")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "corpus": args.corpus, "articles": len(articles), "text_bytes": text_bytes,
            "rounds": args.rounds, "query_rounds": args.query_rounds, "warmup": args.warmup,
            "threads": args.threads,
            "systems": {s.key: {"label": s.label, "semantics": s.semantics,
                                "verdict": verdicts[s.key], "rounds": results[s.key]["rounds"]}
                        for s in running},
            "checks": {s.key: {m: {q: compare(c["ids"], truth[q])
                                   for q, c in results[s.key]["check"][m].items()}
                               for m in ("phrase", "and")} for s in running},
            "truth": {q: len(v) for q, v in truth.items()},
        }, ensure_ascii=False, indent=1))
    if not args.work and not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
    else:
        main()
