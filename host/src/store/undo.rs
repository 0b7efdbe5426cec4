//! The undo log that makes sealing and recovery safe against a kill.
//!
//! Both change a run's file in place once its streams have stopped
//! (attributes, dataset ports, trimmed extents), and HDF5 has no journal: a
//! process killed halfway can leave metadata half-written and the whole run
//! unreadable. So before changing anything, [`save`] copies every byte of the
//! file except compressed raw data — HDF5's metadata and the small
//! unfiltered chunks (metadata columns), a small share of a run — and the
//! file's length into `<partial>.undo`. The log is written under a temporary
//! name, synced and renamed, so a log that exists is whole.
//!
//! The compressed chunks left out are never changed by sealing or recovery,
//! except by a trim (after a write error, and in `recover`): HDF5 reads the
//! chunk a trim ends inside and stores it again, so the log saves that chunk
//! too, and it deletes the chunks wholly past the trim without reading them.
//! New objects go past the old end of the file, into space the change itself
//! freed, or — since run files use HDF5's `AGGR` file-space strategy (see
//! `open`) — nowhere else. So [`restore`], writing the saved bytes back and
//! truncating the file to its saved length, returns the file to its state
//! before the change began: byte for byte, but for the chunks wholly past a
//! trim, which are unreachable once `recover` has trimmed again (the trim is
//! planned from the chunk index alone, so it is the same). `recover`
//! restores first when it finds a log.
//!
//! Log layout: the magic line, the file length (u64 LE), then records of
//! (offset u64 LE, length u64 LE, bytes), then the SHA-256 of all before it.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::content::all_datasets;
use super::error::StoreError;
use super::{durable, hdf5_raw, open, seal};

const MAGIC: &[u8] = b"macroscope-undo/1\n";

/// `<partial>.undo`.
pub fn undo_path(partial: &Path) -> PathBuf {
    let mut name = partial.as_os_str().to_owned();
    name.push(".undo");
    name.into()
}

fn temporary_path(partial: &Path) -> PathBuf {
    let mut name = undo_path(partial).into_os_string();
    name.push(".tmp");
    name.into()
}

/// Saves the undo log of `partial` (closed, not being written) and syncs
/// both; returns the bytes of the file it saved.
pub fn save(partial: &Path) -> Result<u64, StoreError> {
    durable::sync_file(partial)?;
    let raw = raw_data_ranges(partial)?;
    let temporary = temporary_path(partial);
    let saved = write_log(partial, &raw, &temporary).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        StoreError::io(&temporary, "writing the undo log", e)
    })?;
    durable::sync_file(&temporary)?;
    durable::rename(&temporary, &undo_path(partial))?;
    Ok(saved)
}

/// Removes the undo log once the change it guards is complete and synced.
pub fn discard(partial: &Path) -> Result<(), StoreError> {
    let log = undo_path(partial);
    std::fs::remove_file(&log).map_err(|e| StoreError::io(&log, "removing the undo log", e))?;
    durable::sync_dir(log.parent().unwrap_or(Path::new(".")))
}

/// If `partial` has an undo log, rolls the file back to the state the log
/// saved, syncs it and removes the log; returns whether it did. A log left
/// half-written (killed while saving it) means the file was never changed
/// and is simply removed.
pub fn restore(partial: &Path) -> Result<bool, StoreError> {
    let _ = std::fs::remove_file(temporary_path(partial));
    let log = undo_path(partial);
    let bytes = match std::fs::read(&log) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(StoreError::io(&log, "reading the undo log", e)),
    };
    let Log { length, records } = parse(&bytes).ok_or_else(|| {
        StoreError::format(
            &log,
            "the undo log is damaged, so the sealing it guarded cannot be rolled back; \
             keep both files and do not delete the .partial",
        )
    })?;
    let rolled_back = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).open(partial)?;
        for (offset, data) in records {
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(data)?;
        }
        file.set_len(length)?;
        file.sync_all()
    })();
    rolled_back.map_err(|e| StoreError::io(partial, "rolling back with the undo log", e))?;
    discard(partial)?;
    Ok(true)
}

