//! Paths through the permission graph: who can make a power's holder act,
//! through which timelocks and relays, with what delay, and how much of each
//! council the coalition needs.

use std::collections::HashMap;

use l2stage_model::governance::{ANYONE, ActorKind, Governance};

use crate::AnalysisError;
use crate::council::CouncilSetup;

/// Upper bound on distinct paths into one actor: real systems have a handful;
/// a generated graph with exponentially many is refused, not hung on.
/// Validation refuses such files first (`l2stage_model::limits`).
pub const MAX_PATHS_PER_ACTOR: usize = l2stage_model::limits::MAX_PATHS_PER_ACTOR;

/// Upper bound on the steps of every chain built, together (each chain
/// shares its upstream part with the chains it extends): the analysis'
/// memory stays linear in this. Validation refuses files beyond it.
const MAX_STEPS: usize = l2stage_model::limits::MAX_PATH_STEPS;

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

/// The actor a step stands for: `anyone` has no index.
const ANYONE_STEP: usize = usize::MAX;

/// The last step of a chain: the chain is this actor after the chain
/// ending at `prev` (none for a root). Chains into an actor extend the
/// chains into its controllers, so they share those steps: the chains of
/// a 10,000-timelock line take 10,000 steps, not 50 million.
#[derive(Debug, Clone, Copy)]
struct Step {
    actor: usize,
    prev: Option<usize>,
}

/// Memoised path enumeration and council-share computation.
pub struct Graph<'g> {
    pub gov: &'g Governance,
    block_time: Option<u64>,
    index: HashMap<&'g str, usize>,
    /// Every step built; chains are indices of their last step.
    steps: Vec<Step>,
    /// Per actor, the chains that make it act, once computed.
    chains: HashMap<usize, Vec<usize>>,
    costs: HashMap<(usize, usize), u32>,
    /// Actors on the walk under way (reused by every walk).
    on_stack: Vec<bool>,
    councils: &'g [CouncilSetup],
    council_index: Vec<usize>,
}

/// Restricted executors of a timelock: empty when anyone may execute.
fn restricted(actor: &l2stage_model::governance::Actor) -> &[String] {
    if actor.kind == ActorKind::Timelock
        && !actor.executors.is_empty()
        && !actor.executors.iter().any(|e| e == ANYONE)
    {
        &actor.executors
    } else {
        &[]
    }
}

