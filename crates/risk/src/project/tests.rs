use super::*;
use crate::council::Member;
use crate::prob::Probability;

fn member(q: &str, a: Affiliation) -> Member {
    Member {
        name: String::new(),
        q: Probability::parse("q", q).unwrap(),
        affiliation: a,
    }
}

#[test]
fn uniform_council_matches_base_model() {
    let council = ProjectCouncil {
        threshold: 6,
        members: (0..8)
            .map(|_| member("0.1", Affiliation::Outside))
            .collect(),
        team_block: false,
        common_shock: Probability::zero(),
    };
    let input = ProjectRiskInput {
        council: council.into(),
        proof: Some(ProofSystem::Single {
            p: Probability::parse("p", "0.001").unwrap(),
        }),
        formula: Formula::Union,
        horizon: Horizon::default(),
        candidate: None,
    };
    let r = assess(&input).unwrap();
    let e = r.current.exact.as_ref().unwrap();
    assert_eq!(e.stage2_safer_below.as_deref(), Some("2341/96193162"));
    assert_eq!(e.council_override, "2341/100000000");
    // 2341/1e8 + 1/1000 · 3806838/1e8 = 6147838/1e11
    assert_eq!(e.loss.as_deref(), Some("3073919/50000000000"));
    assert!((r.current.loss.unwrap() - 6.147838e-5).abs() < 1e-18);
}

#[test]
fn team_block_raises_override_risk() {
    // 5-of-8, 4 team members breaking together with q = 0.1 each:
    // the block plus one outsider overrides.
    let mut members: Vec<Member> = (0..4).map(|_| member("0.1", Affiliation::Team)).collect();
    members.extend((0..4).map(|_| member("0.1", Affiliation::Outside)));
    let independent = ProjectCouncil {
        threshold: 5,
        members,
        team_block: false,
        common_shock: Probability::zero(),
    };
    let block = ProjectCouncil {
        team_block: true,
        ..independent.clone()
    };
    let (i, b) = (
        independent.model().unwrap().tails(),
        block.model().unwrap().tails(),
    );
    // Block: 0.1 · P(≥1 of 4 outside) + 0 = 0.1 · (1 − 0.9⁴) = 0.03439.
    assert!((b.overrides - 0.03439).abs() < 1e-15);
    assert!(b.overrides > 10.0 * i.overrides);
}

fn named(name: &str, q: &str, a: Affiliation) -> Member {
    Member {
        name: name.to_string(),
        ..member(q, a)
    }
}

fn keys(threshold: usize, members: Vec<Member>) -> CouncilTree {
    CouncilTree::Keys { threshold, members }
}

fn safes(threshold: usize, signers: Vec<CouncilTree>) -> CouncilTree {
    CouncilTree::Safes { threshold, signers }
}

fn r(s: &str) -> BigRational {
    s.parse().unwrap()
}

/// Base: 2 of (2 of (council 7/10, Coinbase 3/6), Foundation 5/7).
fn base(q: &str) -> CouncilTree {
    let council = (0..10)
        .map(|i| named(&format!("member {i}"), q, Affiliation::Outside))
        .collect();
    let coinbase = (0..6)
        .map(|_| named("Coinbase", q, Affiliation::Team))
        .collect();
    let foundation = (0..7)
        .map(|_| named("Optimism Foundation", q, Affiliation::Outside))
        .collect();
    safes(
        2,
        vec![
            safes(2, vec![keys(7, council), keys(3, coinbase)]),
            keys(5, foundation),
        ],
    )
}

fn nested(root: CouncilTree) -> NestedCouncil {
    NestedCouncil {
        root,
        team_block: false,
        common_shock: Probability::zero(),
    }
}

