//! Every closed form against a simulation of the story it models.
//! Tolerance: 5 standard errors (a false alarm about once in 1.7 million
//! checks), with fixed seeds. Parameters are chosen so that the events are
//! common enough to be measured, and one test shows the simulator can tell
//! the additive formula from the union.

use l2stage_risk::council::{Affiliation, Member};
use l2stage_risk::montecarlo::*;
use l2stage_risk::nested::Approval;
use l2stage_risk::provers::{ProofSystem, shared_cause, two_provers_with_council};
use l2stage_risk::safety::{SafetyLiveness, WithdrawalDelay};
use l2stage_risk::{BaseModel, CouncilModel, CouncilShape, FailureModel, Formula, Probability};

const N: u64 = 100_000;
const Z: f64 = 5.0;

fn p(s: &str) -> Probability {
    Probability::parse("p", s).unwrap()
}

fn shape(k: usize, n: usize) -> CouncilShape {
    CouncilShape::new(k, n).unwrap()
}

fn check(name: &str, e: Estimate, expected: f64) {
    assert!(
        e.agrees_with(expected, Z),
        "{name}: simulated {} vs closed form {expected}",
        e.mean
    );
}

#[test]
fn stages_union_matches_and_additive_does_not() {
    let m = BaseModel {
        member_failure: p("0.4"),
        ..BaseModel::default()
    };
    let pf = 0.5;
    let sim = simulate_stages(&m, pf, N, 1).unwrap();
    let f = m.lines(Formula::Union).unwrap().failures(&pf);
    check("stage 0", sim.failure.stage0, f.stage0);
    check("stage 1", sim.failure.stage1, f.stage1);
    check("stage 2", sim.failure.stage2, f.stage2);
    let add = m.lines(Formula::Additive).unwrap().failures(&pf);
    assert!(
        !sim.failure.stage1.agrees_with(add.stage1, Z),
        "the simulator cannot tell the formulas apart"
    );
    // The additive excess is exactly the doubly counted event.
    let t = m.tails().unwrap();
    check(
        "double counted",
        sim.double_counted.stage1,
        pf * t.stage1.overrides,
    );
    assert!((add.stage1 - f.stage1 - pf * t.stage1.overrides).abs() < 1e-15);
}

#[test]
fn correlated_members() {
    for (rho, c) in [("0.3", "0"), ("0", "0.05"), ("0.2", "0.02")] {
        let m = BaseModel {
            member_failure: p("0.2"),
            correlation: p(rho),
            common_shock: p(c),
            ..BaseModel::default()
        };
        let sim = simulate_stages(&m, 0.3, N, 2).unwrap();
        let f = m.lines(Formula::Union).unwrap().failures(&0.3);
        check(
            &format!("stage 0 rho={rho} c={c}"),
            sim.failure.stage0,
            f.stage0,
        );
        check(
            &format!("stage 1 rho={rho} c={c}"),
            sim.failure.stage1,
            f.stage1,
        );
    }
}

#[test]
fn heterogeneous_members_and_insider_block() {
    let members: Vec<Member> = ["0.05", "0.1", "0.15", "0.2", "0.3", "0.1", "0.25", "0.4"]
        .iter()
        .enumerate()
        .map(|(i, q)| Member {
            name: format!("m{i}"),
            q: p(q),
            affiliation: if i < 3 {
                Affiliation::Team
            } else {
                Affiliation::Outside
            },
        })
        .collect();
    // Entities holding several keys: blocks that break together.
    let qs: Vec<Probability> = members.iter().map(|m| m.q.clone()).collect();
    let entity_blocks = FailureModel::Blocks {
        blocks: vec![
            qs[..3].to_vec(),
            qs[3..5].to_vec(),
            vec![qs[5].clone()],
            qs[6..].to_vec(),
        ],
    };
    let models = [
        FailureModel::from_members(&members, false),
        FailureModel::from_members(&members, true),
        entity_blocks,
    ];
    for failures in models {
        let c = CouncilModel::new(shape(5, 8), failures, p("0")).unwrap();
        let t = c.tails();
        let mut rng = seeded(3);
        let (mut o, mut b) = (0u64, 0u64);
        for _ in 0..N {
            let x = sample_broken(&c, &mut rng);
            o += u64::from(x >= 5);
            b += u64::from(x >= 4);
        }
        check(
            "override",
            Estimate {
                mean: o as f64 / N as f64,
                samples: N,
            },
            t.overrides,
        );
        check(
            "blocked",
            Estimate {
                mean: b as f64 / N as f64,
                samples: N,
            },
            t.blocked,
        );
    }
}

#[test]
fn safety_liveness_split() {
    let s = shape(6, 8);
    let sl = SafetyLiveness::new(s, p("0.15"), p("0.2"))
        .unwrap()
        .result();
    let (o, stuck) = simulate_safety_liveness(s, 0.15, 0.2, N, 4);
    check("malicious override", o, sl.line.intercept);
    check("stuck", stuck, sl.line.slope);
}

#[test]
fn withdrawal_delay() {
    let s = shape(6, 8);
    let d = WithdrawalDelay::new(s, p("0.1"), p("0.4"), p("0.1"))
        .unwrap()
        .result();
    let (with, without, grief) = simulate_withdrawal_delay(s, 0.1, 0.4, 0.1, N, 5);
    check("with delay", with, d.with_delay.slope);
    check("without delay", without, d.without_delay.slope);
    check("griefing", grief, d.griefing);
    // The point of the delay: far fewer stuck fixes.
    assert!(d.with_delay.slope < d.without_delay.slope / 3.0);
}

#[test]
fn nested_approvals() {
    let c = |k, n, q: &str| Approval::Council(CouncilModel::binomial(shape(k, n), p(q)));
    let tree = Approval::Threshold {
        k: 2,
        of: vec![
            c(3, 5, "0.3"),
            Approval::All(vec![c(2, 3, "0.4"), c(1, 2, "0.3")]),
            Approval::Any(vec![c(2, 2, "0.5"), c(4, 5, "0.45")]),
        ],
    };
    let j = tree.joint().unwrap();
    let (o, stuck) = simulate_approval(&tree, N, 6);
    check("nested override", o, j.overrides());
    check("nested stuck", stuck, j.blocked_only);
}

#[test]
fn proof_systems() {
    let sys = ProofSystem::Threshold {
        k: 2,
        provers: vec![p("0.1"), p("0.2"), p("0.3")],
    };
    check(
        "2-of-3",
        simulate_proof_system(&sys, N, 7),
        sys.failure().unwrap(),
    );
    let sc = ProofSystem::SharedCause {
        k: 2,
        n: 3,
        a: p("0.2"),
        beta: p("0.3"),
    };
    check(
        "shared cause",
        simulate_proof_system(&sc, N, 8),
        shared_cause(2, 3, 0.2, 0.3),
    );
    let council = CouncilModel::binomial(shape(3, 5), p("0.3"));
    let t = council.tails();
    let tb = two_provers_with_council(0.2, 0.3, t.overrides, t.stuck);
    let (loss, stuck) = simulate_tiebreak(0.2, 0.3, &council, N, 9);
    check("tiebreak loss", loss, tb.loss);
    check("tiebreak stuck", stuck, tb.stuck);
}
