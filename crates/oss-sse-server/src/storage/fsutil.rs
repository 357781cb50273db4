//! The durability primitives every write goes through: write-to-temporary, fsync, rename, directory fsync.
//! A crash at any instant leaves either the old file or the new one, never a torn one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Fsyncs a directory so that a rename or create inside it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Atomically replaces `dest` with `bytes`: the data is written to `tmp`, fsynced, renamed over `dest`,
/// and `dest`'s directory is fsynced. `tmp` must be on the same file system.
pub fn atomic_write(tmp: &Path, dest: &Path, bytes: &[u8]) -> io::Result<()> {
    {
        let mut f = OpenOptions::new().write(true).create_new(true).open(tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::remove_file(tmp);
        return Err(e);
    }
    match dest.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Removes `path` and fsyncs its directory; a missing file is not an error.
pub fn remove_durably(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    match path.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Creates `dir` (and parents) and fsyncs the directory that received it.
pub fn create_dir_durably(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}
