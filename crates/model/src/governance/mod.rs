//! The structural description of a rollup's governance: actors, the powers
//! they hold, and the exit mechanics users rely on. The governance crate
//! derives stage requirements from it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::duration::DurationSpec;

mod validate;

pub use validate::{FieldError, PathSeg};

/// The built-in actor that stands for "any address".
pub const ANYONE: &str = "anyone";

/// The `[governance]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    /// The structure describes the project from this day on; assessments of
    /// earlier days use the declared statuses only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// The first day the structure no longer describes the project (it was
    /// replaced); from then on only the declared statuses are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// Block time used to convert durations written in blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_time: Option<DurationSpec>,
    /// Where the structure was read from (e.g. `l2stage discover` output).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    pub exit: ExitMechanics,
    #[serde(default)]
    pub actors: Vec<Actor>,
    #[serde(default)]
    pub powers: Vec<Power>,
    /// Validiums and optimiums: where the data-availability attestation is
    /// checked and who attests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub da: Option<DataAvailability>,
}

/// The `[governance.da]` table: the parts of a validium's or optimium's
/// data availability that requirements are derived from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAvailability {
    /// The DA verifier contract on Ethereum, as named in the `target` of the
    /// powers that upgrade or replace it. Its upgrade paths decide
    /// `da-verifier-seven-day-exit-window` and
    /// `da-verifier-thirty-day-exit-window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    /// The DA verifier cannot be upgraded or replaced (no power targets it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verifier_immutable: bool,
    /// The data-availability committee: a multisig actor whose members sign
    /// attestations and whose threshold is the attestation quorum. Decides
    /// `da-committee-decentralized`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Why a structure does not apply on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfForce {
    /// It describes the project from this day on.
    NotYet(Date),
    /// It was replaced on this day.
    Replaced(Date),
}

/// How a user gets funds out when the operators are hostile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitMechanics {
    /// Longest the sequencer can delay a transaction forced through L1;
    /// absent means there is no forced inclusion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_inclusion: Option<DurationSpec>,
    /// After how long without state roots anyone may propose (or prove) one;
    /// absent means there is no such fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_propose: Option<DurationSpec>,
    /// Challenge or finalisation period a withdrawal waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalization: Option<DurationSpec>,
    /// Who may propose state roots: `"permissionless"` or a list of actor ids.
    pub proposing: Participation,
    /// Who may challenge state roots (optimistic rollups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenging: Option<Participation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// Who may take part in proposing or challenging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Participation {
    /// The string `"permissionless"`.
    Permissionless(PermissionlessTag),
    /// Actor ids on the allow-list.
    Allowlist(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionlessTag {
    Permissionless,
}

impl Participation {
    pub fn is_permissionless(&self) -> bool {
        matches!(self, Participation::Permissionless(_))
    }
    pub fn allowlist(&self) -> &[String] {
        match self {
            Participation::Permissionless(_) => &[],
            Participation::Allowlist(l) => l,
        }
    }
}

impl<'de> Deserialize<'de> for Participation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Participation;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"permissionless\" or a list of actor ids")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Participation, E> {
                match v {
                    "permissionless" => Ok(Participation::Permissionless(
                        PermissionlessTag::Permissionless,
                    )),
                    other => Err(E::custom(format!(
                        "unknown participation `{other}`, expected `permissionless` or a list of actor ids"
                    ))),
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Participation, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<String>()? {
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(serde::de::Error::custom(
                        "an empty allow-list: nobody can take part; list actor ids",
                    ));
                }
                Ok(Participation::Allowlist(ids))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    /// An externally owned account: one key.
    Eoa,
    /// k of n members must sign (a Safe); a Security Council is one.
    Multisig,
    /// Delays what its proposers schedule; executors run it after the delay.
    Timelock,
    /// Forwards what its senders send after a delay (e.g. an L2→L1 message
    /// through the challenge period).
    Relay,
    /// Token-holder governance; its `delay` is voting plus queueing time.
    Dao,
}

impl ActorKind {
    /// The kind as the project file spells it (`multisig`), for messages
    /// and pages.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Eoa => "eoa",
            ActorKind::Multisig => "multisig",
            ActorKind::Timelock => "timelock",
            ActorKind::Relay => "relay",
            ActorKind::Dao => "dao",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Affiliation {
    /// The team's own organisation (or its foundation, investors...).
    Team,
    /// Independent of the team.
    Outside,
}

/// One actor in the permission graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Referenced by powers and other actors.
    pub id: String,
    pub kind: ActorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For EOAs (and DAOs): whose key it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<Affiliation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Multisig: signatures needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// Multisig: its signers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
    /// Multisig: this is the project's Security Council.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub security_council: bool,
    /// Timelock, relay, DAO: the minimum delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DurationSpec>,
    /// Timelock: who may schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposers: Vec<String>,
    /// Timelock: who may execute after the delay (`anyone` allowed); empty means anyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executors: Vec<String>,
    /// Timelock: who may cancel scheduled actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancellers: Vec<String>,
    /// Relay: who may send through it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub senders: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Actor {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Actors that can make this one act (the OR-choices of a path).
    pub fn controllers(&self) -> &[String] {
        match self.kind {
            ActorKind::Timelock => &self.proposers,
            ActorKind::Relay => &self.senders,
            _ => &[],
        }
    }

