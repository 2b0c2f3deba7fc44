//! The default index's lifecycle: `zhsearch search` with no index builds one
//! from the bundled corpus on first use, and builds it again when another
//! version of zhsearch built it ([`DefaultIndex::of`]).
//!
//! A first search builds its index beside the final one, in a directory of
//! its own (`.index.building-PID`, so that two first searches at once never
//! write to the same one), and swaps it in when it is complete
//! ([`BuildBeside`], with the indexer's own swap): a search stopped half-way
//! (Ctrl-C, a kill) leaves no half-built index behind, and the next one
//! removes what it left and starts over.

use std::fs;
use std::path::{Path, PathBuf};

use super::{built_by_other_version, exists, swap_in};
use crate::error::Result;

/// The state of the default index, to a process about to search it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultIndex {
    /// There is none yet: build it.
    Missing,
    /// Another version of zhsearch built it from the bundled corpus with
    /// jieba's own dictionary: build it again.
    OtherVersion,
    /// Search it (an index this version cannot search is refused when
    /// opened, saying why).
    Ready,
}

impl DefaultIndex {
    /// The state of the index at `dir`.
    pub fn of(dir: &Path) -> DefaultIndex {
        if !exists(dir) {
            DefaultIndex::Missing
        } else if built_by_other_version(dir) {
            DefaultIndex::OtherVersion
        } else {
            DefaultIndex::Ready
        }
    }
}

/// A build of the index at `dir` by this process, beside it.
#[derive(Debug)]
pub struct BuildBeside {
    dir: PathBuf,
    building: PathBuf,
}

impl BuildBeside {
    /// Where this process builds the index at `dir`, after removing the
    /// builds that processes no longer running left beside it.
    pub fn start(dir: &Path) -> BuildBeside {
        remove_abandoned_builds(dir);
        let building =
            dir.with_file_name(format!("{}{}", building_prefix(dir), std::process::id()));
        BuildBeside {
            dir: dir.to_path_buf(),
            building,
        }
    }

    /// The directory to build the index in.
    pub fn path(&self) -> &Path {
        &self.building
    }

    /// Puts the complete index in place, replacing the one there. When
    /// another process put its own in place first, its index is kept and
    /// this one removed.
    pub fn finish(self) -> Result<()> {
        let swapped = swap_in(&self.building, &self.dir);
        if swapped.is_err() {
            let _ = fs::remove_dir_all(&self.building);
            if exists(&self.dir) {
                return Ok(());
            }
        }
        swapped
    }
}

/// `.index.building-` for `index`: the start of the name of the
/// directories the index is built in.
fn building_prefix(dir: &Path) -> String {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    format!(".{name}.building-")
}

/// Removes the building directories beside `dir` of processes that no
/// longer run.
fn remove_abandoned_builds(dir: &Path) {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = building_prefix(dir);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<libc::pid_t>().ok());
        if pid.is_some_and(|pid| !running(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether the process `pid` runs.
fn running(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 sends nothing; it only checks that `pid` exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory that looks like an index, with `marker` in it.
    fn fake_index(dir: &Path, marker: &str) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("meta.json"), "{}").unwrap();
        fs::write(dir.join("marker"), marker).unwrap();
    }

    #[test]
    fn builds_of_processes_no_longer_running_are_removed_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let abandoned = tmp.path().join(format!(".index.building-{gone}"));
        let parent = tmp.path().join(format!(
            ".index.building-{}",
            std::os::unix::process::parent_id()
        ));
        let other = tmp.path().join(format!(".other.building-{gone}"));
        for dir in [&abandoned, &parent, &other] {
            fake_index(dir, "建设中");
        }
        let build = BuildBeside::start(&index);
        assert!(!abandoned.exists());
        assert!(parent.exists() && other.exists());
        assert_eq!(
            build.path(),
            tmp.path()
                .join(format!(".index.building-{}", std::process::id()))
        );
    }

    #[test]
    fn a_finished_build_replaces_the_index_or_yields_to_one_put_first() {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        assert_eq!(DefaultIndex::of(&index), DefaultIndex::Missing);
        let build = BuildBeside::start(&index);
        fake_index(build.path(), "新");
        build.finish().unwrap();
        assert_eq!(fs::read_to_string(index.join("marker")).unwrap(), "新");
        // Built again over it: the new one replaces it, nothing left beside.
        let build = BuildBeside::start(&index);
        fake_index(build.path(), "更新");
        build.finish().unwrap();
        assert_eq!(fs::read_to_string(index.join("marker")).unwrap(), "更新");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
        // Another process's index in place, this one's lost: keep the other's.
        let build = BuildBeside::start(&index);
        build.finish().unwrap();
        assert_eq!(fs::read_to_string(index.join("marker")).unwrap(), "更新");
    }
}
