//! The catalog built into the binary (crates/cli/build.rs), unpacked on
//! first use into a per-version cache directory so every path-based reader
//! (project files, the value-locked CSVs they name, `proof-systems/`)
//! works unchanged.

use std::path::{Path, PathBuf};

use crate::error::{CliError, io_runtime};

mod files {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// The embedded catalog as a directory: unpacked under the user's cache
/// directory (else the temporary directory) once per catalog version.
pub fn embedded_dir() -> Result<PathBuf, CliError> {
    let root = dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("l2stage");
    let dir = root.join(format!(
        "catalog-{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        files::FINGERPRINT
    ));
    if dir.join(".complete").is_file() {
        return Ok(dir);
    }
    // Unpack beside it, then rename: a reader never sees half a catalog.
    let tmp = root.join(format!(
        ".catalog-{}-{:016x}",
        std::process::id(),
        files::FINGERPRINT
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    for (rel, bytes) in files::FILES {
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| io_runtime("create directory", parent, &e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| io_runtime("write", &path, &e))?;
    }
    let marker = tmp.join(".complete");
    std::fs::write(&marker, b"").map_err(|e| io_runtime("write", &marker, &e))?;
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => Ok(dir),
        // Another process unpacked it first.
        Err(_) if dir.join(".complete").is_file() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(dir)
        }
        Err(e) => Err(io_runtime("create", &dir, &e)),
    }
}

/// The catalog directory to use: `--catalog DIR` when given, else the
/// embedded one.
pub fn dir(given: Option<&Path>) -> Result<PathBuf, CliError> {
    match given {
        Some(d) => Ok(d.to_path_buf()),
        None => embedded_dir(),
    }
}
