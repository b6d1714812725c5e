//! Governance analysis: from a structural description of who can do what,
//! with which delays, derive the Stages Framework requirements that depend on
//! it — exit windows, the Stage 1 principle, the council's set-up, proof
//! participation — each with the actor path and arithmetic that decided it.
//!
//! [`analyze`] finds every path from an actor to a power and its exit
//! window (this file); each requirement is then decided by its own rule in
//! [`requirements`], one file per requirement; [`rating`] holds the 7- and
//! 30-day thresholds.
//!
//! Pure computation over `l2stage_model::governance`; no I/O.

pub mod council;
pub mod graph;
mod paths;
pub mod rating;
pub mod requirements;

use std::collections::BTreeMap;

use serde::Serialize;

use l2stage_model::governance::{ANYONE, ActorKind, Condition, Governance, Lasting, PowerKind};
use l2stage_model::{Kind, RequirementId, format_seconds};

pub use council::CouncilSetup;
use paths::{Chain, Graph};
pub use rating::{Rating, SEVEN_DAYS_SECONDS, THIRTY_DAYS_SECONDS};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("unknown actor `{0}`")]
    UnknownActor(String),
    #[error("cycle in the actor graph through `{0}`")]
    Cycle(String),
    #[error("more than {max} distinct paths lead to `{0}`: the structure is too entangled to analyse", max = paths::MAX_PATHS_PER_ACTOR)]
    TooManyPaths(String),
}

/// What a coalition can do to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threat {
    /// Upgrade or swap the verifier: can do anything, including forging.
    Upgrade,
    /// Block withdrawals (pause, blocklist, censor, stop proposing).
    Block,
    /// Get an invalid state root through (all challengers colluding).
    Forge,
    /// Cannot block withdrawals nor forge (bounded or non-critical power).
    Limited,
}

/// One way a coalition reaches one power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What the coalition can do, e.g. `upgrade Rollup contracts`.
    pub power: String,
    pub threat: Threat,
    /// Only when a bug is proven on chain.
    pub bug_conditioned: bool,
    /// Actor ids, from the deciding actor to the power's holder.
    pub path: Vec<String>,
    /// Who must agree, in words.
    pub coalition: String,
    /// Sum of the delays on the path (plus the power's own), in seconds.
    pub delay_seconds: u64,
    /// Delay minus the time users need to exit; `None` when users cannot
    /// exit without the operators.
    pub exit_window_seconds: Option<i64>,
    pub rating: Rating,
    /// The coalition needs ≥75% of a properly set-up council.
    pub council_controlled: bool,
    /// Per council: (entities the coalition needs, the council's entities).
    pub council_share: BTreeMap<String, (u32, usize)>,
    /// The arithmetic, in one line.
    pub arithmetic: String,
    /// The power's target contract, when it names one (not part of the JSON
    /// contract: the DA-verifier derivations select paths by it).
    #[serde(skip)]
    pub target: Option<String>,
}

/// The project's headline exit window (as the field displays it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExitWindow {
    pub seconds: Option<i64>,
    pub rating: Rating,
    pub path: Vec<String>,
    pub council_can_upgrade_instantly: bool,
    /// The arithmetic behind `seconds`.
    pub arithmetic: String,
    /// No actor can upgrade the system (immutable contracts): no upgrade
    /// can ever take effect before users exit, so the window has no end.
    /// `seconds` is then `null` and `rating` is `green`.
    pub unbounded: bool,
}

/// A requirement's status as the structure decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Derivation {
    pub status: DerivedStatus,
    pub reason: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DerivedStatus {
    Met,
    Unmet,
    NotApplicable,
}

/// Everything the analysis found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Time a user needs to exit when the operators are hostile; `None`
    /// when there is no way to exit without them.
    pub exit_time_seconds: Option<u64>,
    pub exit_time_arithmetic: String,
    pub councils: Vec<CouncilSetup>,
    pub findings: Vec<Finding>,
    pub exit_window: Option<ExitWindow>,
    pub derived: BTreeMap<RequirementId, Derivation>,
    pub notes: Vec<String>,
}

impl Analysis {
    /// Upgrade findings, the paths exit windows are about.
    pub fn upgrade_paths(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.threat == Threat::Upgrade)
    }
}

