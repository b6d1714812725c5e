//! Reading project files, and what their labels read beside them, with one
//! set of rules for `l2stage assess PATH...` and the server's catalog:
//!
//! * a directory stands for the `.toml` and `.json` files directly inside
//!   it, sorted; one that is not a readable regular file (a dangling or
//!   looping symlink, a FIFO) is an error naming it, and a directory
//!   without any is an error too (most likely the wrong directory);
//! * every file is read (at most 16 MiB of UTF-8) and parsed, and every
//!   invalid file is reported, not just the first;
//! * two files answering to one id (an id or an alias) are refused, naming
//!   both: lists and URLs would be ambiguous;
//! * proof systems are read from the directory given (`--proof-systems`),
//!   else from `proof-systems/` beside each project file; such a directory
//!   is read whole (every file must be valid) when it was given, when it
//!   exists, or when a project beside it names proof systems;
//! * each file's label inputs (its value-locked CSV, its proof systems)
//!   are loaded; every error is reported and nothing is returned if any.
//!
//! Whether a project is assessed on a day is the pipeline's rule
//! ([`crate::not_live_on`]), not the loader's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use l2stage_labels::{Inputs, LabelsError, Registry};
use l2stage_model::text::SafePath;
use l2stage_model::{Format, LoadError, ProjectFile, load_path, parse_str};

/// A project file read from disk.
#[derive(Debug, Clone)]
pub struct CatalogFile {
    pub path: PathBuf,
    pub format: Format,
    /// The file's text, as stored by the server.
    pub text: String,
    pub project: ProjectFile,
    /// Its label inputs, read beside it.
    pub labels: Inputs,
}

/// Project files read from disk, in the order given (a directory's files
/// sorted by name).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub files: Vec<CatalogFile>,
    /// The proof systems of the one proof-systems directory read (the one
    /// given, or the one all files share, when it exists): the server
    /// resolves the ids of submitted files in it.
    pub registry: Option<Registry>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {}: {source}", SafePath(path))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A directory's entry that cannot be listed or read as a file.
    #[error(transparent)]
    Dir(LoadError),
    #[error(
        "{}: no project files (.toml or .json) in this directory",
        SafePath(dir)
    )]
    Empty { dir: PathBuf },
    #[error("{} invalid project file(s) in the catalog", .0.len())]
    Invalid(Vec<LoadError>),
    #[error("{} invalid label input(s) in the catalog", .0.len())]
    Labels(Vec<LabelsError>),
    #[error(
        "{} and {} both answer to project id `{id}` (an id or an alias)",
        SafePath(first),
        SafePath(second)
    )]
    Duplicate {
        first: PathBuf,
        second: PathBuf,
        id: String,
    },
    /// The proof-systems directory given is not a directory.
    #[error("proof-systems directory {}: not a directory", SafePath(path))]
    ProofSystemsDir { path: PathBuf },
}

