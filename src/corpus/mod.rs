//! Reading a corpus: walk a directory, detect each file's format and
//! encoding, and yield raw documents. Errors are per file (or per JSONL
//! line): a bad file is reported and skipped, the rest goes on.
//!
//! Formats: `.txt` and `.md` (one article per file, optional `---` front
//! matter), `.jsonl` (one article per line), each optionally gzipped
//! (`.txt.gz`, `.md.gz`, `.jsonl.gz`). Text files may be UTF-8 (with or
//! without BOM), UTF-16 with BOM, or a legacy encoding such as GBK/GB18030
//! ([`decode`]); JSON Lines must be UTF-8, as JSON requires.
//!
//! What is read but not quite as written (bytes that could not be decoded,
//! a lone surrogate escape, a front matter never closed, a blank body) comes
//! with the document as a [`Warning`]: the article is kept, and the user told.
//! Symbolic links are followed only when asked ([`Symlinks`]); otherwise
//! each is reported as skipped.

pub mod decode;
mod jsonl;
mod text;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What kind of file a corpus file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text, one article.
    Text,
    /// Markdown, one article.
    Markdown,
    /// JSON Lines, one article per line.
    JsonLines,
}

/// A file of the corpus, found by [`discover`].
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Where the file is.
    pub path: PathBuf,
    /// Its path relative to the corpus root, with `/` separators: the
    /// document's `path` in the index.
    pub rel: String,
    /// Its format.
    pub format: Format,
    /// Whether it is gzip-compressed.
    pub gzip: bool,
    /// Its size in bytes, on disk.
    pub size: u64,
}

/// Metadata a file states about its article (front matter or JSONL fields).
/// Everything here overrides what extraction would infer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Title.
    pub title: Option<String>,
    /// Publication date, as written.
    pub date: Option<String>,
    /// Source (publisher, site, programme).
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Region, as a place name.
    pub region: Option<String>,
    /// Topics.
    pub topics: Vec<String>,
}

/// Where a metadata field was stated: the key as written, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    /// The field ([`Meta`]'s name for it: `date`, `region`, …).
    pub field: &'static str,
    /// The key as written in the file (`date`, `published`, …).
    pub key: String,
    /// Its line in the file (1-based).
    pub line: usize,
}

/// One article, as read from the corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawDoc {
    /// Unique id: the JSONL `id` field, else the relative path (plus `#line`
    /// for JSONL records without an id).
    pub id: String,
    /// The file it came from, relative to the corpus root.
    pub path: String,
    /// Line number in a JSONL file (1-based).
    pub line: Option<usize>,
    /// The encoding the file was read with.
    pub encoding: &'static str,
    /// The article text, without front matter.
    pub body: String,
    /// Where the article's own text starts in `body`: after the lines of a
    /// front matter that is never closed, which stay in the text but are
    /// neither metadata nor a headline. 0 otherwise.
    pub text_start: usize,
    /// What the file says about the article.
    pub meta: Meta,
    /// Where each field of `meta` was stated.
    pub stated: Vec<Stated>,
    /// What was read, but not quite as written.
    pub warnings: Vec<Warning>,
}

impl RawDoc {
    /// The key and line a metadata field was stated with (the record's
    /// line and the field's own name when the reader did not say).
    pub fn stated(&self, field: &'static str) -> (String, Option<usize>) {
        match self.stated.iter().find(|s| s.field == field) {
            Some(s) => (s.key.clone(), Some(s.line)),
            None => (field.to_string(), self.line),
        }
    }

    /// A warning about this document, at `line` (`None`: the whole file or record).
    pub fn warning(&self, line: Option<usize>, message: String) -> Warning {
        Warning {
            path: self.path.clone(),
            line,
            message,
        }
    }
}

/// A file or record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file, relative to the corpus root (or as given).
    pub path: String,
    /// The JSONL line, when only one record was bad.
    pub line: Option<usize>,
    /// Why it was skipped.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        located(f, &self.path, self.line, &self.reason)
    }
}

/// Something that was read and indexed, but not quite as written (bytes
/// replaced, metadata ignored, a record replaced by a later one with its
/// id). Unlike a [`Skipped`] file, the article is in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file, relative to the corpus root.
    pub path: String,
    /// The line concerned (a JSONL record, a front matter field).
    pub line: Option<usize>,
    /// What happened.
    pub message: String,
}

