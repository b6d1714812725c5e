//! The projects to watch: every project file of a catalog that has a
//! `[discovery]` recipe, with its entries parsed and its discovery config
//! loaded (relative to the project file).

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use l2stage_discovery::Config;
use l2stage_model::ProjectFile;

use crate::WatchError;

/// One project the loop re-reads.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The project's id.
    pub project: String,
    pub chain_id: u64,
    pub entries: Vec<Address>,
    /// Where the config was read from (for messages).
    pub config_path: PathBuf,
    pub config: Config,
    /// The project file as the catalog has it (re-assessment merges the
    /// chain's structure into it), its text and where it was read.
    pub file: ProjectFile,
    pub text: String,
    pub format: l2stage_model::Format,
    pub path: PathBuf,
    /// Its label inputs (value-locked CSV, proof systems), for re-assessment.
    pub labels: Option<l2stage_labels::Inputs>,
}

/// The discovery configs shipped with l2stage, by file name: used when a
/// recipe's config is not on disk beside the catalog (the catalog built
/// into the binary has no `discovery/` directory next to it).
pub const SHIPPED_CONFIGS: &[(&str, &str)] = &[
    (
        "op-stack.toml",
        include_str!("../../../discovery/op-stack.toml"),
    ),
    (
        "arbitrum-nitro.toml",
        include_str!("../../../discovery/arbitrum-nitro.toml"),
    ),
];

/// Build the recipe of `file` read from `path` (`None` when the file has
/// no `[discovery]`). `shipped_fallback`: a config missing on disk whose
/// file name is one of [`SHIPPED_CONFIGS`] is taken from the binary.
pub fn recipe_of(
    path: &Path,
    file: &ProjectFile,
    text: &str,
    shipped_fallback: bool,
) -> Result<Option<Recipe>, WatchError> {
    let Some(d) = &file.discovery else {
        return Ok(None);
    };
    let project = file.project.id.to_string();
    let entries = d
        .entries
        .iter()
        .map(|e| {
            l2stage_discovery::config::parse_address(e.as_str())
                .map_err(|m| WatchError::Recipe(format!("{}: {m}", path.display())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let config_path = dir.join(&d.config);
    let config = if config_path.is_file() || !shipped_fallback {
        Config::load(&config_path).map_err(|e| {
            WatchError::Recipe(format!(
                "{}: [discovery] config {}: {e}",
                path.display(),
                config_path.display()
            ))
        })?
    } else {
        let name = Path::new(&d.config)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let text = SHIPPED_CONFIGS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                WatchError::Recipe(format!(
                    "{}: [discovery] config {} not found",
                    path.display(),
                    config_path.display()
                ))
            })?;
        Config::parse(text)
            .map_err(|e| WatchError::Recipe(format!("shipped discovery config {name}: {e}")))?
    };
    Ok(Some(Recipe {
        project,
        chain_id: d.chain_id,
        entries,
        config_path,
        config,
        file: file.clone(),
        text: text.to_string(),
        format: l2stage_model::Format::from_path(path).unwrap_or(l2stage_model::Format::Toml),
        path: path.to_path_buf(),
        labels: None,
    }))
}

/// Every recipe of the project files in `dir` (sorted by file name).
pub fn load_recipes(dir: &Path, shipped_fallback: bool) -> Result<Vec<Recipe>, WatchError> {
    let mut out = Vec::new();
    let paths = l2stage_model::files_in(dir).map_err(|e| WatchError::Recipe(e.to_string()))?;
    let registry = l2stage_labels::Registry::load_dir(&dir.join("proof-systems")).map_err(|e| {
        WatchError::Recipe(
            e.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    for path in paths {
        let text = l2stage_model::read_text(&path, l2stage_model::MAX_FILE_BYTES)
            .map_err(|e| WatchError::Recipe(e.to_string()))?;
        let format = l2stage_model::Format::from_path(&path).unwrap_or(l2stage_model::Format::Toml);
        let file = l2stage_model::parse_str(&path.display().to_string(), &text, format)
            .map_err(|e| WatchError::Recipe(e.to_string()))?;
        if let Some(mut r) = recipe_of(&path, &file, &text, shipped_fallback)? {
            r.labels = Some(
                l2stage_labels::Inputs::load(&file, &path, &registry)
                    .map_err(|e| WatchError::Recipe(e.to_string()))?,
            );
            out.push(r);
        }
    }
    Ok(out)
}
