//! Paths through the permission graph: who can make a power's holder act,
//! through which timelocks and relays, with what delay, and how much of each
//! council the coalition needs.

use std::collections::HashMap;

use l2stage_model::governance::{ANYONE, ActorKind, Governance};

use crate::AnalysisError;
use crate::council::CouncilSetup;

/// Upper bound on distinct paths into one actor: real systems have a handful;
/// a generated graph with exponentially many is refused, not hung on.
pub const MAX_PATHS_PER_ACTOR: usize = 10_000;

/// One chain of actors from a root (who decides) to the power's holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Actor ids, root first.
    pub actors: Vec<String>,
    /// (actor, delay in seconds) for every delaying actor on the chain.
    pub delays: Vec<(String, u64)>,
    pub delay: u64,
    /// Restricted executors whose cooperation the chain also needs.
    pub executors: Vec<String>,
}

/// Memoised path enumeration and council-share computation.
pub struct Graph<'g> {
    pub gov: &'g Governance,
    block_time: Option<u64>,
    index: HashMap<&'g str, usize>,
    chains: HashMap<usize, Vec<Chain>>,
    costs: HashMap<(usize, usize), u32>,
    councils: &'g [CouncilSetup],
    council_index: Vec<usize>,
}

impl<'g> Graph<'g> {
    pub fn new(gov: &'g Governance, councils: &'g [CouncilSetup]) -> Graph<'g> {
        let index: HashMap<&str, usize> = gov
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let council_index = councils
            .iter()
            .filter_map(|c| index.get(c.actor.as_str()).copied())
            .collect();
        Graph {
            gov,
            block_time: gov.block_time.and_then(|b| b.seconds(None)),
            index,
            chains: HashMap::new(),
            costs: HashMap::new(),
            councils,
            council_index,
        }
    }

    pub fn seconds(&self, d: Option<l2stage_model::DurationSpec>) -> u64 {
        d.and_then(|d| d.seconds(self.block_time)).unwrap_or(0)
    }

    fn idx(&self, id: &str) -> Result<usize, AnalysisError> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| AnalysisError::UnknownActor(id.to_string()))
    }

    /// Every chain that makes `id` act.
    pub fn chains(&mut self, id: &str) -> Result<Vec<Chain>, AnalysisError> {
        if id == ANYONE {
            return Ok(vec![Chain {
                actors: vec![ANYONE.into()],
                delays: vec![],
                delay: 0,
                executors: vec![],
            }]);
        }
        let i = self.idx(id)?;
        self.chains_of(i, 0)
    }

    fn chains_of(&mut self, i: usize, depth: usize) -> Result<Vec<Chain>, AnalysisError> {
        if let Some(c) = self.chains.get(&i) {
            return Ok(c.clone());
        }
        if depth > self.gov.actors.len() {
            return Err(AnalysisError::Cycle(self.gov.actors[i].id.clone()));
        }
        let actor = &self.gov.actors[i];
        let own_delay = self.seconds(actor.delay);
        let restricted: Vec<String> = if actor.kind == ActorKind::Timelock
            && !actor.executors.is_empty()
            && !actor.executors.iter().any(|e| e == ANYONE)
        {
            actor.executors.clone()
        } else {
            vec![]
        };
        let mut out = Vec::new();
        match actor.kind {
            ActorKind::Timelock | ActorKind::Relay => {
                for c in actor.controllers().to_vec() {
                    let upstream = if c == ANYONE {
                        vec![Chain {
                            actors: vec![ANYONE.into()],
                            delays: vec![],
                            delay: 0,
                            executors: vec![],
                        }]
                    } else {
                        let ci = self.idx(&c)?;
                        self.chains_of(ci, depth + 1)?
                    };
                    for mut ch in upstream {
                        ch.actors.push(actor.id.clone());
                        if own_delay > 0 {
                            ch.delays.push((actor.id.clone(), own_delay));
                        }
                        ch.delay = ch.delay.saturating_add(own_delay);
                        ch.executors.extend(restricted.iter().cloned());
                        out.push(ch);
                        if out.len() > MAX_PATHS_PER_ACTOR {
                            return Err(AnalysisError::TooManyPaths(actor.id.clone()));
                        }
                    }
                }
            }
            ActorKind::Eoa | ActorKind::Multisig | ActorKind::Dao => {
                let delays = if own_delay > 0 {
                    vec![(actor.id.clone(), own_delay)]
                } else {
                    vec![]
                };
                out.push(Chain {
                    actors: vec![actor.id.clone()],
                    delays,
                    delay: own_delay,
                    executors: vec![],
                });
            }
        }
        self.chains.insert(i, out.clone());
        Ok(out)
    }

    /// The fewest distinct entities of council `c` (index into the councils
    /// given at construction) any coalition making `id` act must include.
    pub fn council_cost(&mut self, c: usize, id: &str) -> Result<u32, AnalysisError> {
        if id == ANYONE {
            return Ok(0);
        }
        let i = self.idx(id)?;
        self.cost_of(c, i, 0)
    }

    fn cost_of(&mut self, c: usize, i: usize, depth: usize) -> Result<u32, AnalysisError> {
        if let Some(v) = self.costs.get(&(c, i)) {
            return Ok(*v);
        }
        if depth > self.gov.actors.len() {
            return Err(AnalysisError::Cycle(self.gov.actors[i].id.clone()));
        }
        let actor = &self.gov.actors[i];
        let cost = if self.council_index.get(c) == Some(&i) {
            self.councils[c].entity_threshold as u32
        } else {
            match actor.kind {
                ActorKind::Eoa | ActorKind::Dao => 0,
                ActorKind::Multisig => {
                    let mut member_costs = Vec::with_capacity(actor.members.len());
                    for m in &actor.members {
                        member_costs.push(match &m.actor {
                            Some(a) => {
                                let ai = self.idx(a)?;
                                self.cost_of(c, ai, depth + 1)?
                            }
                            None => 0,
                        });
                    }
                    member_costs.sort_unstable();
                    member_costs
                        .iter()
                        .take(actor.threshold.unwrap_or(0) as usize)
                        .sum()
                }
                ActorKind::Timelock | ActorKind::Relay => {
                    let mut best = u32::MAX;
                    for p in actor.controllers() {
                        let v = if p == ANYONE {
                            0
                        } else {
                            self.cost_of(c, self.idx(p)?, depth + 1)?
                        };
                        best = best.min(v);
                    }
                    let mut exec = 0;
                    if actor.kind == ActorKind::Timelock
                        && !actor.executors.is_empty()
                        && !actor.executors.iter().any(|e| e == ANYONE)
                    {
                        exec = u32::MAX;
                        for e in &actor.executors {
                            exec = exec.min(self.cost_of(c, self.idx(e)?, depth + 1)?);
                        }
                    }
                    best.saturating_add(exec)
                }
            }
        };
        self.costs.insert((c, i), cost);
        Ok(cost)
    }

    /// Council shares a chain's coalition needs: its root plus executors.
    pub fn chain_costs(&mut self, chain: &Chain) -> Result<Vec<u32>, AnalysisError> {
        let mut out = Vec::with_capacity(self.councils.len());
        for c in 0..self.councils.len() {
            let mut v = self.council_cost(c, &chain.actors[0])?;
            for e in &chain.executors {
                v = v.saturating_add(self.council_cost(c, e)?);
            }
            out.push(v);
        }
        Ok(out)
    }
}
