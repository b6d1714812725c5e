//! A project's Security Council under the stage-risk model: found in the
//! governance structure in force on a day, as a `K/N` shape or an exact
//! nested model, and the chart, note and crossovers its page shows (the
//! same numbers `/risk?project=ID` prints).

use l2stage_model::{Date, ProjectFile};
use l2stage_render::chart::{ChartOptions, stage_chart_svg, stage_chart_with_stage1_svg};
use l2stage_render::format::probability as num;
// One home for finding and shaping the council: the CLI's
// `risk --project` and these pages read it from the same functions.
pub(super) use l2stage_render::risk_input::{council_shape, nested_council, security_council};
use l2stage_risk::project::NestedCouncil;
use l2stage_risk::report::RiskParams;
use l2stage_risk::stages::Crossovers;
use l2stage_risk::{BaseModel, Line, StageLines};

use crate::risk::{MAX_COUNCIL_MEMBERS, bounded_report};

/// The crossovers as the pages print them (`/risk` and a project's page
/// use this one function, so their numbers agree).
pub fn crossover_items(c: &Crossovers<f64>) -> Vec<(String, String)> {
    let show = |x: Option<f64>| {
        x.map(|x| format!("p = {}", num(x)))
            .unwrap_or_else(|| "none in [0, 1]".into())
    };
    vec![
        ("Stage 0 = Stage 1".into(), show(c.stage0_stage1)),
        ("Stage 1 = Stage 2".into(), show(c.stage1_stage2)),
    ]
}

/// The chart of a nested council drawn exactly, and its note.
fn nested_chart(
    nested: &NestedCouncil,
    line: &Line<f64>,
    model: &BaseModel,
) -> (Option<String>, String) {
    let structure = nested.root.describe();
    let label = format!("Stage 1 ({structure})");
    match stage_chart_with_stage1_svg(model, line, &label, &ChartOptions::default()) {
        Ok(svg) => {
            let mut note = format!(
                "Loss probability of each stage against the proof system's failure probability p, with this project's Security Council as the Stage 1 council: nested Safes, {structure} (a Safe of Safes signs when that many of its signers do; K/N is a Safe of keys), assessed exactly, Safe by Safe, as l2stage risk --project does. The post's other assumptions: each key breaks with q = 0.1, keys of one entity together and entities independently; Stage 0 council 4/7; union formula."
            );
            for e in nested.shared_entities() {
                note += &format!(
                    " {e} signs in several of its Safes and breaks in all of them at once."
                );
            }
            (Some(svg), note)
        }
        Err(e) => (None, format!("The chart could not be drawn: {e}")),
    }
}

/// What a project's page shows of its council's risk, computed once per
/// view: the chart, its note, the crossovers printed under it (the same
/// numbers `/risk?project=ID&as_of=DAY` prints), and whether `/risk` can
/// take the council (`/risk?project=` when so).
pub struct ProjectRisk {
    pub svg: Option<String>,
    pub note: String,
    pub crossovers: Vec<(String, String)>,
    pub has_council: bool,
}

/// The risk chart for a project's council and what goes with it: a nested
/// council exactly (as `l2stage risk --project` assesses it, its joint
/// model built once for chart and crossovers), any other as its `K/N`
/// shape over entities.
pub fn project_risk(project: &ProjectFile, as_of: Date) -> ProjectRisk {
    let shape = council_shape(project, as_of);
    let has_council = shape.is_some();
    let Some((gov, actor)) = security_council(project, as_of) else {
        return ProjectRisk {
            svg: None,
            note: no_council(as_of),
            crossovers: Vec::new(),
            has_council,
        };
    };
    // The post's assumptions: q = 0.1 per key, Stage 0 council 4/7, union.
    let model = BaseModel::default();
    if let Some((nested, line)) = nested_council(gov, actor, &model) {
        let (svg, note) = nested_chart(&nested, &line, &model);
        let crossovers = model
            .council(model.stage0)
            .map(|c| {
                let lines = StageLines {
                    stage0: c.tails().line(model.stage0, model.formula),
                    stage1: line,
                    stage2: Line::proof_only(),
                };
                crossover_items(&lines.crossovers())
            })
            .unwrap_or_default();
        return ProjectRisk {
            svg,
            note,
            crossovers,
            has_council,
        };
    }
    let Some((_, shape, nested)) = shape else {
        return ProjectRisk {
            svg: None,
            note: no_council(as_of),
            crossovers: Vec::new(),
            has_council,
        };
    };
    let model = BaseModel {
        stage1: shape,
        ..model
    };
    let crossovers = if shape.n() > MAX_COUNCIL_MEMBERS {
        Vec::new()
    } else {
        bounded_report(&RiskParams {
            model: model.clone(),
            proof_failure: None,
        })
        .map(|r| crossover_items(&r.analysis.crossovers))
        .unwrap_or_default()
    };
    let (svg, note) = match stage_chart_svg(&model, &ChartOptions::default()) {
        Ok(svg) => (
            Some(svg),
            format!(
                "Loss probability of each stage against the proof system's failure probability p, with this project's {shape} Security Council (counted per entity) as the Stage 1 council and the post's other assumptions (members break independently with q = 0.1; Stage 0 council 4/7).{}",
                if nested {
                    " The council spans nested Safes; it is drawn as any of its entities reaching the count, which ignores which Safe each must sign in."
                } else {
                    ""
                }
            ),
        ),
        Err(e) => (None, format!("The chart could not be drawn: {e}")),
    };
    ProjectRisk {
        svg,
        note,
        crossovers,
        has_council,
    }
}

