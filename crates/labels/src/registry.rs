//! Proof-system files (one per implementation, shared by the projects using
//! it) and everything else the labels read beside a project file: the
//! value-locked CSV it names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use l2stage_model::governance::{FieldError, PathSeg};
use l2stage_model::labels::{ProofSystemFile, ValuePoint, load_proof_system, load_value_csv};
use l2stage_model::parse::field_error;
use l2stage_model::requirement::closest_of;
use l2stage_model::{Format, LoadError, ProjectFile, Slug};

/// The directory searched by default, beside the project file.
pub const DEFAULT_DIR: &str = "proof-systems";

/// A proof-system file, its id taken from the file name.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofSystem {
    pub id: Slug,
    pub file: ProofSystemFile,
}

/// A component shared with other known implementations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedComponent {
    pub component: String,
    /// Ids of the other proof systems listing it.
    pub proof_systems: Vec<String>,
}

/// Problems with the files the labels read besides project files.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LabelsError {
    /// A located error inside a proof-system file, a CSV or a project file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    #[error("{}: {message}", l2stage_model::text::SafePath(path))]
    #[diagnostic(code(l2stage::proof_systems))]
    File { path: PathBuf, message: String },
}

/// Every proof system known, by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Registry {
    systems: BTreeMap<String, ProofSystem>,
    /// The directory it was read from, for messages.
    pub dir: Option<PathBuf>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Add (or replace) a proof system.
    pub fn insert(&mut self, id: Slug, file: ProofSystemFile) {
        self.systems
            .insert(id.to_string(), ProofSystem { id, file });
    }

    pub fn get(&self, id: &str) -> Option<&ProofSystem> {
        self.systems.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.systems.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.systems.is_empty()
    }

    pub fn len(&self) -> usize {
        self.systems.len()
    }

    /// Read every `<id>.toml` / `<id>.json` directly inside `dir`. Every
    /// invalid file is reported, not just the first. A missing directory is
    /// an empty registry.
    pub fn load_dir(dir: &Path) -> Result<Registry, Vec<LabelsError>> {
        let mut reg = Registry {
            systems: BTreeMap::new(),
            dir: Some(dir.to_path_buf()),
        };
        if !dir.is_dir() {
            return Ok(reg);
        }
        let paths = l2stage_model::files_in(dir).map_err(|e| vec![LabelsError::Load(e)])?;
        let mut errors = Vec::new();
        let mut from: BTreeMap<String, PathBuf> = BTreeMap::new();
        for path in paths {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let id = match Slug::parse(&stem) {
                Ok(id) => id,
                Err(e) => {
                    errors.push(LabelsError::File {
                        path,
                        message: format!("the file name is the proof system's id: {e}"),
                    });
                    continue;
                }
            };
            if let Some(other) = from.get(&stem) {
                errors.push(LabelsError::File {
                    path: path.clone(),
                    message: format!(
                        "proof system `{stem}` is also defined by {}",
                        other.display()
                    ),
                });
                continue;
            }
            match load_proof_system(&path) {
                Ok(file) => {
                    from.insert(stem, path);
                    reg.insert(id, file);
                }
                Err(e) => errors.push(LabelsError::Load(e)),
            }
        }
        if errors.is_empty() {
            Ok(reg)
        } else {
            Err(errors)
        }
    }

    /// The components `id` shares with other known proof systems.
    pub fn shares_with(&self, id: &str) -> Vec<SharedComponent> {
        let Some(ps) = self.get(id) else {
            return Vec::new();
        };
        ps.file
            .shared_components
            .iter()
            .filter_map(|c| {
                let others: Vec<String> = self
                    .systems
                    .values()
                    .filter(|o| o.id != ps.id && o.file.shared_components.contains(c))
                    .map(|o| o.id.to_string())
                    .collect();
                (!others.is_empty()).then(|| SharedComponent {
                    component: c.to_string(),
                    proof_systems: others,
                })
            })
            .collect()
    }
}

/// The value-locked points available for a project.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesData {
    /// No `[labels.value_locked]`.
    None,
    Points(Vec<ValuePoint>),
    /// The project names a CSV that was not read (no I/O was allowed).
    NotLoaded(String),
}

/// What the labels need beyond the project file itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub series: SeriesData,
    /// The project's proof systems, in its order, with what they share.
    pub proof_systems: Vec<(ProofSystem, Vec<SharedComponent>)>,
    /// Ids the project lists that are not in the registry used.
    pub unresolved: Vec<String>,
    /// What watching the chain knows (value locked read on chain, recorded
    /// changes); `None`: declared data only. Set by the caller that has a
    /// store ([`crate::chain`]).
    pub chain: Option<crate::chain::ChainData>,
}

