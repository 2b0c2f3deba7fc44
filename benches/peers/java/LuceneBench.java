// The Lucene peers of `scripts/peers-bench.py`: index a JSONL corpus (title
// and body, stored, with positions) with one analyzer, time a query set, and
// list the articles that check queries find. The driver compiles this file
// against Lucene 10 (Anserini's fat jar) and runs one process per step, so
// that its wall clock, CPU time and peak memory are those of Lucene alone.
//
//   java -cp CP LuceneBench index ANALYZER CORPUS.jsonl[.gz] INDEX_DIR THREADS
//   java -cp CP LuceneBench latency ANALYZER INDEX_DIR QUERIES_FILE ROUNDS
//   java -cp CP LuceneBench check ANALYZER INDEX_DIR QUERIES_FILE
//
// ANALYZER is `standard` (StandardAnalyzer: one token per Han character),
// `cjk` (CJKAnalyzer: overlapping bigrams) or `smartcn`
// (SmartChineseAnalyzer: words, from the Lucene 8.7 jar Debian ships).
// Results are JSON, one object per line, on stdout.
//
// Queries use zhsearch's syntax for what the peers share: whitespace
// separates parts that must all match, and a part in double quotes is a
// phrase. A quoted part is the phrase of its analysed tokens (at their
// analysed positions) in the title or in the body; a bare part needs each of
// its tokens in the title or the body (the AND of its tokens).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Version;

