//! Proof-system files: one implementation, shared by every project using it.

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize};

use super::Usd;
use crate::date::Date;
use crate::parse::{Format, LoadError, parse_document};
use crate::project::{Slug, Source};

/// One proof-system implementation, shared by every project using it. Its id
/// is the file's name: `proof-systems/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofSystemFile {
    /// Display name.
    pub name: String,
    pub kind: ProofKind,
    /// The implementation: prover, on-chain verifier or VM, program.
    pub implementation: String,
    /// The version in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// First day it secured funds on Ethereum mainnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_production_since: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audits: Vec<Audit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug_bounty: Option<BugBounty>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
    /// Risk of the trusted setup; `none` when there is no setup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_setup_risk: Option<TrustedSetupRisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_setup_note: Option<String>,
    /// The prover's (or challenger's) source code is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prover_source_published: Option<bool>,
    /// The on-chain verifier (or VM) can be rebuilt from source and matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_reproducible: Option<bool>,
    /// The program hashes (verification keys, absolute prestate, enclave
    /// measurements) can be rebuilt from source and matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs_reproducible: Option<bool>,
    /// Components (libraries, VMs, clients) other implementations may share:
    /// two proof systems sharing one are not independent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_components: Vec<Slug>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// The proof-system family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProofKind {
    Fraud,
    Validity,
    /// Trusted execution environment attestations.
    Tee,
}

impl ProofKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProofKind::Fraud => "fraud",
            ProofKind::Validity => "validity",
            ProofKind::Tee => "tee",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub firm: String,
    /// Date of the report.
    pub date: Date,
    /// The report.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BugBounty {
    /// Largest payout, US dollars.
    #[serde(deserialize_with = "usd")]
    #[schemars(with = "Usd")]
    pub max_usd: f64,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// When the bounty (at this size) started, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
}

fn usd<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Usd::deserialize(d).map(|u| u.0)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub date: Date,
    pub summary: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// How bad an incident was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// No funds at risk.
    Low,
    /// Degraded service, no funds at risk.
    Medium,
    /// Proving halted, or the system fell back to a permissioned mode.
    High,
    /// Funds lost, or an invalid state could have been finalised.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Trusted-setup risk, after L2BEAT's colours: `none` (no setup: fraud
/// proofs, STARKs), `low` (green: a large public ceremony), `medium`
/// (yellow), `high` (red: few or unverifiable participants).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TrustedSetupRisk {
    None,
    Low,
    Medium,
    High,
}

impl TrustedSetupRisk {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustedSetupRisk::None => "none",
            TrustedSetupRisk::Low => "low",
            TrustedSetupRisk::Medium => "medium",
            TrustedSetupRisk::High => "high",
        }
    }
}

/// Read and parse a proof-system file (`.toml` or `.json`), with located errors.
pub fn load_proof_system(path: &Path) -> Result<ProofSystemFile, LoadError> {
    let format = Format::from_path(path).ok_or_else(|| LoadError::UnsupportedType {
        path: path.to_path_buf(),
    })?;
    let src = crate::parse::read_text(path, crate::parse::MAX_FILE_BYTES)?;
    parse_proof_system(&path.display().to_string(), &src, format)
}

/// Parse a proof-system file's text. `name` is used in error messages.
pub fn parse_proof_system(
    name: &str,
    src: &str,
    format: Format,
) -> Result<ProofSystemFile, LoadError> {
    parse_document(name, src, format)
}

/// The JSON Schema of a proof-system file.
pub fn proof_system_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ProofSystemFile);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}
