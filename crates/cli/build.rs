//! Embeds the repository's catalog (project files, proof systems, value
//! data) in the binary, so `l2stage serve` and `l2stage assess catalog`
//! work from any directory.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(&p, base, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "toml" | "json" | "csv" | "md"))
        {
            println!("cargo:rerun-if-changed={}", p.display());
            let rel = p
                .strip_prefix(base)
                .expect("under the catalog")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, p.canonicalize().expect("catalog file")));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let catalog = manifest.join("../../catalog");
    println!("cargo:rerun-if-changed={}", catalog.display());
    let mut files = Vec::new();
    walk(&catalog, &catalog, &mut files);
    let mut src =
        String::from("/// The catalog's files: (path relative to the catalog, contents).\n");
    src.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        let _ = writeln!(
            src,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        );
    }
    src.push_str("];\n");
    // FNV-1a over every path and content, computed once here rather than
    // on every run: names the cache directory the catalog is unpacked to.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (rel, abs) in &files {
        let bytes = std::fs::read(abs).expect("read catalog file");
        for b in rel.bytes().chain([0]).chain(bytes).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let _ = writeln!(
        src,
        "/// FNV-1a over every path and content: changes with the catalog.\npub const FINGERPRINT: u64 = {h:#018x};"
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir")).join("catalog_files.rs");
    std::fs::write(out, src).expect("write catalog_files.rs");
}