public final class LuceneBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FIELDS = {"title", "body"};
  private static final Document END = new Document();
  private static final Pattern PART = Pattern.compile("\"([^\"]*)\"|(\\S+)");
  private static final String SMARTCN = "org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer";

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      usage();
    }
    Analyzer analyzer = analyzer(args[1]);
    switch (args[0]) {
      case "index" -> {
        if (args.length != 5) usage();
        index(analyzer, Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]));
      }
      case "latency" -> {
        if (args.length != 5) usage();
        latency(analyzer, Path.of(args[2]), lines(Path.of(args[3])), Integer.parseInt(args[4]));
      }
      case "check" -> {
        if (args.length != 4) usage();
        check(analyzer, Path.of(args[2]), lines(Path.of(args[3])));
      }
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println(
        "usage: LuceneBench index ANALYZER CORPUS INDEX_DIR THREADS\n"
            + "       LuceneBench latency ANALYZER INDEX_DIR QUERIES_FILE ROUNDS\n"
            + "       LuceneBench check ANALYZER INDEX_DIR QUERIES_FILE\n"
            + "ANALYZER: standard, cjk or smartcn");
    System.exit(2);
  }

  static Analyzer analyzer(String name) throws Exception {
    return switch (name) {
      case "standard" -> new StandardAnalyzer();
      case "cjk" -> new CJKAnalyzer();
      case "smartcn" -> smartcn();
      default -> {
        usage();
        yield null;
      }
    };
  }

  // SmartChineseAnalyzer of Lucene 8.7 runs on Lucene 10's core, except its
  // default stop-word loader, which calls IOUtils.getDecodingReader (removed
  // in Lucene 9). So the stop words it ships are read here, with the same
  // rule (lines starting with `//` are comments), and handed to the
  // constructor that takes a set. It is loaded by name so that this file
  // compiles without the jar.
  private static Analyzer smartcn() throws Exception {
    Class<?> cls = Class.forName(SMARTCN);
    CharArraySet stop = new CharArraySet(64, false);
    try (InputStream in = cls.getResourceAsStream("stopwords.txt")) {
      if (in == null) {
        throw new IOException("stopwords.txt is missing from the SmartCN jar");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        String word = line.strip();
        if (!word.isEmpty() && !word.startsWith("//")) {
          stop.add(word);
        }
      }
    }
    return (Analyzer) cls.getConstructor(CharArraySet.class).newInstance(stop);
  }

  // Reads the corpus on this thread and adds documents from `threads`
  // others (Lucene analyses in the thread that adds), then commits.
  static void index(Analyzer analyzer, Path corpus, Path dir, int threads) throws Exception {
    IndexWriterConfig config = new IndexWriterConfig(analyzer);
    config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    config.setRAMBufferSizeMB(256);
    long docs = 0;
    long bytes = 0;
    try (FSDirectory directory = FSDirectory.open(dir);
        IndexWriter writer = new IndexWriter(directory, config)) {
      BlockingQueue<Document> queue = new ArrayBlockingQueue<>(1024);
      List<Thread> workers = new ArrayList<>();
      Exception[] failure = new Exception[1];
      for (int i = 0; i < threads; i++) {
        Thread worker =
            new Thread(
                () -> {
                  try {
                    for (Document doc; (doc = queue.take()) != END; ) {
                      writer.addDocument(doc);
                    }
                  } catch (Exception e) {
                    synchronized (failure) {
                      failure[0] = e;
                    }
                  }
                });
        worker.start();
        workers.add(worker);
      }
      try (BufferedReader reader = open(corpus)) {
        long lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          JsonNode article = JSON.readTree(line);
          String title = text(article, "title");
          String body = text(article, "body", "content", "text");
          String id = text(article, "id");
          Document doc = new Document();
          doc.add(new StringField("id", id.isEmpty() ? corpus + "#" + lineNo : id, Field.Store.YES));
          doc.add(new TextField("title", title, Field.Store.YES));
          doc.add(new TextField("body", body, Field.Store.YES));
          queue.put(doc);
          docs++;
          bytes += title.getBytes(StandardCharsets.UTF_8).length;
          bytes += body.getBytes(StandardCharsets.UTF_8).length;
        }
      }
      for (int i = 0; i < threads; i++) {
        queue.put(END);
      }
      for (Thread worker : workers) {
        worker.join();
      }
      if (failure[0] != null) {
        throw failure[0];
      }
      writer.commit();
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("docs", docs);
    out.put("bytes", bytes);
    out.put("lucene", Version.LATEST.toString());
    System.out.println(out);
  }

  private static BufferedReader open(Path corpus) throws IOException {
    InputStream in = Files.newInputStream(corpus);
    if (corpus.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  // The first of `names` that the article has as a string, or "".
  private static String text(JsonNode article, String... names) {
    for (String name : names) {
      JsonNode value = article.get(name);
      if (value != null && value.isTextual()) {
        return value.asText();
      }
    }
    return "";
  }

  private static List<String> lines(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(line.strip());
      }
    }
    return out;
  }

  private static IndexSearcher searcher(Path dir) throws IOException {
    IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(FSDirectory.open(dir)));
    // Queries repeat across rounds: no caching of their matches.
    searcher.setQueryCache(null);
    return searcher;
  }

  // Each query `rounds` times: analyse and build it, collect the top 10
  // with the exact total, and read their stored title and body.
  static void latency(Analyzer analyzer, Path dir, List<String> queries, int rounds)
      throws IOException {
    IndexSearcher searcher = searcher(dir);
    StoredFields stored = searcher.storedFields();
    double[][] ms = new double[queries.size()][rounds];
    long[] totals = new long[queries.size()];
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < queries.size(); i++) {
        long started = System.nanoTime();
        Query query = query(analyzer, queries.get(i));
        TopDocs top =
            searcher.search(query, new TopScoreDocCollectorManager(10, Integer.MAX_VALUE));
        for (ScoreDoc hit : top.scoreDocs) {
          Document doc = stored.document(hit.doc, Set.of("id", "title", "body"));
          if (doc.get("body") == null) {
            throw new IllegalStateException("no stored body");
          }
        }
        ms[i][round] = (System.nanoTime() - started) / 1e6;
        totals[i] = top.totalHits.value();
      }
    }
    for (int i = 0; i < queries.size(); i++) {
      ObjectNode out = JSON.createObjectNode();
      out.put("query", queries.get(i));
      out.put("total", totals[i]);
      ArrayNode times = out.putArray("ms");
      for (double t : ms[i]) {
        times.add(t);
      }
      System.out.println(out);
    }
  }

  // Each query as a phrase (in double quotes) and as the AND of its tokens:
  // the ids of every article it finds.
  static void check(Analyzer analyzer, Path dir, List<String> queries) throws IOException {
    IndexSearcher searcher = searcher(dir);
    StoredFields stored = searcher.storedFields();
    int maxDoc = searcher.getIndexReader().maxDoc();
    String[] ids = new String[maxDoc];
    for (int doc = 0; doc < maxDoc; doc++) {
      ids[doc] = stored.document(doc, Set.of("id")).get("id");
    }
    for (String text : queries) {
      for (String mode : new String[] {"phrase", "and"}) {
        String q = mode.equals("phrase") ? "\"" + text + "\"" : text;
        TopDocs all = searcher.search(query(analyzer, q), Math.max(1, maxDoc));
        ObjectNode out = JSON.createObjectNode();
        out.put("query", text);
        out.put("mode", mode);
        ArrayNode found = out.putArray("ids");
        for (ScoreDoc hit : all.scoreDocs) {
          found.add(ids[hit.doc]);
        }
        System.out.println(out);
      }
    }
  }

  // All parts must match. A quoted part is the phrase of its tokens in the
  // title or in the body; a bare part needs each of its tokens in either.
  static Query query(Analyzer analyzer, String text) throws IOException {
    BooleanQuery.Builder all = new BooleanQuery.Builder();
    Matcher m = PART.matcher(text);
    boolean any = false;
    while (m.find()) {
      boolean phrase = m.group(1) != null;
      String part = phrase ? m.group(1) : m.group(2);
      List<String> terms = new ArrayList<>();
      List<Integer> positions = new ArrayList<>();
      analyse(analyzer, part, terms, positions);
      if (terms.isEmpty()) {
        return new MatchNoDocsQuery("no tokens");
      }
      if (phrase && terms.size() > 1) {
        BooleanQuery.Builder either = new BooleanQuery.Builder();
        for (String field : FIELDS) {
          PhraseQuery.Builder builder = new PhraseQuery.Builder();
          for (int i = 0; i < terms.size(); i++) {
            builder.add(new Term(field, terms.get(i)), positions.get(i));
          }
          either.add(builder.build(), Occur.SHOULD);
        }
        all.add(either.build(), Occur.MUST);
      } else {
        for (String term : terms) {
          BooleanQuery.Builder either = new BooleanQuery.Builder();
          for (String field : FIELDS) {
            either.add(new TermQuery(new Term(field, term)), Occur.SHOULD);
          }
          all.add(either.build(), Occur.MUST);
        }
      }
      any = true;
    }
    return any ? all.build() : new MatchNoDocsQuery("no tokens");
  }

  // The analysed tokens of `text` and their positions (title and body share
  // one analyzer).
  private static void analyse(
      Analyzer analyzer, String text, List<String> terms, List<Integer> positions)
      throws IOException {
    try (TokenStream tokens = analyzer.tokenStream("body", text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute increment = tokens.addAttribute(PositionIncrementAttribute.class);
      tokens.reset();
      int position = -1;
      while (tokens.incrementToken()) {
        position += increment.getPositionIncrement();
        terms.add(term.toString());
        positions.add(position);
      }
      tokens.end();
    }
  }
}
