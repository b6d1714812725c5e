//! Limits on the size and shape of a `[governance]` structure, checked when
//! the file is validated so that nothing downstream (the analysis, council
//! counting, the risk model, the permission graph, text and HTML output)
//! ever meets a structure it cannot handle in bounded time, memory and
//! stack. Real structures are far inside them: the largest in the catalog
//! has a few dozen actors, nests Safes two deep and chains four actors.
//!
//! Every limit is computed iteratively in one pass over the actors in
//! dependency order, in time linear in actors + references.

use crate::governance::{ANYONE, ActorKind, FieldError, Governance, PathSeg};

/// Most actors in one structure.
pub const MAX_ACTORS: usize = 20_000;
/// Most powers in one structure.
pub const MAX_POWERS: usize = 20_000;
/// Deepest nesting of multisigs: a multisig whose members are multisigs
/// whose members are multisigs… at most this many multisigs deep (a flat
/// multisig is 1 deep).
pub const MAX_MULTISIG_NESTING: usize = 64;
/// Longest chain of references (a proposer, sender, executor or nested
/// member of an actor, of that one, and so on), in hops: a chain of 10,000
/// timelocks behind one key is 10,000 hops.
pub const MAX_CHAIN_HOPS: usize = 10_000;
/// Most signers of a multisig counted with its nested multisigs expanded
/// (a nested multisig counts as one signer plus its own signers, once per
/// place it signs in): what council counting and the risk model walk.
pub const MAX_EXPANDED_SIGNERS: usize = 1_000;
/// Most distinct chains (through proposers and senders) that make one
/// power's holder act: each is one finding of the analysis.
pub const MAX_PATHS_PER_ACTOR: usize = 10_000;
/// Most actors over all the chains of all powers (the findings' paths
/// together): the size of the analysis' output.
pub const MAX_PATH_STEPS: usize = 200_000;

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

fn actor_path(i: usize, field: Option<&str>) -> Vec<PathSeg> {
    let mut p = vec![key("governance"), key("actors"), PathSeg::Index(i)];
    if let Some(f) = field {
        p.push(key(f));
    }
    p
}

/// Counts only; run before anything that walks the structure.
pub(crate) fn check_counts(gov: &Governance) -> Result<(), FieldError> {
    if gov.actors.len() > MAX_ACTORS {
        return Err(FieldError {
            path: actor_path(MAX_ACTORS, None),
            message: format!(
                "{} actors, more than the {MAX_ACTORS} a structure may have",
                gov.actors.len()
            ),
            hint: Some("see \"Limits\" in docs/project-format.md".into()),
        });
    }
    if gov.powers.len() > MAX_POWERS {
        return Err(FieldError {
            path: vec![key("governance"), key("powers"), PathSeg::Index(MAX_POWERS)],
            message: format!(
                "{} powers, more than the {MAX_POWERS} a structure may have",
                gov.powers.len()
            ),
            hint: Some("see \"Limits\" in docs/project-format.md".into()),
        });
    }
    Ok(())
}

