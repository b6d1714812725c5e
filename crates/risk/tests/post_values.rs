//! The acceptance values of risk-model.md §1, floating and exact, both
//! formulas.

use l2stage_risk::prob::{fraction_string, to_f64};
use l2stage_risk::{BaseModel, Formula, ModelStage, Probability};
use num_rational::BigRational;

fn r(s: &str) -> BigRational {
    s.parse().unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn model(formula: Formula) -> BaseModel {
    BaseModel {
        formula,
        ..BaseModel::default()
    }
}

#[test]
fn council_tails_of_the_post() {
    let t = BaseModel::default().tails().unwrap();
    let (e0, e1) = t.exact.clone().unwrap();
    assert_eq!(e0.overrides, r("341/125000"));
    assert_eq!(e1.blocked, r("3809179/100000000"));
    assert_eq!(e1.overrides, r("2341/100000000"));
    assert!(rel(t.stage0.overrides, 0.002728) < 1e-13);
    assert!(rel(t.stage1.blocked, 0.03809179) < 1e-13);
    assert!(rel(t.stage1.overrides, 0.00002341) < 1e-13);
    // 4-of-7: the blocking minority (4) already overrides, so never stuck.
    assert_eq!(e0.stuck, r("0"));
    assert_eq!(e1.stuck, r("3806838/100000000"));
}

#[test]
fn union_crossovers() {
    let t = model(Formula::Union).tails().unwrap();
    let c = t.exact_lines(Formula::Union).unwrap().crossovers();
    assert_eq!(c.stage0_stage1, Some(r("53/746")));
    assert_eq!(c.stage1_stage2, Some(r("2341/96193162")));
    let f = t.lines(Formula::Union).crossovers();
    assert!(rel(f.stage0_stage1.unwrap(), 53.0 / 746.0) < 1e-12);
    assert!(rel(f.stage1_stage2.unwrap(), 2341.0 / 96193162.0) < 1e-12);
    // The table's rounded values.
    assert!((f.stage0_stage1.unwrap() - 0.0710456).abs() < 5e-8);
    assert!((f.stage1_stage2.unwrap() - 2.43364e-5).abs() < 5e-11);
}

#[test]
fn additive_crossovers_as_published() {
    let t = model(Formula::Additive).tails().unwrap();
    let l = t.exact_lines(Formula::Additive).unwrap();
    // The post's flat Stage 0 line: no p term for 4-of-7.
    assert_eq!(l.stage0.slope, r("0"));
    assert_eq!(l.stage1.slope, r("3809179/100000000"));
    let c = l.crossovers();
    assert_eq!(c.stage0_stage1, Some(r("270459/3809179")));
    assert_eq!(c.stage1_stage2, Some(r("2341/96190821")));
    let f = t.lines(Formula::Additive).crossovers();
    assert!(rel(f.stage0_stage1.unwrap(), 270459.0 / 3809179.0) < 1e-12);
    assert!(rel(f.stage1_stage2.unwrap(), 2341.0 / 96190821.0) < 1e-12);
    assert!((f.stage0_stage1.unwrap() - 0.0710019).abs() < 5e-8);
    assert!((f.stage1_stage2.unwrap() - 2.43370e-5).abs() < 5e-11);
}

#[test]
fn general_formulas_of_the_spec() {
    // p*(council vs stage 2) = S / (1 − W); p(A = B) = (S_B − S_A)/(W_A − W_B).
    let t = BaseModel::default().tails().unwrap();
    let (e0, e1) = t.exact.unwrap();
    let one = r("1");
    assert_eq!(&e1.overrides / (&one - &e1.stuck), r("2341/96193162"));
    assert_eq!(
        (&e0.overrides - &e1.overrides) / (&e1.stuck - &e0.stuck),
        r("53/746")
    );
}

#[test]
fn optimal_stage_ranges() {
    let t = BaseModel::default().tails().unwrap();
    let ranges = t.exact_lines(Formula::Union).unwrap().optimal_ranges();
    let got: Vec<(ModelStage, String, String)> = ranges
        .iter()
        .map(|x| (x.stage, fraction_string(&x.from), fraction_string(&x.to)))
        .collect();
    assert_eq!(
        got,
        vec![
            (ModelStage::Two, "0/1".into(), "2341/96193162".into()),
            (ModelStage::One, "2341/96193162".into(), "53/746".into()),
            (ModelStage::Zero, "53/746".into(), "1/1".into()),
        ]
    );
    let lines = t.exact_lines(Formula::Union).unwrap();
    // Ties go to the higher stage.
    assert_eq!(lines.optimal(&r("53/746")), ModelStage::One);
    assert_eq!(lines.optimal(&r("2341/96193162")), ModelStage::Two);
    assert_eq!(lines.optimal(&r("1/1000")), ModelStage::One);
    assert_eq!(lines.optimal(&r("1/10")), ModelStage::Zero);
    assert_eq!(lines.optimal(&r("1/100000")), ModelStage::Two);
}

#[test]
fn failures_at_one_in_a_thousand() {
    let p = Probability::parse("p", "0.001").unwrap();
    let rep = BaseModel::default().report(Some(&p)).unwrap();
    let f = rep.analysis.failure.clone().unwrap();
    assert!(rel(f.stage0, 0.002728) < 1e-13);
    // 2341e-8 + 1e-3 · 0.03806838 = 6.147838e-5
    assert!(rel(f.stage1, 6.147838e-5) < 1e-12);
    assert_eq!(f.stage2, 0.001);
    assert_eq!(rep.analysis.optimal_stage, Some(ModelStage::One));
    let e = rep.analysis.exact.clone().unwrap();
    let ef = e.failure.unwrap();
    assert_eq!(ef.stage1, "3073919/50000000000");
    assert_eq!(ef.stage0, "341/125000");
    assert_eq!(ef.stage2, "1/1000");
    // The additive form adds p·P(X ≥ 6) = 1e-3 · 2341e-8.
    let add = rep.other_formula.exact.unwrap().failure.unwrap();
    assert_eq!(r(&add.stage1) - r(&ef.stage1), r("2341/100000000000"));
    assert!(
        rel(
            to_f64(&r(&add.stage1)),
            rep.other_formula.failure.unwrap().stage1
        ) < 1e-12
    );
}

#[test]
fn report_json_contract() {
    let rep = BaseModel::default().report(None).unwrap();
    let v = serde_json::to_value(&rep).unwrap();
    assert_eq!(v["formula"], "union");
    assert_eq!(v["horizon"], "1y");
    assert_eq!(v["council_override"]["stage0"].as_f64().unwrap(), 0.002728);
    assert!(
        rel(
            v["council_override"]["stage1"].as_f64().unwrap(),
            0.00002341
        ) < 1e-13
    );
    assert_eq!(v["exact"]["crossovers"]["stage0_stage1"], "53/746");
    assert_eq!(v["exact"]["crossovers"]["stage1_stage2"], "2341/96193162");
    assert_eq!(v["other_formula"]["formula"], "additive");
    assert_eq!(
        v["other_formula"]["exact"]["crossovers"]["stage0_stage1"],
        "270459/3809179"
    );
    assert!(v.get("failure").is_none());
    assert!(v.get("optimal_stage").is_none());
    // A crossover outside [0, 1] is null: a 1-of-1 "council" with q = 0.1
    // (F0 = 0.1 flat) meets the 6-of-8 line at (0.1 − 2341e-8)/0.03806838
    // ≈ 2.63 > 1, so Stage 1 is better for every proof system.
    let one_signer = BaseModel {
        stage0: l2stage_risk::CouncilShape::new(1, 1).unwrap(),
        ..BaseModel::default()
    };
    let v = serde_json::to_value(one_signer.report(None).unwrap()).unwrap();
    assert!(v["crossovers"]["stage0_stage1"].is_null());
    assert!(v["exact"]["crossovers"]["stage0_stage1"].is_null());
    assert_eq!(v["exact"]["crossovers"]["stage1_stage2"], "2341/96193162");
}