/// Where the raw data the log leaves out lies: every chunk of every
/// filtered dataset but those a trim would rewrite, and the block of every
/// contiguous dataset (which nothing rewrites), sorted and merged.
fn raw_data_ranges(partial: &Path) -> Result<Vec<(u64, u64)>, StoreError> {
    let file = open::open_read(partial)?;
    let listing = |e| StoreError::hdf5(partial, "listing where raw data lies", e);
    let rewritten: HashSet<(u64, u64)> = seal::plan_trims(&file)
        .and_then(|trims| seal::chunks_rewritten_by(&trims))
        .map_err(listing)?
        .into_iter()
        .collect();
    let mut ranges = Vec::new();
    for dataset in all_datasets(&file).map_err(listing)? {
        if dataset.is_chunked() {
            if !dataset.filters().is_empty() {
                let chunks = hdf5_raw::chunk_ranges(&dataset).map_err(listing)?;
                ranges.extend(chunks.into_iter().filter(|c| !rewritten.contains(c)));
            }
        } else if let Some(offset) = dataset.offset() {
            ranges.push((offset, dataset.storage_size()));
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, size) in ranges {
        match merged.last_mut() {
            Some((last, last_size)) if start <= *last + *last_size => {
                *last_size = (*last_size).max(start + size - *last);
            }
            _ => merged.push((start, size)),
        }
    }
    Ok(merged)
}

/// Writes the log of every byte of `partial` outside `raw` to `to`.
fn write_log(partial: &Path, raw: &[(u64, u64)], to: &Path) -> std::io::Result<u64> {
    let mut source = File::open(partial)?;
    let length = source.metadata()?.len();
    let mut out = HashingWriter::new(BufWriter::new(
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)?,
    ));
    out.write_all(MAGIC)?;
    out.write_all(&length.to_le_bytes())?;
    let mut saved = 0;
    let mut at = 0;
    let ends = raw
        .iter()
        .map(|&(start, size)| (start, start + size))
        .chain(std::iter::once((length, length)));
    for (raw_start, raw_end) in ends {
        let gap_end = raw_start.min(length);
        if gap_end > at {
            let size = gap_end - at;
            out.write_all(&at.to_le_bytes())?;
            out.write_all(&size.to_le_bytes())?;
            source.seek(SeekFrom::Start(at))?;
            std::io::copy(&mut (&mut source).take(size), &mut out)?;
            saved += size;
        }
        at = at.max(raw_end);
    }
    let digest = out.hasher.finalize_reset();
    out.inner.write_all(&digest)?;
    out.inner.flush()?;
    Ok(saved)
}

/// A parsed log: the file length and the bytes to write back at each offset.
struct Log<'a> {
    length: u64,
    records: Vec<(u64, &'a [u8])>,
}

/// Parses a whole log; `None` if it is damaged.
fn parse(bytes: &[u8]) -> Option<Log<'_>> {
    let (body, digest) = bytes.split_at(bytes.len().checked_sub(32)?);
    if Sha256::digest(body).as_slice() != digest {
        return None;
    }
    let mut rest = body.strip_prefix(MAGIC)?;
    let number = |rest: &mut &[u8]| -> Option<u64> {
        let (head, tail) = rest.split_first_chunk::<8>()?;
        *rest = tail;
        Some(u64::from_le_bytes(*head))
    };
    let length = number(&mut rest)?;
    let mut records = Vec::new();
    while !rest.is_empty() {
        let offset = number(&mut rest)?;
        let size = usize::try_from(number(&mut rest)?).ok()?;
        if size > rest.len() {
            return None;
        }
        let (data, tail) = rest.split_at(size);
        records.push((offset, data));
        rest = tail;
    }
    Some(Log { length, records })
}

/// Passes bytes through while hashing them.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
