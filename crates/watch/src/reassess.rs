//! Re-assessing a project after its snapshot changed: the structure read
//! on chain merged with what the project file declares.
//!
//! * A file that declares a `[governance]` structure keeps it; every claim
//!   of it the chain contradicts (as `l2stage verify` compares them) is a
//!   warning of the assessment, naming the block.
//! * A file without one is assessed on the structure read on chain.
//!
//! The assessment is stored with the catalog's file (its text does not
//! change); the store keeps it only when it differs from the last one.

use l2stage_discovery::Discovered;
use l2stage_model::Date;
use l2stage_store::{GovernanceSource, NewAssessment, NewGovernance, Origin};

use crate::recipe::Recipe;

/// The project file with the chain's structure merged in, and the
/// warnings the merge adds.
pub fn merged(
    recipe: &Recipe,
    d: &Discovered,
    block: u64,
) -> (l2stage_model::ProjectFile, Vec<String>) {
    let mut file = recipe.file.clone();
    let mut warnings = Vec::new();
    match &recipe.file.governance {
        Some(declared) => {
            let report = l2stage_discovery::verify::compare(declared, d);
            for m in &report.mismatches {
                warnings.push(format!(
                    "read on chain at block {block}: {} {} is {}, the project file declares {}",
                    m.subject, m.field, m.on_chain, m.declared
                ));
            }
        }
        None => {
            file.governance = Some(d.governance.clone());
            warnings.push(format!(
                "the governance structure is the one read on chain at block {block} (the project file declares none)"
            ));
        }
    }
    (file, warnings)
}

/// The assessment of `recipe` on `date` with the chain's structure, ready
/// to store; `None` (with the reason) when it cannot be made.
pub fn reassess(
    recipe: &Recipe,
    d: &Discovered,
    block: u64,
    date: Date,
) -> Result<NewAssessment, String> {
    let (file, warnings) = merged(recipe, d, block);
    assess_merged(recipe, &file, &warnings, date, recipe.labels.as_ref())
}

/// The governance structure `merged` assessed with, as the store keeps it
/// for readers without an RPC client (the server, `assess --db`).
pub fn watched_governance(
    recipe: &Recipe,
    file: &l2stage_model::ProjectFile,
    warnings: &[String],
    block: u64,
    timestamp: u64,
) -> Option<NewGovernance> {
    let g = file.governance.as_ref()?;
    Some(NewGovernance {
        project: recipe.project.clone(),
        block,
        timestamp,
        input_hash: l2stage_store::input_hash(recipe.format, &recipe.text),
        source: if recipe.file.governance.is_some() {
            GovernanceSource::Declared
        } else {
            GovernanceSource::Chain
        },
        governance: serde_json::to_value(g).ok()?,
        warnings: warnings.to_vec(),
    })
}

/// Assess the merged file (from [`merged`]) on `date` with `labels` (the
/// recipe's label inputs with the chain data), adding the merge's
/// warnings; ready to store.
pub fn assess_merged(
    recipe: &Recipe,
    file: &l2stage_model::ProjectFile,
    warnings: &[String],
    date: Date,
    labels: Option<&l2stage_labels::Inputs>,
) -> Result<NewAssessment, String> {
    let sel = l2stage_framework::Selection {
        framework: None,
        as_of: date,
    };
    let ctx = l2stage_assess::Context {
        selection: sel,
        labels,
    };
    let mut assessment = l2stage_assess::assess(file, &ctx).map_err(|e| e.to_string())?;
    assessment.verdict.warnings.extend(warnings.iter().cloned());
    Ok(NewAssessment {
        format: recipe.format,
        text: recipe.text.clone(),
        origin: Origin::Catalog,
        source_name: Some(recipe.path.display().to_string()),
        assessment,
    })
}
