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
    let config = if config_path.exists() || !shipped_fallback {
        let text = read_config(path, &config_path)?;
        Config::parse(&text).map_err(|e| {
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

/// Largest discovery config a recipe may name: 1 MiB (the shipped ones
/// are under 20 KiB).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Read the discovery config `config_path` named by the project file
/// `project`: once symbolic links and `..` are resolved it must be a
/// `.toml` regular file of at most [`MAX_CONFIG_BYTES`] inside the project
/// file's directory tree or the `discovery/` directory beside it (where the
/// catalog's configs are). Anything else is refused before it is read, so
/// that an error never shows a line of an arbitrary file.
fn read_config(project: &Path, config_path: &Path) -> Result<String, WatchError> {
    let refuse = |why: String| {
        WatchError::Recipe(format!(
            "{}: [discovery] config {}: {why}",
            l2stage_model::text::quote(&project.display().to_string()),
            l2stage_model::text::quote(&config_path.display().to_string())
        ))
    };
    let real = std::fs::canonicalize(config_path)
        .map_err(|e| refuse(format!("cannot resolve the path: {e}")))?;
    let dir = project.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let dir = std::fs::canonicalize(dir)
        .map_err(|e| refuse(format!("cannot resolve the project's directory: {e}")))?;
    let mut roots = vec![dir.clone()];
    if let Some(up) = dir.parent()
        && let Ok(d) = std::fs::canonicalize(up.join("discovery"))
    {
        roots.push(d);
    }
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(refuse(
            "outside the project file's directory and the `discovery/` directory beside it \
             (symbolic links are followed before this check)"
                .into(),
        ));
    }
    if real.extension().and_then(|e| e.to_str()) != Some("toml") {
        return Err(refuse("not a `.toml` file".into()));
    }
    l2stage_model::read_text(&real, MAX_CONFIG_BYTES).map_err(|e| refuse(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "[project]
id = \"demo\"
name = \"Demo\"
kind = \"optimistic\"

[discovery]
chain_id = 1
entries = [\"0xbEb5Fc579115071764c7423A4f12eDde41f106Ed\"]
config = \"CONFIG\"
";

    /// `root/catalog/demo.toml` naming `config`; returns its recipe.
    fn recipe(root: &Path, config: &str) -> Result<Option<Recipe>, WatchError> {
        let text = PROJECT.replace("CONFIG", config);
        let path = root.join("catalog/demo.toml");
        std::fs::write(&path, &text).unwrap();
        let file =
            l2stage_model::parse_str("demo.toml", &text, l2stage_model::Format::Toml).unwrap();
        recipe_of(&path, &file, &text, false)
    }

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for d in ["catalog/sub", "discovery", "elsewhere"] {
            std::fs::create_dir_all(t.path().join(d)).unwrap();
        }
        let shipped = SHIPPED_CONFIGS[0].1;
        std::fs::write(t.path().join("discovery/op-stack.toml"), shipped).unwrap();
        std::fs::write(t.path().join("catalog/sub/mine.toml"), shipped).unwrap();
        // Not a config: its first line must never be shown.
        std::fs::write(
            t.path().join("elsewhere/secret.toml"),
            "SECRET-LINE = = 1\n",
        )
        .unwrap();
        t
    }

    #[test]
    fn configs_beside_the_catalog_and_inside_it_load() {
        let t = tree();
        let r = recipe(t.path(), "../discovery/op-stack.toml")
            .unwrap()
            .unwrap();
        assert!(!r.config.contracts.is_empty());
        assert!(recipe(t.path(), "sub/mine.toml").unwrap().is_some());
    }

    #[test]
    fn a_config_outside_the_tree_is_refused_unread() {
        let t = tree();
        let e = recipe(t.path(), "../elsewhere/secret.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("outside the project file's directory"), "{e}");
        assert!(!e.contains("SECRET-LINE"), "{e}");
        // The same file reached through a symbolic link inside the tree.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                t.path().join("elsewhere/secret.toml"),
                t.path().join("catalog/sub/link.toml"),
            )
            .unwrap();
            let e = recipe(t.path(), "sub/link.toml").unwrap_err().to_string();
            assert!(e.contains("outside the project file's directory"), "{e}");
            assert!(!e.contains("SECRET-LINE"), "{e}");
        }
    }

    #[test]
    fn a_config_must_be_a_small_toml_regular_file() {
        let t = tree();
        std::fs::create_dir_all(t.path().join("catalog/dir.toml")).unwrap();
        let e = recipe(t.path(), "dir.toml").unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let big = std::fs::File::create(t.path().join("catalog/big.toml")).unwrap();
        big.set_len(MAX_CONFIG_BYTES + 1).unwrap();
        let e = recipe(t.path(), "big.toml").unwrap_err().to_string();
        assert!(e.contains("larger than the 1 MiB allowed"), "{e}");
        // The file must say `.toml` (checked when the project file is
        // read) and still be one once its links are resolved.
        std::fs::write(t.path().join("catalog/notes.txt"), "x").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("notes.txt", t.path().join("catalog/alias.toml")).unwrap();
            let e = recipe(t.path(), "alias.toml").unwrap_err().to_string();
            assert!(e.contains("not a `.toml` file"), "{e}");
        }
    }
}