/// Every project file of a catalog directory with its label inputs (the
/// CSV each names, the proof systems of `DIR/proof-systems`).
pub fn load_catalog(dir: &Path) -> Result<Catalog, CatalogError> {
    std::fs::read_dir(dir).map_err(|source| CatalogError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    load(&[dir.to_path_buf()], None)
}

/// The project files named or inside named directories, parsed, with their
/// label inputs, proof systems from `proof_systems` when given (module
/// docs: the rules).
pub fn load(paths: &[PathBuf], proof_systems: Option<&Path>) -> Result<Catalog, CatalogError> {
    let mut names = Vec::new();
    for p in paths {
        if p.is_dir() {
            names.extend(project_files_in(p)?);
        } else {
            names.push(p.clone());
        }
    }
    let mut files: Vec<(PathBuf, Format, String, ProjectFile)> = Vec::new();
    let mut errors = Vec::new();
    for path in names {
        match read(&path) {
            Ok((format, text, project)) => files.push((path, format, text, project)),
            Err(e) => errors.push(e),
        }
    }
    for (i, (path, _, _, p)) in files.iter().enumerate() {
        if let Some((first, id)) = files[..i]
            .iter()
            .find_map(|(other, _, _, q)| p.shared_name(q).map(|id| (other, id)))
        {
            return Err(CatalogError::Duplicate {
                first: first.clone(),
                second: path.clone(),
                id: id.to_string(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    label_inputs(files, proof_systems)
}

/// A file's format, text and project (the same checks as
/// [`l2stage_model::load_path`]).
fn read(path: &Path) -> Result<(Format, String, ProjectFile), LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnsupportedType {
        path: path.to_path_buf(),
    })?;
    let text = l2stage_model::read_text(path, l2stage_model::MAX_FILE_BYTES)?;
    let project = parse_str(&path.display().to_string(), &text, format)?;
    Ok((format, text, project))
}

fn label_inputs(
    files: Vec<(PathBuf, Format, String, ProjectFile)>,
    given: Option<&Path>,
) -> Result<Catalog, CatalogError> {
    if let Some(d) = given
        && !d.is_dir()
    {
        return Err(CatalogError::ProofSystemsDir {
            path: d.to_path_buf(),
        });
    }
    let reg_dir = |path: &Path| match given {
        Some(d) => d.to_path_buf(),
        None => path
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(l2stage_labels::registry::DEFAULT_DIR),
    };
    // Each directory once; `None`: its files are invalid (reported).
    let mut registries: BTreeMap<PathBuf, Option<Registry>> = BTreeMap::new();
    let mut errors: Vec<LabelsError> = Vec::new();
    let mut dirs: Vec<PathBuf> = given.map(Path::to_path_buf).into_iter().collect();
    for (path, ..) in &files {
        let d = reg_dir(path);
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    for (path, _, _, project) in &files {
        let d = reg_dir(path);
        let uses = project
            .labels
            .as_ref()
            .is_some_and(|l| !l.proof_systems.is_empty());
        if (uses || d.is_dir() || given.is_some()) && !registries.contains_key(&d) {
            let reg = Registry::load_dir(&d).map_err(|es| errors.extend(es)).ok();
            registries.insert(d, reg);
        }
    }
    if let Some(d) = given
        && !registries.contains_key(d)
    {
        // Checked even when no project file was given.
        let reg = Registry::load_dir(d).map_err(|es| errors.extend(es)).ok();
        registries.insert(d.to_path_buf(), reg);
    }
    let empty = Registry::new();
    let mut out = Vec::with_capacity(files.len());
    for (path, format, text, project) in files {
        let uses = project
            .labels
            .as_ref()
            .is_some_and(|l| !l.proof_systems.is_empty());
        let registry = match registries.get(&reg_dir(&path)) {
            Some(Some(r)) => r,
            // Its directory's files are invalid, already reported.
            Some(None) if uses => continue,
            _ => &empty,
        };
        match Inputs::load(&project, &path, registry) {
            Ok(labels) => out.push(CatalogFile {
                path,
                format,
                text,
                project,
                labels,
            }),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(CatalogError::Labels(errors));
    }
    let registry = match dirs.as_slice() {
        [d] if d.is_dir() => registries.remove(d).flatten(),
        _ => None,
    };
    Ok(Catalog {
        files: out,
        registry,
    })
}

/// The file in catalog directory `dir` whose project has `name` as its id
/// or an alias (files that do not parse are passed over: they are reported
/// when loaded).
pub fn find(dir: &Path, name: &str) -> Result<Option<PathBuf>, CatalogError> {
    for f in project_files_in(dir)? {
        if let Ok(project) = load_path(&f)
            && project.answers_to(name)
        {
            return Ok(Some(f));
        }
    }
    Ok(None)
}

/// The `.toml` and `.json` files directly inside a directory, sorted; any
/// of them that is not a regular file is an error, and so is none.
fn project_files_in(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    // A dangling or looping symlink is an error naming it, never skipped.
    let files = l2stage_model::files_in(dir).map_err(CatalogError::Dir)?;
    if files.is_empty() {
        return Err(CatalogError::Empty {
            dir: dir.to_path_buf(),
        });
    }
    Ok(files)
}
