//! Cross-field checks of a governance structure, after parsing: references
//! resolve, kinds have what they need, no cycles. Errors carry the field
//! path, which the parser turns into a located error.

use std::collections::{BTreeSet, HashMap};

use super::{ANYONE, Actor, ActorKind, Governance, Lasting, PowerKind};
use crate::duration::DurationSpec;
use crate::requirement::closest_of;

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
                        message: format!("`{field}` does not apply to a {} actor", a.kind.as_str()),
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
                                        message: format!("member `{id}` is a {}: multisig members are keys, EOAs or multisigs", t.kind.as_str()),
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
                            a.kind.as_str()
                        ),
                        hint: None,
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
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
