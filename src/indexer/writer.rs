//! The tantivy index as a [`Sink`]: tantivy's writer, the content hashes
//! stored with the documents, one document per id ([`Ids`]), and the
//! commit payload naming the files still incomplete.

use std::collections::{BTreeSet, HashSet};

use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use super::ids::{self, Admit, Ids};
use super::pipeline::IndexOptions;
use super::sink::{Builder, Known, Prepared, Sink};
use super::{Payload, ZhIndex};
use crate::error::Result;

/// An open index being written to by one run.
pub(super) struct IndexSink<'a> {
    zh: &'a ZhIndex,
    writer: IndexWriter,
    /// The index as the last commit left it.
    before: Searcher,
    /// What the last commit recorded (nothing, on a rebuild).
    payload: Payload,
    rebuild: bool,
    /// The holder of each id, once the run has started.
    ids: Option<Ids>,
}

impl<'a> IndexSink<'a> {
    /// Opens `zh`'s writer; on a rebuild, deletes everything in it first.
    pub(super) fn new(zh: &'a ZhIndex, options: &IndexOptions) -> Result<IndexSink<'a>> {
        let writer = zh.writer(options)?;
        let before = zh.reader()?.searcher();
        let payload = if options.rebuild {
            writer.delete_all_documents().map_err(|e| zh.tantivy(e))?;
            Payload::default()
        } else {
            zh.payload()?
        };
        Ok(IndexSink {
            zh,
            writer,
            before,
            payload,
            rebuild: options.rebuild,
            ids: None,
        })
    }

    /// Waits for the merges the run started.
    pub(super) fn finish(self) -> Result<()> {
        self.writer
            .wait_merging_threads()
            .map_err(|e| self.zh.tantivy(e))
    }
}

/// Builds tantivy documents ([`crate::record::Record::to_document`]).
pub(super) struct DocBuilder<'a>(&'a ZhIndex);

impl Builder for DocBuilder<'_> {
    type Doc = TantivyDocument;

    fn build(&self, record: &Prepared) -> TantivyDocument {
        record.article.to_document(
            &self.0.fields,
            record.hash,
            record.title_words,
            record.body_words,
        )
    }
}

impl<'a> Sink for IndexSink<'a> {
    type Builder = DocBuilder<'a>;

    fn known(&self) -> Result<Known> {
        if self.rebuild {
            return Ok(Known::default());
        }
        Ok(Known {
            hashes: self.zh.file_hashes(&self.before)?,
            incomplete: self.payload.incomplete.clone(),
        })
    }

    fn start(&mut self, paths: &[&str], dirty: &HashSet<&str>) -> Result<BTreeSet<String>> {
        let zh = self.zh;
        // Unchanged files with records that a document going now kept out.
        let again = ids::to_read_again(zh, &self.before, &self.payload.shadowed, dirty)?;
        let mut dirty = dirty.clone();
        dirty.extend(again.iter().map(String::as_str));
        let shadowed = std::mem::take(&mut self.payload.shadowed);
        self.ids = Some(Ids::new(zh, self.before.clone(), paths, &dirty, shadowed));
        Ok(again)
    }

    fn builder(&self) -> DocBuilder<'a> {
        DocBuilder(self.zh)
    }

    fn delete(&mut self, path: &str) -> Result<()> {
        self.writer
            .delete_term(Term::from_field_text(self.zh.fields.path, path));
        Ok(())
    }

    fn add(
        &mut self,
        doc: TantivyDocument,
        id: &str,
        path: &str,
        line: Option<usize>,
    ) -> Result<Admit> {
        let zh = self.zh;
        let ids = self.ids.as_mut().expect("a run starts before it adds");
        let admit = ids.admit(zh, id, path, line)?;
        if matches!(admit, Admit::Replace(_)) {
            self.writer
                .delete_term(Term::from_field_text(zh.fields.id, id));
        }
        if !matches!(admit, Admit::Drop(_)) {
            self.writer.add_document(doc).map_err(|e| zh.tantivy(e))?;
        }
        Ok(admit)
    }

    fn commit(&mut self, incomplete: Vec<String>) -> Result<()> {
        let zh = self.zh;
        let payload = Payload {
            incomplete,
            shadowed: self
                .ids
                .as_ref()
                .map(|ids| ids.shadowed.clone())
                .unwrap_or_default(),
        };
        let mut prepared = self.writer.prepare_commit().map_err(|e| zh.tantivy(e))?;
        prepared.set_payload(&serde_json::to_string(&payload).expect("payload serialises"));
        prepared.commit().map_err(|e| zh.tantivy(e))?;
        Ok(())
    }
}