/// Depth, nesting, expansion and path limits. The structure must already
/// be otherwise valid: references resolve and there is no cycle.
pub(crate) fn check_shape(gov: &Governance) -> Result<(), FieldError> {
    let n = gov.actors.len();
    let index = gov.actor_index();
    let refs = |i: usize| -> Vec<usize> {
        gov.actors[i]
            .references()
            .filter_map(|id| index.get(id).copied())
            .collect()
    };
    // Post-order: every actor after the actors it references.
    let mut order = Vec::with_capacity(n);
    let mut state = vec![0u8; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut stack = vec![(start, refs(start), 0usize)];
        while let Some((node, edges, next)) = stack.last_mut() {
            if let Some(&t) = edges.get(*next) {
                *next += 1;
                if state[t] == 0 {
                    state[t] = 1;
                    let r = refs(t);
                    stack.push((t, r, 0));
                }
            } else {
                state[*node] = 2;
                order.push(*node);
                stack.pop();
            }
        }
    }

    let mut hops = vec![0usize; n];
    let mut nesting = vec![0usize; n];
    let mut expanded = vec![0usize; n];
    let mut paths = vec![1usize; n];
    let mut steps = vec![1usize; n];
    for &i in &order {
        let a = &gov.actors[i];
        let idx = |id: &str| index.get(id).copied();
        let h = refs(i).into_iter().map(|r| hops[r] + 1).max().unwrap_or(0);
        if h > MAX_CHAIN_HOPS {
            return Err(FieldError {
                path: actor_path(i, None),
                message: format!(
                    "actor `{}` ends a chain of more than {MAX_CHAIN_HOPS} hops (proposers, senders, executors or nested members, one behind the other)",
                    a.id
                ),
                hint: Some(
                    "no real structure is that deep; see \"Limits\" in docs/project-format.md"
                        .into(),
                ),
            });
        }
        hops[i] = h;
        if a.kind == ActorKind::Multisig {
            let mut deepest = 0;
            let mut signers = 0usize;
            for m in &a.members {
                signers = signers.saturating_add(1);
                if let Some(t) = m.actor.as_deref().and_then(idx)
                    && gov.actors[t].kind == ActorKind::Multisig
                {
                    deepest = deepest.max(nesting[t]);
                    signers = signers.saturating_add(expanded[t]);
                }
            }
            if deepest + 1 > MAX_MULTISIG_NESTING {
                return Err(FieldError {
                    path: actor_path(i, Some("members")),
                    message: format!(
                        "multisig `{}` nests multisigs more than {MAX_MULTISIG_NESTING} deep",
                        a.id
                    ),
                    hint: Some(
                        "a nested Safe signs as one member; see \"Limits\" in docs/project-format.md"
                            .into(),
                    ),
                });
            }
            if signers > MAX_EXPANDED_SIGNERS {
                return Err(FieldError {
                    path: actor_path(i, Some("members")),
                    message: format!(
                        "multisig `{}` has more than {MAX_EXPANDED_SIGNERS} signers counting those of its nested multisigs (each time they sign)",
                        a.id
                    ),
                    hint: Some("see \"Limits\" in docs/project-format.md".into()),
                });
            }
            nesting[i] = deepest + 1;
            expanded[i] = signers;
        }
        if matches!(a.kind, ActorKind::Timelock | ActorKind::Relay) {
            // The chains into a timelock or relay: every chain into each
            // of its controllers, one actor longer (`anyone` is a chain of
            // one). Saturating: only compared with the limits below.
            let (mut p, mut s) = (0usize, 0usize);
            for c in a.controllers() {
                let (cp, cs) = match c.as_str() {
                    ANYONE => (1, 1),
                    id => idx(id).map(|t| (paths[t], steps[t])).unwrap_or((0, 0)),
                };
                p = p.saturating_add(cp);
                s = s.saturating_add(cs).saturating_add(cp);
            }
            paths[i] = p;
            steps[i] = s;
        }
    }

    let mut total = 0usize;
    for (j, p) in gov.powers.iter().enumerate() {
        let Some(&h) = index.get(p.actor.as_str()) else {
            total = total.saturating_add(1);
            continue;
        };
        let here = vec![
            key("governance"),
            key("powers"),
            PathSeg::Index(j),
            key("actor"),
        ];
        if paths[h] > MAX_PATHS_PER_ACTOR {
            return Err(FieldError {
                path: here,
                message: format!(
                    "more than {MAX_PATHS_PER_ACTOR} distinct chains of actors lead to `{}`: the structure is too entangled to analyse",
                    p.actor
                ),
                hint: Some("see \"Limits\" in docs/project-format.md".into()),
            });
        }
        total = total.saturating_add(steps[h]);
        if total > MAX_PATH_STEPS {
            return Err(FieldError {
                path: here,
                message: format!(
                    "the chains of actors behind the powers up to this one list more than {MAX_PATH_STEPS} actors in all: the analysis would be too large"
                ),
                hint: Some("see \"Limits\" in docs/project-format.md".into()),
            });
        }
    }
    Ok(())
}