impl Warning {
    /// A record at `path`, `line` that is not indexed because the record at
    /// `kept_at` (`path:line`) has the same id and comes later.
    pub fn duplicate_id(id: &str, path: &str, line: Option<usize>, kept_at: &str) -> Warning {
        Warning {
            path: path.to_string(),
            line,
            message: format!("duplicate id {id:?}: the record at {kept_at} replaces this one"),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        located(f, &self.path, self.line, &self.message)
    }
}

/// `path:line: text`, or `path: text`.
fn located(
    f: &mut std::fmt::Formatter<'_>,
    path: &str,
    line: Option<usize>,
    text: &str,
) -> std::fmt::Result {
    match line {
        Some(line) => write!(f, "{path}:{line}: {text}"),
        None => write!(f, "{path}: {text}"),
    }
}

/// `one` or `many`, by `n` (for counts in messages).
pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// What to do with symbolic links met while walking a corpus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Symlinks {
    /// Skip them, each reported as skipped.
    #[default]
    Skip,
    /// Follow them, into folders too; a link to a folder above it (a loop)
    /// is reported as skipped and not followed again.
    Follow,
}

/// The files of a corpus and the entries that could not be listed.
#[derive(Debug, Default)]
pub struct Listing {
    /// Corpus files, sorted by path.
    pub files: Vec<SourceFile>,
    /// Directories or files that could not be read while walking.
    pub skipped: Vec<Skipped>,
    /// Files ignored for their extension.
    pub ignored: usize,
}

/// Lists the corpus files under `root` (or `root` itself, if it is a file),
/// recursively, skipping hidden files and directories, and symbolic links.
pub fn discover(root: &Path) -> io::Result<Listing> {
    discover_with(root, Symlinks::Skip)
}

/// Like [`discover`], deciding what to do with symbolic links below `root`
/// (`root` itself is always followed).
pub fn discover_with(root: &Path, symlinks: Symlinks) -> io::Result<Listing> {
    let meta = std::fs::metadata(root)?;
    if meta.is_file() {
        return one_file(root, meta.len());
    }
    let mut listing = Listing::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(symlinks == Symlinks::Follow)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(entry) => listing.add(root, &entry),
            Err(err) => listing.skipped.push(walk_error(root, &err)),
        }
    }
    Ok(listing)
}

/// The listing of a corpus that is one file, which must be of a known format.
fn one_file(path: &Path, size: u64) -> io::Result<Listing> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((format, gzip)) = classify(&name) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a corpus file: expected .txt, .md or .jsonl, optionally .gz",
        ));
    };
    Ok(Listing {
        files: vec![SourceFile {
            path: path.to_path_buf(),
            rel: name,
            format,
            gzip,
            size,
        }],
        ..Listing::default()
    })
}

/// What the walk could not enter, as a skipped entry saying why.
fn walk_error(root: &Path, err: &walkdir::Error) -> Skipped {
    let reason = match err.loop_ancestor() {
        Some(ancestor) => format!(
            "symbolic link loop: it leads back to {}, a folder above it; not followed again",
            display_relative(root, ancestor)
        ),
        None => err.to_string(),
    };
    Skipped {
        path: err.path().map(|p| relative(root, p)).unwrap_or_default(),
        line: None,
        reason,
    }
}

impl Listing {
    /// One entry of the walk below `root`: a corpus file is listed, a link
    /// not followed is skipped (saying why) or ignored, anything else ignored.
    fn add(&mut self, root: &Path, entry: &walkdir::DirEntry) {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_symlink() {
            // Not followed (with --follow, walkdir gives the target's type).
            match unfollowed_link(entry.path(), &name) {
                Some(reason) => self.skipped.push(Skipped {
                    path: relative(root, entry.path()),
                    line: None,
                    reason,
                }),
                None => self.ignored += 1,
            }
            return;
        }
        if !entry.file_type().is_file() {
            return;
        }
        let Some((format, gzip)) = classify(&name) else {
            self.ignored += 1;
            return;
        };
        self.files.push(SourceFile {
            path: entry.path().to_path_buf(),
            rel: relative(root, entry.path()),
            format,
            gzip,
            size: entry.metadata().map(|m| m.len()).unwrap_or(0),
        });
    }
}

/// Why a symbolic link that is not followed is skipped, or `None` when what
/// it names would be ignored anyway (a link named `photo.png`).
fn unfollowed_link(path: &Path, name: &str) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(target) if target.is_dir() => {
            Some("symbolic link to a folder, not followed (use --follow to index it)".to_string())
        }
        _ if classify(name).is_none() => None,
        Ok(_) => Some("symbolic link, not followed (use --follow to index it)".to_string()),
        Err(e) => Some(format!("broken symbolic link ({e})")),
    }
}

