//! Loops in the discovered actor graph: which edges the governance
//! analysis follows, finding a cycle, and breaking the loops that exist on
//! chain (or naming the one that cannot be broken).

use std::collections::BTreeMap;

use l2stage_model::governance::{ANYONE, Actor, ActorKind};

use super::DerivedProposer;

/// The edges the governance analysis follows from an actor (as the model's
/// cycle check): who controls it (timelock proposers, relay senders), who
/// executes for it, and nested multisig members.
fn loop_edges(a: &Actor) -> Vec<(String, EdgeKind)> {
    let mut e: Vec<(String, EdgeKind)> = Vec::new();
    match a.kind {
        ActorKind::Timelock => {
            e.extend(a.proposers.iter().map(|p| (p.clone(), EdgeKind::Proposer)))
        }
        ActorKind::Relay => e.extend(a.senders.iter().map(|p| (p.clone(), EdgeKind::Sender))),
        _ => {}
    }
    e.extend(a.executors.iter().map(|p| (p.clone(), EdgeKind::Executor)));
    e.extend(
        a.members
            .iter()
            .filter_map(|m| m.actor.clone())
            .map(|p| (p, EdgeKind::Member)),
    );
    e.retain(|(id, _)| id != ANYONE);
    e
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EdgeKind {
    Proposer,
    Sender,
    Executor,
    Member,
}

/// One cycle of the actor graph, as (actor index, edge to the next) pairs.
pub(super) fn find_cycle(actors: &[Actor]) -> Option<Vec<(usize, String, EdgeKind)>> {
    let index: BTreeMap<&str, usize> = actors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let edges: Vec<Vec<(usize, String, EdgeKind)>> = actors
        .iter()
        .map(|a| {
            loop_edges(a)
                .into_iter()
                .filter_map(|(id, k)| index.get(id.as_str()).map(|t| (*t, id, k)))
                .collect()
        })
        .collect();
    let mut colour = vec![0u8; actors.len()];
    for start in 0..actors.len() {
        if colour[start] != 0 {
            continue;
        }
        // (node, next edge index); the edge taken out of each stacked node.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if *next < edges[node].len() {
                let (t, _, _) = edges[node][*next];
                *next += 1;
                match colour[t] {
                    0 => {
                        colour[t] = 1;
                        stack.push((t, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(n, _)| *n == t).unwrap_or(0);
                        return Some(
                            stack[pos..]
                                .iter()
                                .map(|(n, i)| {
                                    let (_, id, k) = &edges[*n][*i - 1];
                                    (*n, id.clone(), *k)
                                })
                                .collect(),
                        );
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

/// Loops that exist on chain (a timelock administered by what it executes
/// through, Safes owning each other) are not errors: a loop never shortens
/// a path, so the edge that closes it is dropped — first a proposer that
/// is counted only because it administers the proposer role, then a nested
/// Safe membership (the member Safe is then counted as one key) — with a
/// warning naming it. A loop made only of granted roles and configured
/// relays is an error naming every actor and edge: nobody outside it can
/// make it act.
pub(super) fn break_loops(
    actors: &mut [Actor],
    derived: &[DerivedProposer],
    warnings: &mut Vec<String>,
) -> Option<String> {
    // Each pass removes one edge: bounded by the number of edges.
    let bound: usize = actors.iter().map(|a| loop_edges(a).len()).sum::<usize>() + 1;
    for _ in 0..bound {
        let cycle = find_cycle(actors)?;
        let loop_text = describe_loop(&cycle, actors);
        let dropped = cycle
            .iter()
            .filter(|(_, _, k)| *k == EdgeKind::Proposer)
            .find_map(|(n, to, _)| {
                derived
                    .iter()
                    .find(|d| d.timelock == actors[*n].id && d.proposer == *to)
                    .map(|d| (*n, d))
            });
        if let Some((n, d)) = dropped {
            let a = &mut actors[n];
            a.proposers.retain(|p| *p != d.proposer);
            warnings.retain(|w| *w != d.warning);
            warnings.push(format!(
                "loop on chain: {loop_text}; {} is not counted as a proposer of {} ({}): it acts only through this timelock, and a loop never shortens a delay",
                d.proposer, a.id, d.evidence
            ));
            continue;
        }
        if let Some((n, to, _)) = cycle.iter().find(|(_, _, k)| *k == EdgeKind::Member) {
            let a = &mut actors[*n];
            for m in a
                .members
                .iter_mut()
                .filter(|m| m.actor.as_deref() == Some(to))
            {
                m.actor = None;
                m.entity = Some(format!("{to} (a Safe whose ownership loops back)"));
            }
            warnings.push(format!(
                "loop on chain: {loop_text}; member {to} of {} is counted as one key, not as the nested Safe",
                a.id
            ));
            continue;
        }
        return Some(format!(
            "loop on chain that no one outside it can start: {loop_text}. Each of these acts only when the next one does (roles granted on chain, relays from the config); change the config's relay senders or stop list, or check the roles (RoleGranted logs) of these contracts"
        ));
    }
    None
}

/// `a (whose proposer is) → b (whose member is) → a`.
fn describe_loop(cycle: &[(usize, String, EdgeKind)], actors: &[Actor]) -> String {
    let mut s: Vec<String> = cycle
        .iter()
        .map(|(n, _, k)| {
            let how = match k {
                EdgeKind::Proposer => "proposer",
                EdgeKind::Sender => "sender",
                EdgeKind::Executor => "executor",
                EdgeKind::Member => "member",
            };
            format!("{} (whose {how} is)", actors[*n].id)
        })
        .collect();
    if let Some((first, _, _)) = cycle.first() {
        s.push(actors[*first].id.clone());
    }
    s.join(" → ")
}