/// Analyse a structure for a rollup of the given kind.
pub fn analyze(gov: &Governance, kind: Kind) -> Result<Analysis, AnalysisError> {
    let councils: Vec<CouncilSetup> = gov
        .security_councils()
        .map(|a| council::setup(gov, a))
        .collect();
    let mut g = Graph::new(gov, &councils);
    let exit = &gov.exit;

    // Time a user needs to get out when the operators are hostile.
    let forced = exit.forced_inclusion.map(|d| g.seconds(Some(d)));
    let permissionless_proposing = exit.proposing.is_permissionless()
        || exit.proposing.allowlist().iter().any(|a| a == ANYONE);
    let self_propose = if permissionless_proposing {
        Some(0)
    } else {
        exit.self_propose.map(|d| g.seconds(Some(d)))
    };
    let finalization = g.seconds(exit.finalization);
    let (exit_time, exit_time_arithmetic) = match (forced, self_propose) {
        (Some(f), Some(sp)) => {
            let mut parts = vec![format!("forced inclusion {}", format_seconds(f as i64))];
            if !permissionless_proposing {
                parts.push(format!("self-propose fallback {}", format_seconds(sp as i64)));
            }
            parts.push(format!("finalization {}", format_seconds(finalization as i64)));
            let total = f.saturating_add(sp).saturating_add(finalization);
            (Some(total), format!("{} = {}", parts.join(" + "), format_seconds(total as i64)))
        }
        (None, _) => (None, "no forced inclusion: users cannot exit without the sequencer".into()),
        (_, None) => (None, "state roots are proposed by an allow-list with no self-propose fallback: users cannot exit without the proposers".into()),
    };

    let mut findings = Vec::new();
    let mut notes = Vec::new();
    // Validated durations are at most 1e15 s; saturate rather than wrap or
    // overflow for a structure built in code past that bound.
    let secs = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
    let window_of = |delay: u64| exit_time.map(|t| secs(delay).saturating_sub(secs(t)));

    for p in &gov.powers {
        let target = p
            .target
            .as_deref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        let label = format!("{}{target}", p.power.as_str());
        let indefinite = !matches!(p.duration, Some(Lasting::For(_)));
        let default_threat = match p.power {
            PowerKind::Upgrade | PowerKind::ReplaceVerifier => Threat::Upgrade,
            PowerKind::PauseWithdrawals | PowerKind::Blocklist if indefinite => Threat::Block,
            PowerKind::Sequence if forced.is_none() => Threat::Block,
            _ => Threat::Limited,
        };
        let threat = match p.critical {
            Some(false) => Threat::Limited,
            Some(true) if default_threat == Threat::Limited => Threat::Block,
            _ => default_threat,
        };
        let own = g.seconds(p.delay);
        for chain in g.chains(&p.actor)? {
            let finding = finding_for(
                &mut g,
                &councils,
                &chain,
                own,
                &label,
                threat,
                p.condition == Some(Condition::OnchainBug),
                &window_of,
                &exit_time_arithmetic,
            )?;
            findings.push(Finding {
                target: p.target.clone(),
                ..finding
            });
        }
        if let Some(Lasting::For(d)) = p.duration
            && matches!(p.power, PowerKind::PauseWithdrawals | PowerKind::Blocklist)
        {
            notes.push(format!("{} can {label} for at most {}: bounded, so it cannot block withdrawals indefinitely", p.actor, format_seconds(g.seconds(Some(d)) as i64)));
        }
    }

    // Liveness: an allow-list of proposers with no fallback can stop
    // withdrawals by not proposing; all of them must stop.
    if !permissionless_proposing && self_propose.is_none() {
        let proposers = exit.proposing.allowlist();
        let shares = coalition_all(&mut g, &councils, proposers)?;
        let controlled = is_council_controlled(&councils, &shares);
        findings.push(Finding {
            power: "stop proposing state roots".into(),
            threat: Threat::Block,
            bug_conditioned: false,
            path: proposers.to_vec(),
            coalition: format!("all allow-listed proposers ({})", proposers.join(", ")),
            delay_seconds: 0,
            exit_window_seconds: None,
            rating: Rating::None,
            council_controlled: controlled,
            council_share: share_map(&councils, &shares),
            arithmetic: "no self-propose fallback: if the allow-listed proposers stop, withdrawals stop, at once".into(),
            target: None,
        });
    }
    // Safety (fraud proofs): with allow-listed challengers, a proposer and
    // all challengers together get an invalid root through.
    if kind.fraud_proofs()
        && let Some(ch) = &exit.challenging
        && !ch.is_permissionless()
        && !ch.allowlist().iter().any(|a| a == ANYONE)
    {
        let challengers = ch.allowlist();
        let mut shares = coalition_all(&mut g, &councils, challengers)?;
        let proposer_shares = if permissionless_proposing {
            vec![0; councils.len()]
        } else {
            let mut best = vec![u32::MAX; councils.len()];
            for p in exit.proposing.allowlist() {
                for (c, b) in best.iter_mut().enumerate() {
                    *b = (*b).min(g.council_cost(c, p)?);
                }
            }
            best
        };
        for (s, p) in shares.iter_mut().zip(proposer_shares) {
            *s = s.saturating_add(p);
        }
        let controlled = is_council_controlled(&councils, &shares);
        let mut path = vec![if permissionless_proposing {
            ANYONE.to_string()
        } else {
            "a proposer".to_string()
        }];
        path.extend(challengers.iter().cloned());
        findings.push(Finding {
            power: "get an invalid state root finalized".into(),
            threat: Threat::Forge,
            bug_conditioned: false,
            path,
            coalition: format!("a proposer and every allow-listed challenger ({})", challengers.join(", ")),
            delay_seconds: 0,
            exit_window_seconds: window_of(0),
            rating: Rating::None,
            council_controlled: controlled,
            council_share: share_map(&councils, &shares),
            arithmetic: "only allow-listed challengers can dispute a root: if they all stay silent an invalid root finalizes".into(),
            target: None,
        });
    }

    for a in gov.actors.iter().filter(|a| a.kind == ActorKind::Timelock) {
        for c in &a.cancellers {
            let is_council = councils.iter().any(|s| &s.actor == c);
            if !is_council {
                notes.push(format!("{c} can cancel anything scheduled in timelock {} (a veto over its upgrades, including fixes)", a.id));
            }
        }
    }

    let exit_window = headline_window(&findings, &exit_time_arithmetic);
    let mut analysis = Analysis {
        exit_time_seconds: exit_time,
        exit_time_arithmetic,
        councils,
        findings,
        exit_window,
        derived: BTreeMap::new(),
        notes,
    };
    analysis.derived = requirements::derive_all(gov, kind, &analysis);
    Ok(analysis)
}

