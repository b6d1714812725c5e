//! Inputs of the labels shown beside the stage (BattleTested, proof-system
//! maturity). The labels crate evaluates them.

use serde::{Deserialize, Serialize};

/// The `[labels]` section of a project file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelInputs {}