impl<'g> Graph<'g> {
    pub fn new(gov: &'g Governance, councils: &'g [CouncilSetup]) -> Graph<'g> {
        let index = gov.actor_index();
        let council_index = councils
            .iter()
            .filter_map(|c| index.get(c.actor.as_str()).copied())
            .collect();
        Graph {
            gov,
            block_time: gov.block_time.and_then(|b| b.seconds(None)),
            index,
            steps: Vec::new(),
            chains: HashMap::new(),
            costs: HashMap::new(),
            on_stack: Vec::new(),
            councils,
            council_index,
        }
    }

    pub fn seconds(&self, d: Option<l2stage_model::DurationSpec>) -> u64 {
        d.and_then(|d| d.seconds(self.block_time)).unwrap_or(0)
    }

    /// The actor named `id` (the first of that id), by its index.
    pub fn actor(&self, id: &str) -> Option<&'g l2stage_model::governance::Actor> {
        let gov = self.gov;
        gov.actors
            .get(*self.index.get(id)?)
            .filter(|a| a.id == id)
            .or_else(|| gov.actor(id))
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
        self.compute_chains(i)?;
        let ends = self.chains.get(&i).cloned().unwrap_or_default();
        Ok(ends.into_iter().map(|e| self.chain(e)).collect())
    }

    /// The chain ending at step `end`, root first.
    fn chain(&self, end: usize) -> Chain {
        let mut ids = Vec::new();
        let mut at = Some(end);
        while let Some(s) = at {
            ids.push(self.steps[s].actor);
            at = self.steps[s].prev;
        }
        ids.reverse();
        let mut chain = Chain {
            actors: Vec::with_capacity(ids.len()),
            delays: Vec::new(),
            delay: 0,
            executors: Vec::new(),
        };
        for i in ids {
            if i == ANYONE_STEP {
                chain.actors.push(ANYONE.into());
                continue;
            }
            let actor = &self.gov.actors[i];
            let own = self.seconds(actor.delay);
            chain.actors.push(actor.id.clone());
            if own > 0 {
                chain.delays.push((actor.id.clone(), own));
            }
            chain.delay = chain.delay.saturating_add(own);
            chain.executors.extend(restricted(actor).iter().cloned());
        }
        chain
    }

    fn push_step(&mut self, step: Step) -> Result<usize, AnalysisError> {
        if self.steps.len() >= MAX_STEPS {
            let holder = match step.actor {
                ANYONE_STEP => ANYONE.to_string(),
                i => self.gov.actors[i].id.clone(),
            };
            return Err(AnalysisError::TooManyPaths(holder));
        }
        self.steps.push(step);
        Ok(self.steps.len() - 1)
    }

    /// Who makes actor `i` act along a chain: none for a root.
    fn controllers(gov: &'g Governance, i: usize) -> &'g [String] {
        let actor = &gov.actors[i];
        match actor.kind {
            ActorKind::Timelock | ActorKind::Relay => actor.controllers(),
            ActorKind::Eoa | ActorKind::Multisig | ActorKind::Dao => &[],
        }
    }

    /// Fill `chains` for `start` and every actor upstream of it, without
    /// recursion: an actor is done once all its controllers are.
    fn compute_chains(&mut self, start: usize) -> Result<(), AnalysisError> {
        if self.chains.contains_key(&start) {
            return Ok(());
        }
        let gov = self.gov;
        self.on_stack.resize(gov.actors.len(), false);
        // (actor, its controllers, how many of them are done)
        let mut stack: Vec<(usize, &'g [String], usize)> =
            vec![(start, Self::controllers(gov, start), 0)];
        self.on_stack[start] = true;
        while let Some(&mut (i, controllers, ref mut next)) = stack.last_mut() {
            let actor = &gov.actors[i];
            let mut pending = None;
            while let Some(c) = controllers.get(*next) {
                if c != ANYONE {
                    let ci = self.idx(c)?;
                    if !self.chains.contains_key(&ci) {
                        pending = Some(ci);
                        break;
                    }
                }
                *next += 1;
            }
            if let Some(ci) = pending {
                if self.on_stack[ci] {
                    return Err(AnalysisError::Cycle(gov.actors[ci].id.clone()));
                }
                self.on_stack[ci] = true;
                stack.push((ci, Self::controllers(gov, ci), 0));
                continue;
            }
            let mut out = Vec::new();
            if controllers.is_empty() {
                out.push(self.push_step(Step {
                    actor: i,
                    prev: None,
                })?);
            }
            for c in controllers {
                let upstream = if c == ANYONE {
                    let root = self.push_step(Step {
                        actor: ANYONE_STEP,
                        prev: None,
                    })?;
                    vec![root]
                } else {
                    self.chains.get(&self.idx(c)?).cloned().unwrap_or_default()
                };
                for prev in upstream {
                    out.push(self.push_step(Step {
                        actor: i,
                        prev: Some(prev),
                    })?);
                    if out.len() > MAX_PATHS_PER_ACTOR {
                        return Err(AnalysisError::TooManyPaths(actor.id.clone()));
                    }
                }
            }
            self.chains.insert(i, out);
            self.on_stack[i] = false;
            stack.pop();
        }
        Ok(())
    }

    /// The fewest distinct entities of council `c` (index into the councils
    /// given at construction) any coalition making `id` act must include.
    pub fn council_cost(&mut self, c: usize, id: &str) -> Result<u32, AnalysisError> {
        if id == ANYONE {
            return Ok(0);
        }
        let i = self.idx(id)?;
        self.compute_costs(c, i)?;
        Ok(self.costs.get(&(c, i)).copied().unwrap_or(0))
    }

    /// The actors whose costs the cost of `i` is made of.
    fn cost_inputs(&self, c: usize, i: usize) -> Vec<&'g str> {
        let actor = &self.gov.actors[i];
        if self.council_index.get(c) == Some(&i) {
            return Vec::new();
        }
        match actor.kind {
            ActorKind::Eoa | ActorKind::Dao => Vec::new(),
            ActorKind::Multisig => actor
                .members
                .iter()
                .filter_map(|m| m.actor.as_deref())
                .collect(),
            ActorKind::Timelock | ActorKind::Relay => actor
                .controllers()
                .iter()
                .chain(restricted(actor))
                .map(String::as_str)
                .filter(|p| *p != ANYONE)
                .collect(),
        }
    }

    /// Fill `costs` for council `c`, `start` and every actor it depends
    /// on, without recursion.
    fn compute_costs(&mut self, c: usize, start: usize) -> Result<(), AnalysisError> {
        if self.costs.contains_key(&(c, start)) {
            return Ok(());
        }
        self.on_stack.resize(self.gov.actors.len(), false);
        // (actor, the actors its cost is made of, how many are done)
        let mut stack = vec![(start, self.cost_inputs(c, start), 0usize)];
        self.on_stack[start] = true;
        while let Some((i, inputs, next)) = stack.last_mut() {
            let i = *i;
            let mut pending = None;
            while let Some(a) = inputs.get(*next) {
                let ai = self.idx(a)?;
                if !self.costs.contains_key(&(c, ai)) {
                    pending = Some(ai);
                    break;
                }
                *next += 1;
            }
            if let Some(ai) = pending {
                if self.on_stack[ai] {
                    return Err(AnalysisError::Cycle(self.gov.actors[ai].id.clone()));
                }
                self.on_stack[ai] = true;
                let inputs = self.cost_inputs(c, ai);
                stack.push((ai, inputs, 0));
                continue;
            }
            let cost = self.cost_here(c, i)?;
            self.costs.insert((c, i), cost);
            self.on_stack[i] = false;
            stack.pop();
        }
        Ok(())
    }

    /// The cost of `i` once the costs of its inputs are known.
    fn cost_here(&self, c: usize, i: usize) -> Result<u32, AnalysisError> {
        let actor = &self.gov.actors[i];
        let known = |id: &str| -> Result<u32, AnalysisError> {
            if id == ANYONE {
                return Ok(0);
            }
            Ok(self.costs.get(&(c, self.idx(id)?)).copied().unwrap_or(0))
        };
        if self.council_index.get(c) == Some(&i) {
            return Ok(self.councils[c].entity_threshold as u32);
        }
        Ok(match actor.kind {
            ActorKind::Eoa | ActorKind::Dao => 0,
            ActorKind::Multisig => {
                let mut member_costs = Vec::with_capacity(actor.members.len());
                for m in &actor.members {
                    member_costs.push(match &m.actor {
                        Some(a) => known(a)?,
                        None => 0,
                    });
                }
                member_costs.sort_unstable();
                member_costs
                    .iter()
                    .take(actor.threshold.unwrap_or(0) as usize)
                    .fold(0u32, |a, b| a.saturating_add(*b))
            }
            ActorKind::Timelock | ActorKind::Relay => {
                let mut best = u32::MAX;
                for p in actor.controllers() {
                    best = best.min(known(p)?);
                }
                let mut exec = 0;
                if !restricted(actor).is_empty() {
                    exec = u32::MAX;
                    for e in restricted(actor) {
                        exec = exec.min(known(e)?);
                    }
                }
                best.saturating_add(exec)
            }
        })
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