#[allow(clippy::too_many_arguments)]
fn finding_for(
    g: &mut Graph<'_>,
    councils: &[CouncilSetup],
    chain: &Chain,
    own_delay: u64,
    label: &str,
    threat: Threat,
    bug_conditioned: bool,
    window_of: &dyn Fn(u64) -> Option<i64>,
    exit_arith: &str,
) -> Result<Finding, AnalysisError> {
    let shares = g.chain_costs(chain)?;
    let delay = chain.delay.saturating_add(own_delay);
    let window = window_of(delay);
    let mut terms: Vec<String> = chain
        .delays
        .iter()
        .map(|(a, s)| format!("{a} {}", format_seconds(*s as i64)))
        .collect();
    if own_delay > 0 {
        terms.push(format!("power delay {}", format_seconds(own_delay as i64)));
    }
    let delay_text = if terms.is_empty() {
        "no delay".to_string()
    } else {
        format!("{} = {}", terms.join(" + "), format_seconds(delay as i64))
    };
    let arithmetic = match window {
        Some(w) => format!(
            "delay {delay_text}; exit needs {exit_arith}; window {} − exit time = {}",
            format_seconds(delay as i64),
            format_seconds(w)
        ),
        None => format!("delay {delay_text}; {exit_arith}"),
    };
    Ok(Finding {
        power: label.to_string(),
        threat,
        bug_conditioned,
        path: chain.actors.clone(),
        coalition: describe_coalition(g.actor(&chain.actors[0]), chain),
        delay_seconds: delay,
        exit_window_seconds: window,
        rating: Rating::of(window),
        council_controlled: is_council_controlled(councils, &shares),
        council_share: share_map(councils, &shares),
        arithmetic,
        target: None,
    })
}

