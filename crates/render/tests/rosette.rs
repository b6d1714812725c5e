//! The risk summary's rosette: five petals coloured by level, escaped,
//! deterministic (docs/json-output.md).

use std::path::Path;

use l2stage_assess::{Assessment, Context, assess};
use l2stage_framework::Selection;
use l2stage_model::load_path;
use l2stage_render::rosette::rosette_svg;

fn assess_on(id: &str, day: &str) -> Assessment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../catalog")
        .join(format!("{id}.toml"));
    let p = load_path(&path).unwrap_or_else(|e| panic!("{e}"));
    assess(
        &p,
        &Context::new(Selection {
            framework: None,
            as_of: day.parse().unwrap(),
        }),
    )
    .unwrap()
}

#[test]
fn rosette_is_deterministic_escaped_and_coloured() {
    let mut a = assess_on("linea", "2025-09-01");
    a.risk_summary.exit_window.text = "<script>&\"x\"".into();
    let svg = rosette_svg(&a.risk_summary, 300);
    assert_eq!(svg, rosette_svg(&a.risk_summary, 300));
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<path class=\"petal ").count(), 5);
    assert_eq!(svg.matches("class=\"petal bad\"").count(), 2);
    assert_eq!(svg.matches("class=\"petal good\"").count(), 3);
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;&amp;&quot;x&quot;"));
    for t in [
        "State validation",
        "Data availability",
        "Exit window",
        "Sequencer failure",
        "Proposer failure",
    ] {
        assert!(svg.contains(&format!(">{t}</text>")), "{t}");
    }
}
