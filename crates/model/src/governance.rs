//! The structural description of a rollup's governance: actors, the powers
//! they hold, and the exit mechanics users rely on. The governance crate
//! derives stage requirements from it.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::duration::DurationSpec;
use crate::requirement::closest_of;

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

/// A problem found after parsing: the path of the field, what is wrong, and
/// a hint. The parser turns it into a located error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: Vec<PathSeg>,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

impl FieldError {
    pub fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                PathSeg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                PathSeg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
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

    /// Cross-field checks: references resolve, kinds have what they need,
    /// block counts have a block time, no cycles. Errors carry the field path.
    pub fn validate(&self) -> Result<(), FieldError> {
        let base = [key("governance")];
        if let (Some(since), Some(until)) = (self.since, self.until)
            && until <= since
        {
            return Err(FieldError {
                path: vec![key("governance"), key("until")],
                message: format!("`until` ({until}) must be after `since` ({since})"),
                hint: Some("`until` is the first day the structure no longer applies".into()),
            });
        }
        crate::limits::check_counts(self)?;
        let at =
            |rest: Vec<PathSeg>| -> Vec<PathSeg> { base.iter().cloned().chain(rest).collect() };
        let ids: Vec<&str> = self.actors.iter().map(|a| a.id.as_str()).collect();
        // First definition of each id (a second one is an error below).
        let mut by_id: HashMap<&str, &Actor> = HashMap::with_capacity(ids.len());
        for a in &self.actors {
            by_id.entry(a.id.as_str()).or_insert(a);
        }
        let known = |id: &str| id == ANYONE || by_id.contains_key(id);
        let unknown = |path: Vec<PathSeg>, id: &str| FieldError {
            path,
            message: format!("unknown actor `{id}`"),
            hint: closest_of(id, ids.iter().copied().chain([ANYONE]))
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| Some("define it in [[governance.actors]], or use `anyone`".into())),
        };
        let block_time = self.block_time.and_then(|b| b.seconds(None));
        let durations_ok =
            |path: Vec<PathSeg>, d: Option<DurationSpec>| -> Result<(), FieldError> {
                match d {
                Some(d) if d.is_blocks_without_time() && block_time.is_none() => Err(FieldError {
                    path,
                    message: format!("`{d}` is in blocks but no block time is given"),
                    hint: Some(
                        "set governance.block_time (e.g. \"12s\") or write \"N blocks @ 12s\""
                            .into(),
                    ),
                }),
                Some(d)
                    if d.seconds(block_time)
                        .is_none_or(|s| s > crate::duration::MAX_SECONDS) =>
                {
                    Err(FieldError {
                        path,
                        message: format!("`{d}` is too long at the block time given"),
                        hint: Some("a delay is at most 1e15 seconds".into()),
                    })
                }
                _ => Ok(()),
            }
            };
        if let Some(bt) = self.block_time
            && (bt.is_blocks_without_time() || bt.seconds(None) == Some(0))
        {
            return Err(FieldError {
                path: at(vec![key("block_time")]),
                message: "block time must be a positive duration in time units".into(),
                hint: Some("e.g. \"12s\"".into()),
            });
        }
        for (name, d) in [
            ("forced_inclusion", self.exit.forced_inclusion),
            ("self_propose", self.exit.self_propose),
            ("finalization", self.exit.finalization),
        ] {
            durations_ok(at(vec![key("exit"), key(name)]), d)?;
        }
        for (name, p) in [
            ("proposing", Some(&self.exit.proposing)),
            ("challenging", self.exit.challenging.as_ref()),
        ] {
            for (i, id) in p.map(|p| p.allowlist()).unwrap_or(&[]).iter().enumerate() {
                if !known(id) {
                    return Err(unknown(
                        at(vec![key("exit"), key(name), PathSeg::Index(i)]),
                        id,
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, a) in self.actors.iter().enumerate() {
            let here = |rest: &[&str]| {
                at([key("actors"), PathSeg::Index(i)]
                    .into_iter()
                    .chain(rest.iter().map(|k| key(k)))
                    .collect())
            };
            if a.id.is_empty()
                || a.id == ANYONE
                || !a
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(FieldError {
                    path: here(&["id"]),
                    message: format!("invalid actor id `{}`", a.id),
                    hint: Some("use letters, digits, `-` and `_`; `anyone` is built in".into()),
                });
            }
            if !seen.insert(a.id.as_str()) {
                return Err(FieldError {
                    path: here(&["id"]),
                    message: format!("actor `{}` is defined twice", a.id),
                    hint: None,
                });
            }
            durations_ok(here(&["delay"]), a.delay)?;
            let misplaced = |field: &str, present: bool, kinds: &str| -> Result<(), FieldError> {
                if present {
                    Err(FieldError {
                        path: here(&[field]),
                        message: format!(
                            "`{field}` does not apply to a {} actor",
                            kind_name(a.kind)
                        ),
                        hint: Some(format!("`{field}` is for {kinds}")),
                    })
                } else {
                    Ok(())
                }
            };
            let multisig = a.kind == ActorKind::Multisig;
            misplaced("threshold", !multisig && a.threshold.is_some(), "multisigs")?;
            misplaced("members", !multisig && !a.members.is_empty(), "multisigs")?;
            misplaced(
                "security_council",
                !multisig && a.security_council,
                "multisigs",
            )?;
            let timelock = a.kind == ActorKind::Timelock;
            misplaced(
                "proposers",
                !timelock && !a.proposers.is_empty(),
                "timelocks",
            )?;
            misplaced(
                "executors",
                !timelock && !a.executors.is_empty(),
                "timelocks",
            )?;
            misplaced(
                "cancellers",
                !timelock && !a.cancellers.is_empty(),
                "timelocks",
            )?;
            misplaced(
                "senders",
                a.kind != ActorKind::Relay && !a.senders.is_empty(),
                "relays",
            )?;
            misplaced(
                "delay",
                matches!(a.kind, ActorKind::Eoa | ActorKind::Multisig) && a.delay.is_some(),
                "timelocks, relays and DAOs",
            )?;
            match a.kind {
                ActorKind::Multisig => {
                    let n = a.members.len() as u32;
                    match a.threshold {
                        None => {
                            return Err(FieldError {
                                path: here(&[]),
                                message: "a multisig needs a `threshold`".into(),
                                hint: None,
                            });
                        }
                        Some(0) => {
                            return Err(FieldError {
                                path: here(&["threshold"]),
                                message: "threshold must be at least 1".into(),
                                hint: None,
                            });
                        }
                        Some(k) if k > n => {
                            return Err(FieldError {
                                path: here(&["threshold"]),
                                message: format!(
                                    "threshold {k} is more than the {n} members listed"
                                ),
                                hint: Some("list every signer in `members`".into()),
                            });
                        }
                        _ => {}
                    }
                    for (j, m) in a.members.iter().enumerate() {
                        let mpath = |f: &str| {
                            let mut p = here(&["members"]);
                            p.push(PathSeg::Index(j));
                            if !f.is_empty() {
                                p.push(key(f));
                            }
                            p
                        };
                        match (&m.entity, &m.actor) {
                            (None, None) => {
                                return Err(FieldError {
                                    path: mpath(""),
                                    message: "a member needs an `entity` (who holds the key) or an `actor` (a nested multisig or EOA)".into(),
                                    hint: None,
                                })
                            }
                            (_, Some(id)) => {
                                if !by_id.contains_key(id.as_str()) {
                                    return Err(unknown(mpath("actor"), id));
                                }
                                if let Some(t) = by_id.get(id.as_str())
                                    && !matches!(t.kind, ActorKind::Multisig | ActorKind::Eoa)
                                {
                                    return Err(FieldError {
                                        path: mpath("actor"),
                                        message: format!("member `{id}` is a {}: multisig members are keys, EOAs or multisigs", kind_name(t.kind)),
                                        hint: Some("model the delay as a timelock the multisig proposes to".into()),
                                    });
                                }
                            }
                            (Some(_), None) => {}
                        }
                    }
                }
                ActorKind::Timelock => {
                    if a.delay.is_none() {
                        return Err(FieldError {
                            path: here(&[]),
                            message: "a timelock needs a `delay`".into(),
                            hint: Some("e.g. delay = \"3d\"".into()),
                        });
                    }
                    if a.proposers.is_empty() {
                        return Err(FieldError {
                            path: here(&[]),
                            message: "a timelock needs `proposers`".into(),
                            hint: None,
                        });
                    }
                }
                ActorKind::Relay => {
                    if a.delay.is_none() {
                        return Err(FieldError {
                            path: here(&[]),
                            message: "a relay needs a `delay`".into(),
                            hint: None,
                        });
                    }
                    if a.senders.is_empty() {
                        return Err(FieldError {
                            path: here(&[]),
                            message: "a relay needs `senders`".into(),
                            hint: None,
                        });
                    }
                }
                ActorKind::Eoa | ActorKind::Dao => {}
            }
            for (field, list) in [
                ("proposers", &a.proposers),
                ("executors", &a.executors),
                ("cancellers", &a.cancellers),
                ("senders", &a.senders),
            ] {
                for (j, id) in list.iter().enumerate() {
                    if !known(id) {
                        let mut p = here(&[field]);
                        p.push(PathSeg::Index(j));
                        return Err(unknown(p, id));
                    }
                }
            }
        }
        for (i, p) in self.powers.iter().enumerate() {
            let here = |f: &str| at(vec![key("powers"), PathSeg::Index(i), key(f)]);
            if !known(&p.actor) {
                return Err(unknown(here("actor"), &p.actor));
            }
            durations_ok(here("delay"), p.delay)?;
            if let Some(Lasting::For(d)) = p.duration {
                durations_ok(here("duration"), Some(d))?;
            }
            if p.duration.is_some()
                && !matches!(p.power, PowerKind::PauseWithdrawals | PowerKind::Blocklist)
            {
                return Err(FieldError {
                    path: here("duration"),
                    message: format!(
                        "`duration` applies to pause-withdrawals and blocklist, not {}",
                        p.power.as_str()
                    ),
                    hint: None,
                });
            }
            if p.critical.is_some() && p.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(FieldError {
                    path: here("critical"),
                    message: "overriding `critical` needs a `note` saying why".into(),
                    hint: None,
                });
            }
        }
        self.check_da()?;
        self.check_cycles()?;
        crate::limits::check_shape(self)
    }

    fn check_da(&self) -> Result<(), FieldError> {
        let Some(da) = &self.da else { return Ok(()) };
        let here = |f: &str| vec![key("governance"), key("da"), key(f)];
        let targets: Vec<&str> = self
            .powers
            .iter()
            .filter_map(|p| p.target.as_deref())
            .collect();
        if let Some(v) = &da.verifier {
            let targeted = targets.contains(&v.as_str());
            if da.verifier_immutable && targeted {
                return Err(FieldError {
                    path: here("verifier_immutable"),
                    message: format!(
                        "the DA verifier `{v}` is declared immutable but a power targets it"
                    ),
                    hint: Some("remove `verifier_immutable` or the power".into()),
                });
            }
            if !da.verifier_immutable && !targeted {
                return Err(FieldError {
                    path: here("verifier"),
                    message: format!("no power has `target = \"{v}\"`"),
                    hint: closest_of(v, targets.iter().copied())
                        .map(|c| format!("did you mean `{c}`?"))
                        .or_else(|| {
                            Some("name the target of the powers that upgrade the DA verifier, or set `verifier_immutable = true` if nothing can".into())
                        }),
                });
            }
        } else if da.verifier_immutable {
            return Err(FieldError {
                path: here("verifier_immutable"),
                message: "`verifier_immutable` without a `verifier`".into(),
                hint: Some("name the DA verifier contract in `verifier`".into()),
            });
        }
        if let Some(c) = &da.committee {
            match self.actor(c) {
                None => {
                    let ids = self.actors.iter().map(|a| a.id.as_str());
                    return Err(FieldError {
                        path: here("committee"),
                        message: format!("unknown actor `{c}`"),
                        hint: closest_of(c, ids)
                            .map(|x| format!("did you mean `{x}`?"))
                            .or_else(|| {
                                Some(
                                    "define the committee in [[governance.actors]] as a multisig"
                                        .into(),
                                )
                            }),
                    });
                }
                Some(a) if a.kind != ActorKind::Multisig => {
                    return Err(FieldError {
                        path: here("committee"),
                        message: format!(
                            "the DA committee `{c}` is a {}: model it as a multisig (members sign attestations, threshold is the quorum)",
                            kind_name(a.kind)
                        ),
                        hint: None,
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
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

    fn check_cycles(&self) -> Result<(), FieldError> {
        // Iterative DFS with colours; reports the cycle as a path of ids.
        let index = self.actor_index();
        let mut colour = vec![0u8; self.actors.len()]; // 0 new, 1 on stack, 2 done
        for start in 0..self.actors.len() {
            if colour[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize, Vec<&str>)> =
                vec![(start, 0, self.actors[start].references().collect())];
            colour[start] = 1;
            while let Some(&mut (node, ref mut next, ref edges)) = stack.last_mut() {
                if *next < edges.len() {
                    let target = index.get(edges[*next]).copied();
                    *next += 1;
                    let Some(t) = target else { continue };
                    match colour[t] {
                        0 => {
                            colour[t] = 1;
                            stack.push((t, 0, self.actors[t].references().collect()));
                        }
                        1 => {
                            let pos = stack.iter().position(|(n, _, _)| *n == t).unwrap_or(0);
                            let mut cycle: Vec<&str> = stack[pos..]
                                .iter()
                                .map(|(n, _, _)| self.actors[*n].id.as_str())
                                .collect();
                            cycle.push(self.actors[t].id.as_str());
                            return Err(FieldError {
                                path: vec![key("governance"), key("actors"), PathSeg::Index(t)],
                                message: format!("cycle in the actor graph: {}", cycle.join(" → ")),
                                hint: Some(
                                    "an actor cannot (indirectly) control itself; break the loop"
                                        .into(),
                                ),
                            });
                        }
                        _ => {}
                    }
                } else {
                    colour[node] = 2;
                    stack.pop();
                }
            }
        }
        Ok(())
    }
}

fn kind_name(k: ActorKind) -> &'static str {
    match k {
        ActorKind::Eoa => "eoa",
        ActorKind::Multisig => "multisig",
        ActorKind::Timelock => "timelock",
        ActorKind::Relay => "relay",
        ActorKind::Dao => "dao",
    }
}
