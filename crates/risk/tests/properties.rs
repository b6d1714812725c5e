//! Properties that must hold for every input.

use l2stage_risk::binomial::{binomial_pmf, poisson_binomial_pmf, poisson_binomial_upper_tail};
use l2stage_risk::correlated::beta_binomial_pmf;
use l2stage_risk::prob::to_f64;
use l2stage_risk::{BaseModel, CouncilModel, CouncilShape, Formula, Probability};
use proptest::prelude::*;

fn shape() -> impl Strategy<Value = CouncilShape> {
    (1usize..=30).prop_flat_map(|n| (1..=n).prop_map(move |k| CouncilShape::new(k, n).unwrap()))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-300
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn probabilities_stay_in_unit_interval(
        s0 in shape(), s1 in shape(), q in 0.0f64..=1.0, rho in 0.0f64..0.99,
        c in 0.0f64..=1.0, p in 0.0f64..=1.0, additive in any::<bool>(),
    ) {
        let m = BaseModel {
            member_failure: Probability::from_f64("q", q).unwrap(),
            correlation: Probability::from_f64("rho", rho).unwrap(),
            common_shock: Probability::from_f64("c", c).unwrap(),
            stage0: s0,
            stage1: s1,
            formula: if additive { Formula::Additive } else { Formula::Union },
            ..BaseModel::default()
        };
        let t = m.tails().unwrap();
        for tails in [&t.stage0, &t.stage1] {
            for v in [tails.overrides, tails.blocked, tails.stuck] {
                prop_assert!((0.0..=1.0).contains(&v), "{v}");
            }
        }
        let lines = t.lines(Formula::Union);
        let f = lines.failures(&p);
        for v in [f.stage0, f.stage1, f.stage2] {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&v), "{v}");
        }
        for x in [lines.crossovers().stage0_stage1, lines.crossovers().stage1_stage2].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&x));
        }
    }

    #[test]
    fn poisson_binomial_with_equal_q_is_binomial(n in 1usize..200, q in 0.0f64..=1.0, kf in 0.0f64..=1.0) {
        let k = ((n as f64) * kf).round() as usize;
        let pb = poisson_binomial_pmf(&vec![q; n]);
        let b = binomial_pmf(n, q);
        prop_assert!(close(pb.at_least(k), b.at_least(k), 1e-11), "{} vs {}", pb.at_least(k), b.at_least(k));
        let banded = poisson_binomial_upper_tail(&vec![q; n], k);
        prop_assert!(close(banded, b.at_least(k), 1e-11), "{banded} vs {}", b.at_least(k));
    }

    #[test]
    fn beta_binomial_tends_to_binomial(n in 1usize..=30, q in 0.01f64..0.99, kf in 0.0f64..=1.0) {
        let k = ((n as f64) * kf).round() as usize;
        let b = binomial_pmf(n, q).at_least(k);
        let d = |rho: f64| (beta_binomial_pmf(n, q, rho).at_least(k) - b).abs();
        // The gap shrinks with ρ and is negligible at ρ = 1e-9
        // (first order: n²ρ/(2q) relative).
        prop_assert!(d(1e-6) <= d(1e-3) + 1e-13 * b);
        prop_assert!(d(1e-9) <= 1e-4 * b + 1e-15, "{} vs {b}", d(1e-9));
    }

    #[test]
    fn stage1_failure_is_monotone_in_p_and_q(
        q1 in 0.0f64..=1.0, q2 in 0.0f64..=1.0, p1 in 0.0f64..=1.0, p2 in 0.0f64..=1.0,
        c in 0.0f64..0.5, additive in any::<bool>(), s in shape(),
    ) {
        let (qa, qb) = (q1.min(q2), q1.max(q2));
        let (pa, pb) = (p1.min(p2), p1.max(p2));
        let formula = if additive { Formula::Additive } else { Formula::Union };
        let line = |q: f64| {
            let m = BaseModel {
                member_failure: Probability::from_f64("q", q).unwrap(),
                common_shock: Probability::from_f64("c", c).unwrap(),
                stage1: s,
                formula,
                ..BaseModel::default()
            };
            m.lines(formula).unwrap().stage1
        };
        let (la, lb) = (line(qa), line(qb));
        prop_assert!(la.at(&pa) <= la.at(&pb) * (1.0 + 1e-12) + 1e-300);
        prop_assert!(la.at(&pa) <= lb.at(&pa) * (1.0 + 1e-12) + 1e-300, "{} > {}", la.at(&pa), lb.at(&pa));
    }

    #[test]
    fn float_agrees_with_exact(
        s in shape(), qn in 0u32..=1000, rn in 0u32..=900, cn in 0u32..=100,
    ) {
        let q = Probability::parse("q", &format!("{qn}/1000")).unwrap();
        let rho = Probability::parse("rho", &format!("{rn}/1000")).unwrap();
        let c = Probability::parse("c", &format!("{cn}/1000")).unwrap();
        let m = CouncilModel::homogeneous(s, q, rho, c).unwrap();
        let (f, e) = (m.tails(), m.exact_tails().unwrap());
        for (a, b) in [(f.overrides, e.overrides), (f.blocked, e.blocked), (f.stuck, e.stuck)] {
            let b = to_f64(&b);
            prop_assert!(close(a, b, 1e-12), "{a} vs {b}");
        }
    }
}
