//! Shared by the `discovery_*` CLI tests: run the built `l2stage` from the
//! repository root.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_l2stage"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run l2stage")
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}