#[test]
fn base_nested_council_exactly() {
    // Coinbase's and the Foundation's keys are one entity each: the
    // Safe breaks (overrides and is blocked) with 0.1. The council
    // overrides with S7 = P(Bin(10, 0.1) ≥ 7) = 5701/625000000 and is
    // blocked with B4 = P(Bin(10, 0.1) ≥ 4) = 7996999/625000000.
    // Overrides: all three Safes override, S7 · 0.1 · 0.1.
    // Blocked: any one is, 1 − (1 − B4) · 0.9 · 0.9.
    // (Python fractions, and a brute force over the states.)
    let n = nested(base("0.1"));
    assert_eq!(n.root.describe(), "2 of (2 of (7/10, 3/6), 5/7)");
    assert_eq!(n.entity_counts(), (1, 11));
    assert!(n.coupled().is_empty());
    let j = n.exact_joint().unwrap().unwrap();
    let s7 = r("5701/625000000");
    let b4 = r("7996999/625000000");
    let tenth = r("1/10");
    let nine = r("9/10");
    assert_eq!(j.overrides(), &s7 * &tenth * &tenth);
    assert_eq!(j.overrides(), r("5701/62500000000"));
    let blocked = BigRational::from_integer(1.into())
        - (BigRational::from_integer(1.into()) - &b4) * &nine * &nine;
    assert_eq!(j.blocked(), blocked);
    assert_eq!(j.blocked(), r("12522756919/62500000000"));
    // Overriding needs the council's 7, which blocks it: the union
    // slope is P(blocked) − P(overrides).
    assert_eq!(j.blocked_only, j.blocked() - j.overrides());
    let f = n.joint().unwrap();
    assert!((f.overrides() - 9.1216e-8).abs() < 1e-20);
    assert!((f.blocked() - 0.200364110704).abs() < 1e-15);

    // Through `assess`, with p = 1/1000: union loss S + p · W.
    let input = ProjectRiskInput {
        council: CouncilStructure::Nested(n.clone()),
        proof: Some(ProofSystem::Single {
            p: Probability::parse("p", "0.001").unwrap(),
        }),
        formula: Formula::Union,
        horizon: Horizon::default(),
        candidate: None,
    };
    let c = assess(&input).unwrap().current;
    assert_eq!(c.structure, Structure::Nested);
    assert_eq!(c.council, "2 of (2 of (7/10, 3/6), 5/7)");
    let e = c.exact.unwrap();
    assert_eq!(e.proof_weight, "6261375609/31250000000");
    assert_eq!(e.loss.as_deref(), Some("6264226109/31250000000000"));
    // S / (1 − W)
    assert_eq!(e.stage2_safer_below.as_deref(), Some("5701/49977248782"));
    // Additive: slope P(blocked).
    let add = assess(&ProjectRiskInput {
        formula: Formula::Additive,
        ..input
    })
    .unwrap()
    .current
    .exact
    .unwrap();
    assert_eq!(add.proof_weight, "12522756919/62500000000");
    assert_eq!(add.stage2_safer_below.as_deref(), Some("5701/49977243081"));
}

#[test]
fn common_shock_breaks_every_safe() {
    // c + (1 − c) · S with c = 1/100, S = 5701/62500000000.
    let n = NestedCouncil {
        common_shock: Probability::parse("c", "0.01").unwrap(),
        ..nested(base("0.1"))
    };
    let j = n.exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("62500564399/6250000000000"));
    assert_eq!(
        j.blocked(),
        r("1/100") + r("99/100") * r("12522756919/62500000000")
    );
}

/// 2 of (A = 2 of (X, Y, Z), B = 3 of (X, V, W, U)): X signs in both.
fn shared(x_in_b: &str, team: bool) -> NestedCouncil {
    let a = if team {
        Affiliation::Team
    } else {
        Affiliation::Outside
    };
    let o = Affiliation::Outside;
    nested(safes(
        2,
        vec![
            keys(
                2,
                vec![
                    named("X", "0.1", a),
                    named("Y", "0.1", o),
                    named("Z", "0.1", o),
                ],
            ),
            keys(
                3,
                vec![
                    named("X", x_in_b, a),
                    named("V", "0.1", a),
                    named("W", "0.1", o),
                    named("U", "0.1", o),
                ],
            ),
        ],
    ))
}