/// The chart and its note alone.
#[cfg(test)]
fn project_chart(project: &ProjectFile, as_of: Date) -> (Option<String>, String) {
    let r = project_risk(project, as_of);
    (r.svg, r.note)
}

pub(super) fn no_council(as_of: Date) -> String {
    format!(
        "No chart: the project file does not describe a Security Council in force on {as_of} (a [governance] multisig with security_council = true)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(id: &str) -> ProjectFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../catalog")
            .join(format!("{id}.toml"));
        match l2stage_model::load_path(&path) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// Base's 2025 structure (three Safes), kept as a fixture since the
    /// catalog file describes Base after it left the Superchain.
    fn base_2025() -> ProjectFile {
        fixture("base-2025.toml")
    }

    /// A 2025 structure kept as a test fixture (fixtures/).
    fn fixture(file: &str) -> ProjectFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(file);
        match l2stage_model::load_path(&path) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_chart_uses_the_council_in_force_counted_per_entity() {
        // Base: 9 of 12 entities across nested Safes (docs.base.org).
        let (id, shape, nested) = council_shape(&base_2025(), day("2025-09-01")).unwrap();
        assert_eq!(
            (id.as_str(), shape.to_string(), nested),
            ("base-governance-multisig", "9/12".into(), true)
        );
        // Drawn exactly, Safe by Safe, with the structure named.
        let (svg, note) = project_chart(&base_2025(), day("2025-09-01"));
        let svg = svg.expect("a chart");
        assert!(
            note.contains("nested Safes, 2 of (2 of (7/10, 3/6), 5/7)")
                && note.contains("assessed exactly"),
            "{note}"
        );
        assert!(
            !note.contains("9/12") && !note.contains("ignores which Safe"),
            "{note}"
        );
        assert!(svg.contains("Stage 1 (2 of (2 of (7/10, 3/6), 5/7))"));
        assert!(!svg.contains("9/12 council"));
        // Stage 2 is safer below S / (1 − W) = 5701/49977248782 ≈ 1.14e-7
        // (docs/risk.md, --project).
        assert!(svg.contains("p = 1.14e-7"));
        // Since 2026-03-04: 2 of (Coinbase 3/6, council 8/11), still 9 of
        // 12 entities; before that day the catalog file has no structure.
        let base = catalog("base");
        let (id, shape, nested) = council_shape(&base, day("2026-12-06")).unwrap();
        assert_eq!(
            (id.as_str(), shape.to_string(), nested),
            ("base-governance-multisig", "9/12".into(), true)
        );
        assert!(council_shape(&base, day("2026-03-03")).is_none());
        // Scroll's 9/12 council until it was replaced on 2026-06-01 (the
        // 2025 structure, kept as a fixture).
        let scroll = fixture("scroll-2025.toml");
        let (_, shape, nested) = council_shape(&scroll, day("2026-05-31")).unwrap();
        assert_eq!((shape.to_string(), nested), ("9/12".into(), false));
        assert!(council_shape(&scroll, day("2026-06-01")).is_none());
        let (svg, note) = project_chart(&scroll, day("2026-06-01"));
        assert!(svg.is_none());
        assert!(note.contains("in force on 2026-06-01"), "{note}");
    }

    /// A flagged 2 of (safe-a, T, T): T's two keys beside a nested Safe are
    /// beyond the exact model (as in `l2stage risk --project`).
    fn mixed() -> ProjectFile {
        let src = r#"[project]
id = "nested-rollup"
name = "Nested Rollup"
kind = "optimistic"

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "council"
kind = "multisig"
security_council = true
threshold = 2
members = [{ actor = "safe-a" }, { entity = "T", affiliation = "team" }, { entity = "T", affiliation = "team" }]

[[governance.actors]]
id = "safe-a"
kind = "multisig"
threshold = 2
members = [{ entity = "X" }, { entity = "Y" }, { entity = "Z" }]
"#;
        match l2stage_model::parse_str("mixed.toml", src, l2stage_model::Format::Toml) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_nested_council_beyond_the_exact_model_stays_flattened() {
        let (svg, note) = project_chart(&mixed(), day("2025-09-01"));
        let svg = svg.expect("a chart");
        assert!(
            note.contains("1/4 Security Council") && note.contains("ignores which Safe"),
            "{note}"
        );
        assert!(svg.contains("Stage 1 (1/4 council)"));
    }
}