impl Inputs {
    /// Without I/O: inline points only; proof systems looked up in
    /// `registry` when given, the others listed as unresolved.
    pub fn inline(project: &ProjectFile, registry: Option<&Registry>) -> Inputs {
        let labels = project.labels.as_ref();
        let series = match labels.and_then(|l| l.value_locked.as_ref()) {
            None => SeriesData::None,
            Some(v) => match (&v.points, &v.csv) {
                (Some(p), _) => SeriesData::Points(p.clone()),
                (None, Some(csv)) => SeriesData::NotLoaded(csv.clone()),
                (None, None) => SeriesData::None,
            },
        };
        let mut proof_systems = Vec::new();
        let mut unresolved = Vec::new();
        for id in labels.map(|l| l.proof_systems.0.as_slice()).unwrap_or(&[]) {
            match registry.and_then(|r| r.get(id.as_str()).map(|ps| (r, ps))) {
                Some((r, ps)) => proof_systems.push((ps.clone(), r.shares_with(id.as_str()))),
                None => unresolved.push(id.to_string()),
            }
        }
        Inputs {
            series,
            proof_systems,
            unresolved,
            chain: None,
        }
    }

    /// Read the CSV the project names (relative to the project file) and
    /// resolve every proof-system id in `registry`. An unknown id is a
    /// located error in the project file; a bad CSV names its file and line.
    pub fn load(
        project: &ProjectFile,
        project_path: &Path,
        registry: &Registry,
    ) -> Result<Inputs, LabelsError> {
        let mut inputs = Inputs::inline(project, Some(registry));
        if let Some(id) = inputs.unresolved.first() {
            return Err(unknown_id(project, project_path, registry, id));
        }
        if let SeriesData::NotLoaded(csv) = &inputs.series {
            let path = resolve_beside(project_path, csv)?;
            let points = load_value_csv(&path)?;
            inputs.series = SeriesData::Points(points);
        }
        Ok(inputs)
    }
}

/// Where a file named inside a project file (`csv = "data/x.csv"`) is: its
/// path relative to the project file's directory, which it must stay inside
/// once every symlink is resolved (no `..`, no absolute path, no link
/// leading out). A refused path is refused before anything is read, with an
/// error located at the `csv` key of the project file.
pub fn resolve_beside(project_path: &Path, rel: &str) -> Result<PathBuf, LabelsError> {
    let base = match project_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let refuse = |message: String| {
        let e = FieldError {
            path: vec![
                PathSeg::Key("labels".into()),
                PathSeg::Key("value_locked".into()),
                PathSeg::Key("csv".into()),
            ],
            message,
            hint: Some(
                "name a file inside the project file's directory, e.g. \"data/my-rollup.csv\""
                    .into(),
            ),
        };
        located(project_path, &e).unwrap_or_else(|| {
            LabelsError::Load(LoadError::Refused {
                path: base.join(rel),
                message: e.message.clone(),
            })
        })
    };
    let quoted = l2stage_model::text::quote(rel);
    let rel_path = Path::new(rel);
    if rel.is_empty()
        || !rel_path.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
    {
        return Err(refuse(format!(
            "`{quoted}` is not a path inside the project file's directory: refused, not read"
        )));
    }
    let io = |path: &Path, source| {
        LabelsError::Load(LoadError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let root = std::fs::canonicalize(base).map_err(|e| io(base, e))?;
    let joined = base.join(rel_path);
    let target = std::fs::canonicalize(&joined).map_err(|e| io(&joined, e))?;
    if !target.starts_with(&root) {
        return Err(refuse(format!(
            "`{quoted}` leads outside the project file's directory (through a symbolic link): refused, not read"
        )));
    }
    // The path as the user wrote it, for messages; it leads to `target`.
    Ok(joined)
}

/// A located error in the project file at `path`, if it can be read again.
fn located(path: &Path, e: &FieldError) -> Option<LabelsError> {
    let format = Format::from_path(path)?;
    let src = l2stage_model::read_text(path, l2stage_model::MAX_FILE_BYTES).ok()?;
    Some(LabelsError::Load(field_error(
        &path.display().to_string(),
        &src,
        format,
        e,
    )))
}

/// The located error for a proof-system id missing from the registry.
fn unknown_id(project: &ProjectFile, path: &Path, registry: &Registry, id: &str) -> LabelsError {
    let index = project
        .labels
        .as_ref()
        .and_then(|l| l.proof_systems.0.iter().position(|s| s.as_str() == id))
        .unwrap_or(0);
    let dir = registry
        .dir
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|| "the proof-systems directory".into());
    let hint = match closest_of(id, registry.ids()) {
        Some(c) => format!("did you mean `{c}`?"),
        None if registry.is_empty() => {
            format!("no proof-system files were found in {dir}")
        }
        None => format!(
            "known proof systems (in {dir}): {}",
            registry.ids().collect::<Vec<_>>().join(", ")
        ),
    };
    let e = FieldError {
        path: vec![
            PathSeg::Key("labels".into()),
            PathSeg::Key("proof_systems".into()),
            PathSeg::Index(index),
        ],
        message: format!("unknown proof system `{id}`: no file {id}.toml in {dir}"),
        hint: Some(hint),
    };
    let located = Format::from_path(path).and_then(|format| {
        l2stage_model::read_text(path, l2stage_model::MAX_FILE_BYTES)
            .ok()
            .map(|src| field_error(&path.display().to_string(), &src, format, &e))
    });
    match located {
        Some(err) => LabelsError::Load(err),
        None => LabelsError::File {
            path: path.to_path_buf(),
            message: format!("labels.proof_systems[{index}]: {}", e.message),
        },
    }
}
