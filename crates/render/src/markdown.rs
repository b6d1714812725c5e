//! A report a researcher can paste into a forum post.

use std::fmt::Write;

use l2stage_framework::{Status, Verdict};

use crate::Assessment;

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Met => "✅ met",
        Status::Unmet => "❌ unmet",
        Status::UnderReview => "🔍 under review",
        Status::NotApplicable => "➖ not applicable",
        Status::Unknown => "❔ unknown",
    }
}

/// Links numbered from 1 in order of first use across the document, each
/// URL once; printed as reference definitions at the end.
#[derive(Default)]
struct Links(Vec<String>);

impl Links {
    fn number(&mut self, url: &str) -> usize {
        match self.0.iter().position(|u| u == url) {
            Some(i) => i + 1,
            None => {
                self.0.push(url.to_string());
                self.0.len()
            }
        }
    }

    fn definitions(&self, out: &mut String) {
        if self.0.is_empty() {
            return;
        }
        out.push('\n');
        for (i, u) in self.0.iter().enumerate() {
            let _ = writeln!(out, "[{}]: <{}>", i + 1, u.replace('>', "%3E"));
        }
    }
}

fn is_url(e: &str) -> bool {
    e.starts_with("http://") || e.starts_with("https://")
}

/// A requirement's evidence: URLs as numbered links; with `full`, other
/// evidence (paths, council arithmetic) as text.
fn evidence(items: &[String], links: &mut Links, full: bool) -> String {
    items
        .iter()
        .filter(|e| full || is_url(e))
        .map(|e| {
            if is_url(e) {
                format!("[{}]", links.number(e))
            } else {
                cell(e)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// At most `max` characters, cut at a word with "…".
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// L2BEAT's reason codes for "Others", e.g. ` (NO_PROOFS, CLOSED_PROOFS)`.
fn others(v: &Verdict) -> String {
    if v.others_reasons.is_empty() {
        return String::new();
    }
    let codes: Vec<String> = v
        .others_reasons
        .iter()
        .map(|r| format!("`{}`", r.code()))
        .collect();
    format!(" ({})", codes.join(", "))
}

/// The summary a reader can paste (a few KB a project): [`render_with`]
/// without `full`.
pub fn render(assessments: &[Assessment]) -> String {
    render_with(assessments, false)
}

/// `full`: every reason in full, every piece of evidence (paths and
/// council arithmetic too), every warning. Without it: reasons cut to a
/// line, URL evidence only, warnings counted.
pub fn render_with(assessments: &[Assessment], full: bool) -> String {
    let mut links = Links::default();
    let verdicts: Vec<&Verdict> = assessments.iter().map(|a| &a.verdict).collect();
    let verdicts = verdicts.as_slice();
    let mut out = String::new();
    if verdicts.len() > 1 {
        let _ = writeln!(
            out,
            "| Project | Kind | Stage | Framework | As of | Archived |\n|---|---|---|---|---|---|"
        );
        for v in verdicts {
            let _ = writeln!(
                out,
                "| {} | {} | **{}**{} | {} | {} | {} |",
                cell(&v.name),
                v.kind.as_str(),
                v.stage.label(),
                others(v),
                v.framework,
                v.as_of,
                v.archived.map(|d| d.to_string()).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    for (a, v) in assessments.iter().zip(verdicts) {
        let _ = writeln!(out, "## {} — {}\n", cell(&v.name), v.stage.label());
        let _ = writeln!(
            out,
            "`{}` · {} · Stages Framework revision {} · as of {}{}\n",
            v.id,
            v.kind.noun(),
            v.framework,
            v.as_of,
            v.archived
                .map(|d| format!(" · archived {d}"))
                .unwrap_or_default()
        );
        if !v.others_reasons.is_empty() {
            let _ = writeln!(out, "**Others:**{}\n", others(v));
        }
        if let Some(w) = &a.exit_window {
            let window = match w.seconds {
                Some(s) if s > 0 => crate::format::duration(s),
                _ => "none".into(),
            };
            let _ = writeln!(
                out,
                "**Exit window:** {window} ({}){}\n",
                w.rating.as_str(),
                if w.council_can_upgrade_instantly {
                    "; the Security Council can upgrade instantly"
                } else {
                    ""
                }
            );
        }
        let risks: Vec<String> = a
            .risk_summary
            .entries()
            .iter()
            .map(|(_, title, r)| format!("{title} {}", level_label(r.level)))
            .collect();
        let _ = writeln!(out, "**Risks:** {}\n", risks.join(" · "));
        let _ = writeln!(
            out,
            "| Stage | Requirement | Status | Reason | Evidence |\n|---|---|---|---|---|"
        );
        for r in &v.requirements {
            let reason = if full {
                r.reason.clone()
            } else {
                short(&r.reason, 110)
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                r.stage,
                r.id.as_str(),
                status_label(r.status),
                cell(&reason),
                evidence(&r.evidence, &mut links, full)
            );
        }
        out.push('\n');
        if let Some(m) = &v.missing {
            let ids: Vec<String> = m.requirements.iter().map(|r| format!("`{r}`")).collect();
            let _ = writeln!(
                out,
                "**Missing for {}:** {}\n",
                m.next_stage.label(),
                ids.join(", ")
            );
        }
        if let Some(d) = &v.downgrade_pending {
            let _ = writeln!(
                out,
                "**Downgrade pending** to {} on {}:\n",
                d.to_stage.label(),
                d.deadline
            );
            for r in &d.reasons {
                let _ = writeln!(out, "- {}", r.replace('\n', " "));
            }
            out.push('\n');
        }
        if !v.warnings.is_empty() && !full {
            let _ = writeln!(
                out,
                "**Warnings:** {} (`--full` lists them)\n",
                v.warnings.len()
            );
        } else if !v.warnings.is_empty() {
            let _ = writeln!(out, "**Warnings:**\n");
            for w in &v.warnings {
                let _ = writeln!(out, "- {}", w.replace('\n', " "));
            }
            out.push('\n');
        }
        labels(&mut out, &a.labels, full);
    }
    links.definitions(&mut out);
    // Markdown has no colours: every control character from input is
    // escaped at once (the output often reaches a terminal).
    l2stage_model::text::escape_text(&out).into_owned()
}

fn level_label(l: l2stage_assess::risk_summary::Level) -> &'static str {
    use l2stage_assess::risk_summary::Level;
    match l {
        Level::Good => "🟢 good",
        Level::Warning => "🟡 warning",
        Level::Bad => "🔴 bad",
        Level::Unknown => "⚪ unknown",
    }
}

/// The labels beside the stage: BattleTested and each proof system's maturity.
fn labels(out: &mut String, l: &l2stage_labels::Labels, full: bool) {
    use l2stage_labels::LabelStatus;
    let b = &l.battle_tested;
    let status = match b.status {
        LabelStatus::Met => "✅ met",
        LabelStatus::Unmet => "❌ unmet",
        LabelStatus::Unknown => "❔ unknown",
    };
    let when = match (b.since, b.earliest) {
        (Some(s), _) => format!(" since {s}"),
        (None, Some(e)) => format!(", earliest {e} if nothing changes"),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "**BattleTested:** {status}{when}\n");
    if full {
        for m in &b.missing {
            let _ = writeln!(out, "- {}", m.replace('\n', " "));
        }
        if !b.missing.is_empty() {
            out.push('\n');
        }
    }
    if l.proof_systems.is_empty() {
        let _ = writeln!(out, "**Proof systems:** none in use on this day\n");
    } else {
        let _ = writeln!(
            out,
            "**Proof systems:**\n\n| Proof system | Rating | Facts | Missing for the next rating |\n|---|---|---|---|"
        );
        for p in &l.proof_systems {
            let mut missing: Vec<String> = p.missing_for_next.clone();
            missing.extend(p.shares_with.iter().map(|s| {
                format!(
                    "shares `{}` with {}",
                    s.component,
                    s.proof_systems.join(", ")
                )
            }));
            let _ = writeln!(
                out,
                "| {} (`{}`) | **{}** | {} | {} |",
                cell(&p.name),
                p.id,
                p.rating.as_str(),
                cell(&if full {
                    crate::text::proof_system_facts(p).join(" · ")
                } else {
                    short(&crate::text::proof_system_facts(p).join(" · "), 200)
                }),
                cell(&if full {
                    missing.join("; ")
                } else {
                    short(&missing.join("; "), 200)
                })
            );
        }
        out.push('\n');
    }
    if !full {
        return;
    }
    for n in &l.notes {
        let _ = writeln!(out, "- {}", n.replace('\n', " "));
    }
    if !l.notes.is_empty() {
        out.push('\n');
    }
}
