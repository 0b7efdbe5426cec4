//! The content-addressed store: a directory holding one HDF5 file per key,
//! `<key>.h5`, each with one group `/output` holding a deterministic stage's
//! outputs exactly as a run file holds them, and `<key>.h5.sha256`, the
//! SHA-256 of the whole file recorded when it was filed (see `entry_hash`).
//! Entries are verified (the file's SHA-256 before HDF5 opens it, then every
//! content hash) before they are trusted; one that fails is set aside in
//! `<store>/untrusted/`, kept for inspection, never reused.

use std::path::{Path, PathBuf};

use hdf5::File;
use macroscope_plugin_api::{PortKind, PortSpec};

use super::attribute_hash::attributes_sha256;
use super::attributes::{get_str, set_str};
use super::content::{all_datasets, content_sha256};
use super::durable;
use super::entry_hash;
use super::error::StoreError;
use super::hdf5_raw;
use super::identity::{identity_of, PortIdentity, StageKey};
use super::layout::{self, dataset as attr, root};
use super::open;

/// Name of the group holding the outputs inside an entry.
pub const OUTPUT_GROUP: &str = "/output";

/// The folder of the store where entries that failed their checks are kept.
pub const UNTRUSTED_DIR: &str = "untrusted";

/// The store directory.
#[derive(Debug, Clone)]
pub struct StoreDir {
    dir: PathBuf,
}

/// A verified store entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The entry file.
    pub path: PathBuf,
    /// The identity of each output port, in the stage's output order.
    pub ports: Vec<PortIdentity>,
}