fn coalition_all(
    g: &mut Graph<'_>,
    councils: &[CouncilSetup],
    ids: &[String],
) -> Result<Vec<u32>, AnalysisError> {
    let mut out = vec![0u32; councils.len()];
    for id in ids {
        for (c, o) in out.iter_mut().enumerate() {
            *o = o.saturating_add(g.council_cost(c, id)?);
        }
    }
    Ok(out)
}

fn is_council_controlled(councils: &[CouncilSetup], shares: &[u32]) -> bool {
    councils
        .iter()
        .zip(shares)
        .any(|(c, s)| c.properly_set_up && *s as usize >= c.supermajority)
}

fn share_map(councils: &[CouncilSetup], shares: &[u32]) -> BTreeMap<String, (u32, usize)> {
    councils
        .iter()
        .zip(shares)
        .map(|(c, s)| (c.actor.clone(), (*s, c.entities)))
        .collect()
}

fn describe_coalition(root: Option<&l2stage_model::governance::Actor>, chain: &Chain) -> String {
    let mut s = match root {
        None => "anyone".to_string(),
        Some(a) => match a.kind {
            ActorKind::Multisig => {
                let nested: Vec<&str> = a
                    .members
                    .iter()
                    .filter_map(|m| m.actor.as_deref())
                    .collect();
                if nested.is_empty() {
                    format!(
                        "{} of {} signers of {}",
                        a.threshold.unwrap_or(0),
                        a.members.len(),
                        a.label()
                    )
                } else {
                    format!(
                        "{} of {} of {} (nested: {})",
                        a.threshold.unwrap_or(0),
                        a.members.len(),
                        a.label(),
                        nested.join(", ")
                    )
                }
            }
            ActorKind::Eoa => format!(
                "the key {}{}",
                a.label(),
                a.entity
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
            ActorKind::Dao => format!("a passing vote of {}", a.label()),
            _ => a.label().to_string(),
        },
    };
    if !chain.executors.is_empty() {
        s.push_str(&format!(
            ", plus an executor among {}",
            chain.executors.join("/")
        ));
    }
    s
}

/// The field's display: the smallest window over upgrade paths not
/// controlled by a properly set-up council; if every path is, the smallest
/// over those. When nothing can upgrade the system outside proven bugs, the
/// window is unbounded (green, with no number of seconds).
fn headline_window(findings: &[Finding], exit_arith: &str) -> Option<ExitWindow> {
    let upgrades: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.threat == Threat::Upgrade && !f.bug_conditioned)
        .collect();
    if upgrades.is_empty() {
        return Some(ExitWindow {
            seconds: None,
            rating: Rating::Green,
            path: Vec::new(),
            council_can_upgrade_instantly: false,
            arithmetic: "no actor can upgrade the system (outside proven bugs): no upgrade can take effect before users exit".to_string(),
            unbounded: true,
        });
    }
    let uncontrolled: Vec<&Finding> = upgrades
        .iter()
        .copied()
        .filter(|f| !f.council_controlled)
        .collect();
    let pool = if uncontrolled.is_empty() {
        &upgrades
    } else {
        &uncontrolled
    };
    let worst = pool
        .iter()
        .min_by_key(|f| f.exit_window_seconds.unwrap_or(i64::MIN))?;
    // A flagged council taking part in an upgrade with no delay, whether
    // or not it is properly set up (the text and the JSON say the same).
    let instantly = upgrades.iter().any(|f| {
        (f.council_controlled || f.council_share.values().any(|(s, _)| *s > 0))
            && f.delay_seconds == 0
    });
    Some(ExitWindow {
        seconds: worst.exit_window_seconds,
        rating: worst.rating,
        path: worst.path.clone(),
        council_can_upgrade_instantly: instantly,
        arithmetic: if worst.exit_window_seconds.is_some() {
            worst.arithmetic.clone()
        } else {
            exit_arith.to_string()
        },
        unbounded: false,
    })
}

/// A finding as the derivations cite it in their evidence (renderers match
/// evidence against it to print shared paths once).
pub fn evidence_line(f: &Finding) -> String {
    format!(
        "{}: {} via {} — {}",
        f.power,
        f.coalition,
        f.path.join(" → "),
        f.arithmetic
    )
}
