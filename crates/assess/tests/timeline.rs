//! The stage timeline: revisions coming into force, grace deadlines and a
//! project's own dated history change the stage on the right days.

use l2stage_assess::{CauseKind, timeline};
use l2stage_framework::Stage;
use l2stage_model::{Date, Format, ProjectFile, parse_str};

const GRACE: &str = r#"
[project]
id = "grace-demo"
name = "Grace Demo"
kind = "optimistic"
links.node_source = "https://example.org/node"

[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = "met"
five-external-challengers = "met"
exit-without-operators = "met"
seven-day-exit-window = "met"
council-properly-set-up = "met"
principle = { status = "unmet", reason = "A team multisig can replace the verifier instantly." }
"#;

fn day(s: &str) -> Date {
    s.parse().expect("test date")
}

fn parse(src: &str) -> ProjectFile {
    parse_str("test.toml", src, Format::Toml).expect("valid test project")
}

#[test]
fn timeline_shows_revisions_and_grace_deadlines() {
    let p = parse(GRACE);
    let principle_rev = l2stage_framework::revision::by_id("2025-01")
        .expect("revision 2025-01")
        .in_force
        .to_string();
    let t = timeline(&p, day("2025-12-31")).expect("timeline");
    let got: Vec<(String, Stage, Option<String>, Vec<CauseKind>)> = t
        .iter()
        .map(|e| {
            (
                e.date.to_string(),
                e.stage,
                e.downgrade_pending.map(|d| d.to_string()),
                e.causes.iter().map(|c| c.kind).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2023-06-01".to_string(),
                Stage::Stage1,
                None,
                vec![CauseKind::Start]
            ),
            (
                principle_rev.clone(),
                Stage::Stage1,
                Some("2025-07-29".to_string()),
                vec![CauseKind::FrameworkRevision]
            ),
            (
                "2025-07-29".to_string(),
                Stage::Stage0,
                None,
                vec![CauseKind::GraceDeadline]
            ),
        ]
    );
    assert_eq!(t[0].until, t.get(1).map(|e| e.date));
    assert_eq!(t[2].until, None);
    // Before the framework existed there is nothing to show.
    assert!(
        timeline(&p, day("2020-01-01"))
            .expect("timeline")
            .is_empty()
    );
}

#[test]
fn timeline_follows_the_projects_own_history() {
    let src = format!(
        "{GRACE}\n[[history]]\ndate = 2024-03-01\nsummary = \"Fraud proofs switched off\"\nrequirements.proof-system = \"unmet\"\n\n[[history]]\ndate = 2024-05-01\nsummary = \"Fraud proofs back\"\nrequirements.proof-system = \"met\"\n"
    );
    let t = timeline(&parse(&src), day("2024-12-31")).expect("timeline");
    let got: Vec<(String, Stage, Vec<CauseKind>, Vec<String>)> = t
        .iter()
        .map(|e| {
            (
                e.date.to_string(),
                e.stage,
                e.causes.iter().map(|c| c.kind).collect(),
                e.causes.iter().map(|c| c.detail.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[1].0, "2024-03-01");
    assert_eq!(got[1].1, Stage::Stage0);
    assert_eq!(got[1].2, [CauseKind::ProjectHistory]);
    assert_eq!(got[1].3, ["Fraud proofs switched off"]);
    assert_eq!(got[2].0, "2024-05-01");
    assert_eq!(got[2].1, Stage::Stage1);
}

/// The timeline decides each day without labels or risk summary; on every
/// day it lists, the full assessment gives the same stage and pending
/// downgrade, for every catalog project.
#[test]
fn timeline_agrees_with_the_full_assessment_on_every_catalog_project() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../catalog");
    let catalog = l2stage_assess::catalog::load_catalog(&dir).expect("catalog");
    let until = day("2026-12-01");
    let mut entries = 0;
    for f in &catalog.files {
        for e in timeline(&f.project, until).expect("timeline") {
            let ctx = l2stage_assess::Context::on(e.date).with_labels(&f.labels);
            let a = l2stage_assess::assess(&f.project, &ctx).expect("assess");
            let id = &f.project.project.id;
            assert_eq!(a.verdict.stage, e.stage, "{id} on {}", e.date);
            assert_eq!(a.verdict.framework, e.framework, "{id} on {}", e.date);
            assert_eq!(
                a.verdict.downgrade_pending.map(|d| d.deadline),
                e.downgrade_pending,
                "{id} on {}",
                e.date
            );
            entries += 1;
        }
    }
    assert!(entries > catalog.files.len(), "{entries} entries");
}