/// What looking a key up found.
#[derive(Debug)]
pub enum Lookup {
    /// No entry for the key.
    Missing,
    /// An entry whose every content hash verified.
    Valid(Entry),
    /// An entry that must not be trusted, and why.
    Invalid {
        /// The entry file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl StoreDir {
    /// The store at `dir`, created if missing.
    pub fn open(dir: &Path) -> Result<StoreDir, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::StoreDirectory {
            dir: dir.to_owned(),
            reason: e.to_string(),
        })?;
        if !dir.is_dir() {
            return Err(StoreError::StoreDirectory {
                dir: dir.to_owned(),
                reason: "not a directory".into(),
            });
        }
        Ok(StoreDir {
            dir: dir.to_owned(),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the entry for `key` lives.
    pub fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.h5"))
    }

    /// Looks `key` up and verifies the entry against the outputs it must
    /// hold: its bytes against their recorded SHA-256 first, so HDF5 never
    /// opens a file that was changed after it was filed.
    pub fn lookup(&self, key: &str, outputs: &[PortSpec]) -> Lookup {
        let path = self.entry_path(key);
        if !path.exists() {
            return Lookup::Missing;
        }
        match entry_hash::check(&path).and_then(|()| check_entry(&path, key, outputs)) {
            Ok(ports) => Lookup::Valid(Entry { path, ports }),
            Err(reason) => Lookup::Invalid { path, reason },
        }
    }

    /// The entry to reuse for the outputs of `stage` filed under `key`, if
    /// one is trusted. An entry that fails its checks is reported once
    /// (naming it, why, and where it went) and set aside, and `None` makes
    /// the stage run again.
    pub fn reusable(&self, key: &str, outputs: &[PortSpec], stage: &str) -> Option<Entry> {
        match self.lookup(key, outputs) {
            Lookup::Valid(entry) => Some(entry),
            Lookup::Missing => None,
            Lookup::Invalid { path, reason } => {
                let what = format!(
                    "store entry {} for stage `{stage}` is not trusted ({reason})",
                    path.display()
                );
                match self.set_aside(&path) {
                    Ok(kept) => tracing::warn!(
                        "{what}; the stage runs again. The entry was moved to {}: look into what damaged it, \
                         then delete it",
                        kept.display()
                    ),
                    Err(e) => tracing::warn!(
                        "{what}; the stage runs again, but the entry could not be moved aside ({e}): delete it \
                         (and its .sha256) so the stage's outputs can be filed again"
                    ),
                }
                None
            }
        }
    }

    /// Moves the untrusted entry at `path`, with its recorded hash, to
    /// `<store>/untrusted/<name>.<UTC time>` (never over a file), so a fresh
    /// entry can be filed while the damaged one stays for inspection: a lab
    /// wants to know what changed its data, and deleting the evidence would
    /// hide it. The entry goes first, then its hash (filings claim a key by
    /// the hash, so none can file a new entry until both are gone). Takes no
    /// lock. Returns where the entry went.
    fn set_aside(&self, path: &Path) -> Result<PathBuf, StoreError> {
        let untrusted = self.dir.join(UNTRUSTED_DIR);
        std::fs::create_dir_all(&untrusted)
            .map_err(|e| StoreError::io(&untrusted, "creating the folder", e))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let kept = untrusted.join(format!("{name}.{stamp}"));
        durable::rename_new(path, &kept)?;
        let recorded = entry_hash::hash_path(path);
        if recorded.exists() {
            durable::rename_new(&recorded, &entry_hash::hash_path(&kept))?;
        }
        Ok(kept)
    }

    /// Files the stage group `group` of the open run file under `key`, safely
    /// beside other runs filing into the same store, on this host or others
    /// sharing the folder, with no lock: the entry is written and synced
    /// under a name no other process uses, its SHA-256 likewise; then the
    /// hash is moved to `<key>.h5.sha256` and the entry to `<key>.h5`, each
    /// with a move that fails rather than replace a file. The first filing
    /// to claim the hash's name files the entry; any other gives up, leaving
    /// the entry that filing files (docs/FORMAT.md, "A store shared by many
    /// hosts", says what this does and does not guarantee on NFS).
    pub fn file(
        &self,
        run: &File,
        group: &str,
        key: &StageKey,
        run_id: &str,
        now: &str,
    ) -> Result<Filing, StoreError> {
        let path = self.entry_path(&key.key);
        let partial = self.dir.join(format!(
            "{}.h5.{}.partial",
            key.key,
            durable::unique_suffix()
        ));
        let mut hash_partial = None;
        let filed = (|| -> Result<Filing, StoreError> {
            write_entry(&partial, run, group, key, run_id, now)?;
            durable::sync_file(&partial)?;
            let written = entry_hash::write_beside(&partial, &path)?;
            let claimed = durable::rename_new(&written, &entry_hash::hash_path(&path));
            hash_partial = Some(written);
            match claimed {
                Ok(()) => {}
                Err(StoreError::Io { error, .. })
                    if error.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    return Ok(if path.exists() {
                        Filing::AlreadyFiled(path.clone())
                    } else {
                        Filing::BeingFiled(entry_hash::hash_path(&path))
                    })
                }
                Err(e) => return Err(e),
            }
            durable::rename_new(&partial, &path)?;
            Ok(Filing::Filed(path.clone()))
        })();
        let _ = std::fs::remove_file(&partial);
        if let Some(written) = hash_partial {
            let _ = std::fs::remove_file(written);
        }
        filed
    }
}

/// What filing an entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    /// This run filed the entry (its path).
    Filed(PathBuf),
    /// Another run filed an entry for the key first (its path): this run's
    /// copy was dropped.
    AlreadyFiled(PathBuf),
    /// Another filing claimed the key (its recorded hash, the path given,
    /// exists) but its entry is not there yet: it is being filed right now,
    /// or that filing was killed midway (then deleting the hash lets the key
    /// be filed again).
    BeingFiled(PathBuf),
}