    /// Every actor this one references, the edges the analysis follows:
    /// controllers, executors, then nested members (never `anyone`).
    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.controllers()
            .iter()
            .chain(&self.executors)
            .map(String::as_str)
            .chain(self.members.iter().filter_map(|m| m.actor.as_deref()))
            .filter(|id| *id != ANYONE)
    }
}

/// A multisig signer: an entity's key, or another actor (a nested Safe).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Who holds the key; two keys of one entity count as one entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<Affiliation>,
    /// Whether the member is publicly announced.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub announced: bool,
    /// A nested actor (multisig or EOA) signing as this member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PowerKind {
    /// Upgrade a contract (change any logic).
    Upgrade,
    /// Replace the proof system or verifier.
    ReplaceVerifier,
    /// Pause or block withdrawals.
    PauseWithdrawals,
    /// Blocklist or filter transactions or withdrawals.
    Blocklist,
    /// Order transactions (censorship is bounded by forced inclusion).
    Sequence,
    /// Change parameters.
    ChangeParameters,
}

impl PowerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PowerKind::Upgrade => "upgrade",
            PowerKind::ReplaceVerifier => "replace-verifier",
            PowerKind::PauseWithdrawals => "pause-withdrawals",
            PowerKind::Blocklist => "blocklist",
            PowerKind::Sequence => "sequence",
            PowerKind::ChangeParameters => "change-parameters",
        }
    }

    /// Powers that change what the system does: exit windows are about these.
    pub fn is_upgrade(self) -> bool {
        matches!(self, PowerKind::Upgrade | PowerKind::ReplaceVerifier)
    }
}

/// When a power may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// Only when a bug is proven on chain (e.g. two proof systems disagree).
    OnchainBug,
}

/// How long a blocking power lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Lasting {
    Indefinite(IndefiniteTag),
    For(DurationSpec),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IndefiniteTag {
    Indefinite,
}

impl<'de> Deserialize<'de> for Lasting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        if s == "indefinite" {
            return Ok(Lasting::Indefinite(IndefiniteTag::Indefinite));
        }
        crate::duration::parse_duration(&s)
            .map(Lasting::For)
            .map_err(|e| serde::de::Error::custom(format!("{e}, or \"indefinite\"")))
    }
}

/// A power an actor holds over the system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// The actor holding it.
    pub actor: String,
    pub power: PowerKind,
    /// The contract or system part it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// A delay of this power's own, on top of the actors' delays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DurationSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// Pause, blocklist: how long the effect lasts at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Lasting>,
    /// Override: whether the power can block withdrawals or forge L2→L1
    /// messages (e.g. `false` for an upgrade restricted to non-critical
    /// roles). Needs a `note` saying why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The target contract's address (written by `l2stage discover`;
    /// `l2stage verify` re-reads who holds the power over it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Governance {
    pub fn actor(&self, id: &str) -> Option<&Actor> {
        self.actors.iter().find(|a| a.id == id)
    }

    /// Whether the structure describes the project on day `d`:
    /// `since ≤ d < until`, either bound optional.
    pub fn applies_on(&self, d: Date) -> bool {
        crate::date::within(self.since, self.until, d)
    }

    /// Why the structure does not describe the project on day `d`, if it
    /// does not.
    pub fn out_of_force_on(&self, d: Date) -> Option<OutOfForce> {
        match (self.since, self.until) {
            (Some(since), _) if d < since => Some(OutOfForce::NotYet(since)),
            (_, Some(until)) if d >= until => Some(OutOfForce::Replaced(until)),
            _ => None,
        }
    }

    /// The multisigs flagged `security_council`, in file order.
    pub fn security_councils(&self) -> impl Iterator<Item = &Actor> {
        self.actors
            .iter()
            .filter(|a| a.kind == ActorKind::Multisig && a.security_council)
    }

    /// The DA committee actor, if `[governance.da] committee` names one.
    pub fn da_committee(&self) -> Option<&Actor> {
        self.da
            .as_ref()
            .and_then(|d| d.committee.as_deref())
            .and_then(|c| self.actor(c))
    }

    /// Each actor's id with its position in `actors`.
    pub fn actor_index(&self) -> HashMap<&str, usize> {
        self.actors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_kinds_are_spelled_as_in_the_project_file() {
        for (k, word) in [
            (ActorKind::Eoa, "eoa"),
            (ActorKind::Multisig, "multisig"),
            (ActorKind::Timelock, "timelock"),
            (ActorKind::Relay, "relay"),
            (ActorKind::Dao, "dao"),
        ] {
            assert_eq!(k.as_str(), word);
            // The word is the file's word (serde's spelling).
            assert_eq!(
                serde_json::to_value(k)
                    .ok()
                    .as_ref()
                    .and_then(|v| v.as_str()),
                Some(word)
            );
        }
    }
}
