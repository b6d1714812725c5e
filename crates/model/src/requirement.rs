//! Requirement ids of the Stages Framework and the statuses a project file
//! may declare for them.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! requirement_ids {
    ($( $variant:ident = $id:literal, $title:literal; )*) => {
        /// Stable id of one requirement, across all framework revisions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RequirementId { $( $variant, )* }

        impl RequirementId {
            pub const ALL: &'static [RequirementId] = &[ $( RequirementId::$variant, )* ];

            /// The id as written in project files and JSON output.
            pub fn as_str(self) -> &'static str {
                match self { $( RequirementId::$variant => $id, )* }
            }

            /// A one-line statement of what "met" means.
            pub fn title(self) -> &'static str {
                match self { $( RequirementId::$variant => $title, )* }
            }
        }

        impl FromStr for RequirementId {
            type Err = UnknownRequirement;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $id => Ok(RequirementId::$variant), )*
                    _ => Err(UnknownRequirement(s.to_string())),
                }
            }
        }
    };
}

requirement_ids! {
    ProofSystem = "proof-system", "A complete proof system adjudicates state roots";
    FiveExternalChallengers = "five-external-challengers", "At least 5 actors outside the team can submit fraud proofs";
    CallsItselfRollup = "calls-itself-rollup", "The project calls itself a rollup";
    StateRootsOnL1 = "state-roots-on-l1", "L2 state roots are posted to Ethereum";
    DataOnL1 = "data-on-l1", "All data needed to reconstruct the L2 state is on Ethereum";
    NodeSourceAvailable = "node-source-available", "Source-available node software can rebuild the state from L1 data";
    Principle = "principle", "Only ≥75% of the Security Council can block or forge L2→L1 messages, other than bugs";
    ExitWithoutOperators = "exit-without-operators", "Users can exit without the permissioned operators' help";
    SevenDayExitWindow = "seven-day-exit-window", "Upgrades by actors weaker than the council leave users ≥7 days to exit";
    CouncilProperlySetUp = "council-properly-set-up", "The Security Council is properly set up (≥8 members, ≥75% threshold, announced, outside blocking minority)";
    NoRedTrustedSetup = "no-red-trusted-setup", "No proof system relies on a high-risk trusted setup";
    ProverSourcePublished = "prover-source-published", "The source of every prover in use is published";
    VerifiersReproducible = "verifiers-reproducible", "On-chain verifier contracts can be regenerated from published source";
    ProgramsReproducible = "programs-reproducible", "On-chain program hashes can be regenerated from published source";
    PermissionlessProofs = "permissionless-proofs", "Anyone may submit fraud proofs";
    ThirtyDayExitWindow = "thirty-day-exit-window", "Upgrades not tied to an on-chain provable bug leave users ≥30 days to exit";
    CouncilOnlyForOnchainBugs = "council-only-for-onchain-bugs", "The Security Council can act only on bugs detected on chain";
    CallsItselfValidiumOrOptimium = "calls-itself-validium-or-optimium", "The project calls itself a validium or an optimium";
    DaAttestedByIndependentParty = "da-attested-by-independent-party", "Data availability is attested by a committee or an external DA layer, not by the sequencer alone";
    DaVerifierSecureOnL1 = "da-verifier-secure-on-l1", "A secure DA verifier on Ethereum checks DA attestations on chain";
    DaVerifierSevenDayExitWindow = "da-verifier-seven-day-exit-window", "The DA verifier is immutable, or its upgrades leave users ≥7 days to exit";
    DaCommitteeDecentralized = "da-committee-decentralized", "The DA layer is minimally decentralised (a committee with ≥5 outside members under an honest minority, or an external DA chain with an attestation verifier)";
    DaVerifierThirtyDayExitWindow = "da-verifier-thirty-day-exit-window", "The DA verifier is immutable, or its upgrades leave users ≥30 days to exit";
    DaMechanismEconomicSecurity = "da-mechanism-economic-security", "The DA mechanism has economic security: slashable stake at risk for DA misbehaviour exceeds the value secured";
}