/// Writes the entry for `key` to `partial`: the store's root attributes and
/// the stage group `group` of `run` copied to `/output`, with the SHA-256 of
/// its attributes.
fn write_entry(
    partial: &Path,
    run: &File,
    group: &str,
    key: &StageKey,
    run_id: &str,
    now: &str,
) -> Result<(), StoreError> {
    let entry = open::create_file(partial)?;
    let h5 = |action: &str, e| StoreError::hdf5(partial, action, e);
    set_str(&entry, root::FORMAT, layout::FORMAT).map_err(|e| h5("writing attributes", e))?;
    set_str(&entry, root::STORE_KEY, &key.key).map_err(|e| h5("writing attributes", e))?;
    set_str(&entry, root::STORE_KEY_JSON, &key.json).map_err(|e| h5("writing attributes", e))?;
    set_str(&entry, root::RUN_ID, run_id).map_err(|e| h5("writing attributes", e))?;
    set_str(&entry, root::CREATED, now).map_err(|e| h5("writing attributes", e))?;
    set_str(&entry, root::HOST_VERSION, crate::HOST_VERSION)
        .map_err(|e| h5("writing attributes", e))?;
    hdf5_raw::copy_object(run, group, &entry, OUTPUT_GROUP, hdf5_raw::Attributes::Copy)
        .map_err(|e| StoreError::hdf5(partial, format!("copying {group} into the store"), e))?;
    let covered = entry
        .group(OUTPUT_GROUP)
        .and_then(|output| attributes_sha256(&output))
        .map_err(|e| h5("hashing the attributes", e))?;
    set_str(&entry, root::ATTRIBUTES_SHA256, &covered).map_err(|e| h5("writing attributes", e))?;
    entry.close().map_err(|e| h5("closing", e))
}

/// Verifies an entry: format, key, declared ports, and every content hash.
fn check_entry(path: &Path, key: &str, outputs: &[PortSpec]) -> Result<Vec<PortIdentity>, String> {
    let file = open::open_read(path).map_err(|e| format!("cannot open: {e}"))?;
    let format = get_str(&file, root::FORMAT).unwrap_or_default();
    if layout::format_major(&format) != Some(layout::FORMAT_MAJOR) {
        return Err(format!(
            "format is `{format}`, expected `{}`",
            layout::FORMAT
        ));
    }
    let recorded = get_str(&file, root::STORE_KEY).unwrap_or_default();
    if recorded != key {
        return Err(format!("records key {recorded}, but its name says {key}"));
    }
    let group = file
        .group(OUTPUT_GROUP)
        .map_err(|e| format!("no {OUTPUT_GROUP} group: {e}"))?;
    for dataset in all_datasets(&group).map_err(|e| format!("cannot list datasets: {e}"))? {
        let name = dataset.name();
        let expected = get_str(&dataset, attr::CONTENT_SHA256).unwrap_or_default();
        let actual =
            content_sha256(&dataset).map_err(|e| format!("dataset {name} cannot be read: {e}"))?;
        if expected != actual {
            return Err(format!(
                "dataset {name}: content SHA-256 is {actual} but {expected} was recorded"
            ));
        }
    }
    let recorded = get_str(&file, root::ATTRIBUTES_SHA256).unwrap_or_default();
    let actual =
        attributes_sha256(&group).map_err(|e| format!("attributes cannot be read: {e}"))?;
    if recorded != actual {
        return Err(if recorded.is_empty() {
            format!(
                "no `{}` attribute (filed by an older host)",
                root::ATTRIBUTES_SHA256
            )
        } else {
            format!(
                "its attributes (parameters, units, provenance) were changed: their SHA-256 is {actual} but \
                 {recorded} was recorded"
            )
        });
    }
    outputs
        .iter()
        .map(|spec| {
            let data_path = layout::port_path(OUTPUT_GROUP, &spec.name);
            let identity = identity_of(&file, &data_path)
                .map_err(|e| format!("output `{}`: {e}", spec.name))?;
            let expected_shape: Vec<u64> = match spec.kind {
                PortKind::STREAM => identity
                    .shape
                    .first()
                    .into_iter()
                    .copied()
                    .chain(spec.shape.iter().copied())
                    .collect(),
                _ => spec.shape.to_vec(),
            };
            if identity.element != spec.element.as_str() || identity.shape != expected_shape {
                return Err(format!(
                    "output `{}` is {} {:?}, but the stage declares {} {:?}",
                    spec.name, identity.element, identity.shape, spec.element, expected_shape
                ));
            }
            Ok(identity)
        })
        .collect()
}