/// `path` relative to `root` if it is inside it, else as it is.
fn display_relative(root: &Path, path: &Path) -> String {
    if path == root {
        ".".to_string()
    } else if path.starts_with(root) {
        relative(root, path)
    } else {
        path.display().to_string()
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The format of a file, from its name.
fn classify(name: &str) -> Option<(Format, bool)> {
    let lower = name.to_ascii_lowercase();
    let (stem, gzip) = match lower.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (lower.as_str(), false),
    };
    let ext = stem.rsplit_once('.')?.1;
    let format = match ext {
        "txt" | "text" => Format::Text,
        "md" | "markdown" => Format::Markdown,
        "jsonl" | "ndjson" => Format::JsonLines,
        _ => return None,
    };
    Some((format, gzip))
}

/// Opens a corpus file for reading its content, decompressing if needed.
fn open(file: &SourceFile) -> io::Result<Box<dyn Read + Send>> {
    let f = File::open(&file.path)?;
    Ok(if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            f,
        )))
    } else {
        Box::new(f)
    })
}

/// Reads the documents of one file, handing each to `emit` as it is read
/// (a JSONL file is streamed, never loaded whole). A record that cannot be
/// read is handed over as `Err`; an error for the whole file is returned.
pub fn read(
    file: &SourceFile,
    mut emit: impl FnMut(Result<RawDoc, Skipped>),
) -> Result<(), Skipped> {
    read_while(file, |record| {
        emit(record);
        true
    })
}

/// Like [`read`], but stops reading as soon as `emit` returns `false` (for
/// an indexing run that was interrupted).
pub fn read_while(
    file: &SourceFile,
    mut emit: impl FnMut(Result<RawDoc, Skipped>) -> bool,
) -> Result<(), Skipped> {
    let skipped = |reason: String| Skipped {
        path: file.rel.clone(),
        line: None,
        reason,
    };
    let mut source = open(file).map_err(|e| skipped(e.to_string()))?;
    match file.format {
        Format::Text | Format::Markdown => {
            let mut bytes = Vec::with_capacity(file.size as usize);
            source
                .read_to_end(&mut bytes)
                .map_err(|e| skipped(format!("read error: {e}")))?;
            let decoded = decode::decode(&bytes).map_err(skipped)?;
            drop(bytes);
            let doc = text::read(file, decoded).map_err(skipped)?;
            let _ = emit(Ok(doc));
            Ok(())
        }
        Format::JsonLines => jsonl::read(file, BufReader::with_capacity(1 << 16, source), emit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_extension() {
        assert_eq!(classify("a.txt"), Some((Format::Text, false)));
        assert_eq!(classify("a.TXT.gz"), Some((Format::Text, true)));
        assert_eq!(classify("news.jsonl.gz"), Some((Format::JsonLines, true)));
        assert_eq!(classify("readme.md"), Some((Format::Markdown, false)));
        assert_eq!(classify("image.png"), None);
        assert_eq!(classify("archive.gz"), None);
        assert_eq!(classify("noext"), None);
    }

    #[test]
    fn discovers_the_bundled_corpus_in_order() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let listing = discover(&root).unwrap();
        let names: Vec<&str> = listing.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(names.len(), 5);
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(names[0], "000_e19cf532170f2a3e.txt");
    }

    #[test]
    fn walks_subdirectories_and_skips_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("2023/05")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("2023/05/a.txt"), "党建").unwrap();
        std::fs::write(dir.path().join(".git/b.txt"), "党建").unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "党建").unwrap();
        std::fs::write(dir.path().join("c.png"), "x").unwrap();
        let listing = discover(dir.path()).unwrap();
        let names: Vec<&str> = listing.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(names, ["2023/05/a.txt"]);
        assert_eq!(listing.ignored, 1);
    }

    #[test]
    fn reads_a_gzipped_text_file() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all("---\ntitle: 标题\n---\n正文内容".as_bytes())
            .unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let listing = discover(dir.path()).unwrap();
        let mut docs = Vec::new();
        read(&listing.files[0], |d| docs.push(d.unwrap())).unwrap();
        assert_eq!(docs[0].body, "正文内容");
        assert_eq!(docs[0].meta.title.as_deref(), Some("标题"));
        assert_eq!(docs[0].id, "a.txt.gz");
    }
}
