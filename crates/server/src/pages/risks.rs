//! L2BEAT's five risk categories as the pages show them: a mark per
//! category (level in words and as a symbol), from the typed
//! [`RiskSummary`] of an assessment.

use l2stage_assess::risk_summary::{Level, RiskSummary};

/// One of the five risk categories, as the pages show it: the level in
/// words and as a symbol (never colour only).
pub struct RiskMark {
    pub title: &'static str,
    pub level: &'static str,
    pub word: &'static str,
    pub symbol: &'static str,
    pub text: String,
}

/// The five categories of a summary, in L2BEAT's order.
pub fn risk_marks(summary: &RiskSummary) -> Vec<RiskMark> {
    summary
        .entries()
        .iter()
        .map(|(_, title, v)| {
            let (word, symbol) = match v.level {
                Level::Good => ("Good", "✓"),
                Level::Warning => ("Warning", "!"),
                Level::Bad => ("Bad", "✕"),
                Level::Unknown => ("Unknown", "?"),
            };
            RiskMark {
                title,
                level: v.level.as_str(),
                word,
                symbol,
                text: v.text.clone(),
            }
        })
        .collect()
}

/// "2 bad, 1 warning" (empty when all five are good).
pub fn risk_count(marks: &[RiskMark]) -> String {
    let n = |l: &str| marks.iter().filter(|m| m.level == l).count();
    [
        ("bad", n("bad")),
        ("warning", n("warning")),
        ("unknown", n("unknown")),
    ]
    .iter()
    .filter(|(_, c)| *c > 0)
    .map(|(l, c)| {
        if *c > 1 && *l == "warning" {
            format!("{c} warnings")
        } else {
            format!("{c} {l}")
        }
    })
    .collect::<Vec<_>>()
    .join(", ")
}