impl RequirementId {
    /// Requirements that only make sense for fraud-proof (optimistic) systems.
    pub fn fraud_proof_only(self) -> bool {
        matches!(
            self,
            RequirementId::FiveExternalChallengers | RequirementId::PermissionlessProofs
        )
    }

    /// The proving-system requirements added in 2026 (trusted setup,
    /// prover source, reproducible verifiers and programs). They apply to
    /// every kind: for fraud-proof systems they concern the fault-proof
    /// program and any ZK or TEE component.
    pub fn proving_system(self) -> bool {
        matches!(
            self,
            RequirementId::NoRedTrustedSetup
                | RequirementId::ProverSourcePublished
                | RequirementId::VerifiersReproducible
                | RequirementId::ProgramsReproducible
        )
    }

    /// The closest valid id to a misspelt one, for hints.
    pub fn closest(s: &str) -> Option<RequirementId> {
        closest_of(s, RequirementId::ALL.iter().map(|r| r.as_str()))
            .and_then(|best| best.parse().ok())
    }
}

/// The closest candidate to `input` by edit distance, if reasonably close.
pub fn closest_of<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(input, c), c))
        .filter(|(d, c)| *d <= (c.len().max(input.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRequirement(pub String);

impl fmt::Display for UnknownRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Same shape as serde's "unknown field" message, so hints are uniform.
        write!(f, "unknown requirement id `{}`, expected one of ", self.0)?;
        for (i, r) in RequirementId::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{}`", r.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRequirement {}

impl fmt::Display for RequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RequirementId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RequirementId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// A status as declared in a project file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeclaredStatus {
    Met,
    Unmet,
    /// Counts as unmet; shown as pending a reviewer.
    UnderReview,
    /// Dropped from the stage computation (never allowed for the principle).
    NotApplicable,
}

impl DeclaredStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredStatus::Met => "met",
            DeclaredStatus::Unmet => "unmet",
            DeclaredStatus::UnderReview => "under-review",
            DeclaredStatus::NotApplicable => "not-applicable",
        }
    }
}

/// A declared requirement: its status with the reason and evidence behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declared {
    pub status: DeclaredStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Declared {
    pub fn bare(status: DeclaredStatus) -> Declared {
        Declared {
            status,
            reason: None,
            evidence: Vec::new(),
        }
    }
}

/// The table form, `{ status = "...", reason = "...", evidence = [...] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclaredTable {
    status: DeclaredStatus,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    evidence: Vec<String>,
}

impl<'de> Deserialize<'de> for Declared {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DeclaredVisitor;
        impl<'de> Visitor<'de> for DeclaredVisitor {
            type Value = Declared;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a status string (\"met\", \"unmet\", \"under-review\", \"not-applicable\") or a table { status, reason, evidence }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Declared, E> {
                let status = DeclaredStatus::deserialize(de::value::StrDeserializer::<E>::new(v))?;
                Ok(Declared::bare(status))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Declared, A::Error> {
                let t = DeclaredTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if t.reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                    return Err(de::Error::custom(
                        "`reason` is empty: leave it out or say why",
                    ));
                }
                Ok(Declared {
                    status: t.status,
                    reason: t.reason,
                    evidence: t.evidence,
                })
            }
        }
        d.deserialize_any(DeclaredVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for r in RequirementId::ALL {
            assert_eq!(r.as_str().parse::<RequirementId>().unwrap(), *r);
        }
        assert_eq!(RequirementId::ALL.len(), 24);
    }

    #[test]
    fn closest_id_for_typos() {
        assert_eq!(
            RequirementId::closest("proof-sytem"),
            Some(RequirementId::ProofSystem)
        );
        assert_eq!(
            RequirementId::closest("principal"),
            Some(RequirementId::Principle)
        );
        assert_eq!(
            RequirementId::closest("7-day-exit-window"),
            Some(RequirementId::SevenDayExitWindow)
        );
        assert_eq!(RequirementId::closest("zzzzzzzzzzzzzzzzzzzzzz"), None);
    }
}