#[test]
fn an_entity_in_two_safes_breaks_in_both() {
    // X broken (0.1): A overrides with 1 − 0.9² = 0.19, B with
    // P(≥ 2 of 3) = 0.028; X honest (0.9): 0.01 and 0.001.
    // 0.1 · 0.19 · 0.028 + 0.9 · 0.01 · 0.001 = 541/10⁶.
    // Blocked (A at 2 broken, B at 2): X broken: 1 − 0.81 · 0.729 =
    // 0.40951; X honest: 1 − 0.99 · 0.972 = 0.03772; 74899/10⁶.
    let n = shared("0.1", false);
    assert_eq!(n.coupled(), vec![vec![0, 3]]);
    assert_eq!(n.shared_entities(), vec!["X".to_string()]);
    assert_eq!(n.scenarios(), 2);
    let j = n.exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("541/1000000"));
    assert_eq!(j.blocked(), r("74899/1000000"));
    // Taking X as two independent entities would give 259/2500000.
    assert!((n.joint().unwrap().overrides() - 541e-6).abs() < 1e-18);

    // Keys of X with different q (0.1 in A, 0.3 in B) share one U:
    // broken in both with 0.1, only in B with 0.2, in none with 0.7
    // (brute force with Python fractions: 119/200000, 123013/10⁶).
    let j = shared("0.3", false).exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("119/200000"));
    assert_eq!(j.blocked(), r("123013/1000000"));
}

#[test]
fn team_block_spans_safes() {
    // X and V team, breaking together with 0.1: then A overrides with
    // 0.19 and B (2 broken already) with 1 − 0.81 = 0.19; otherwise A
    // needs Y and Z (0.01) and B cannot override. 0.1 · 0.19² = 361/10⁵.
    let n = NestedCouncil {
        team_block: true,
        ..shared("0.1", true)
    };
    assert_eq!(n.scenarios(), 2);
    assert_eq!(n.entity_counts(), (2, 4));
    let j = n.exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("361/100000"));
    // Brute force over the five independent draws (Python fractions).
    assert_eq!(j.blocked(), r("11791/100000"));
    // Without the block X and V are independent, X shared: as above.
    let j = shared("0.1", true).exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("541/1000000"));
}

#[test]
fn one_safe_nested_is_the_flat_council() {
    let members: Vec<Member> = (0..8)
        .map(|_| member("0.1", Affiliation::Outside))
        .collect();
    let n = nested(safes(1, vec![keys(6, members)]));
    let j = n.exact_joint().unwrap().unwrap();
    assert_eq!(j.overrides(), r("2341/100000000"));
    assert_eq!(j.line().slope, r("3806838/100000000"));
}

#[test]
fn impossible_thresholds_are_errors() {
    let one = || keys(1, vec![member("0.1", Affiliation::Outside)]);
    assert!(nested(safes(3, vec![one(), one()])).joint().is_err());
    assert!(nested(safes(0, vec![one()])).joint().is_err());
    assert!(
        nested(safes(
            1,
            vec![keys(2, vec![member("0.1", Affiliation::Team)])]
        ))
        .joint()
        .is_err()
    );
}

#[test]
fn simulation_agrees() {
    // 2 of (A = 2 of (X, Y, Z), B = 3 of (X, V, W, U), a lone key): X
    // signs in A and B with different q, X and V are team (one block
    // with `team_block`), a common shock on top. The simulator draws
    // one U per entity and decides from the signatures.
    let m = |name: &str, q: &str, team: bool| {
        named(
            name,
            q,
            if team {
                Affiliation::Team
            } else {
                Affiliation::Outside
            },
        )
    };
    let root = safes(
        2,
        vec![
            keys(
                2,
                vec![
                    m("X", "0.3", true),
                    m("Y", "0.2", false),
                    m("Z", "0.25", false),
                ],
            ),
            keys(
                3,
                vec![
                    m("X", "0.5", true),
                    m("V", "0.4", true),
                    m("W", "0.3", false),
                    m("U", "0.35", false),
                ],
            ),
            keys(1, vec![m("", "0.3", false)]),
        ],
    );
    for (team_block, shock, seed) in [(false, "0", 8), (true, "0", 9), (true, "0.05", 10)] {
        let council = NestedCouncil {
            root: root.clone(),
            team_block,
            common_shock: Probability::parse("c", shock).unwrap(),
        };
        let j = council.joint().unwrap();
        let (o, b) = crate::montecarlo::simulate_nested(&council, 100_000, seed);
        assert!(
            o.agrees_with(j.overrides(), 5.0),
            "{o:?} vs {}",
            j.overrides()
        );
        assert!(b.agrees_with(j.blocked(), 5.0), "{b:?} vs {}", j.blocked());
        let e = council.exact_joint().unwrap().unwrap();
        assert!((to_f64(&e.overrides()) - j.overrides()).abs() < 1e-15);
        assert!((to_f64(&e.blocked()) - j.blocked()).abs() < 1e-15);
    }
}
