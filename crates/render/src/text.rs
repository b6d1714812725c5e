//! A terminal checklist. Colours are written as ANSI codes; the caller's
//! stream strips them when stdout is not a terminal.

use std::fmt::Write;

use owo_colors::OwoColorize;

use l2stage_framework::{Stage, Status, Verdict};
use l2stage_governance::Rating;

use crate::Assessment;

mod labels;

use labels::labels;
pub(crate) use labels::proof_system_facts;

/// Width used when none is given (and when stdout is not a terminal).
pub const DEFAULT_WIDTH: usize = 100;

/// How the checklist is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Also print the arithmetic behind every path, the councils' set-up
    /// and the time to exit (`--explain`).
    pub explain: bool,
    /// Wrap lines to this many columns (at least 40 are used).
    pub width: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            explain: false,
            width: DEFAULT_WIDTH,
        }
    }
}

pub fn render(assessments: &[Assessment]) -> String {
    render_with(assessments, Options::default())
}

/// `explain`: also print every governance finding with its path and arithmetic.
pub fn render_opts(assessments: &[Assessment], explain: bool) -> String {
    render_with(
        assessments,
        Options {
            explain,
            ..Options::default()
        },
    )
}

/// The checklist of every assessment, wrapped to `opts.width` columns.
pub fn render_with(assessments: &[Assessment], opts: Options) -> String {
    let opts = Options {
        width: opts.width.max(40),
        ..opts
    };
    let verdicts: Vec<&Verdict> = assessments.iter().map(|a| &a.verdict).collect();
    let verdicts = verdicts.as_slice();
    let mut out = String::new();
    let many = assessments.len() > 1;
    for (i, a) in assessments.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // Archived projects come last (see `l2stage_assess::live_first`),
        // under their own heading when listed with live ones.
        let first_archived = a.verdict.archived.is_some()
            && (i == 0 || assessments[i - 1].verdict.archived.is_none());
        if many && first_archived {
            let _ = writeln!(out, "{}\n", "Archived projects".bold().underline());
        }
        let w = Writer { width: opts.width };
        header(&mut out, &w, a);
        let paths = exit_facts(&mut out, &w, a, opts.explain);
        verdict(&mut out, &w, &a.verdict, &paths);
        governance(&mut out, &w, a, opts.explain);
        labels(&mut out, &w, &a.labels);
    }
    if verdicts.len() > 1 {
        out.push('\n');
        summary(&mut out, verdicts);
    }
    out
}

/// Visible width of a string: characters, not counting ANSI escapes.
pub fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ ... final byte in @..~
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) && d != '[' {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// Break plain text into lines of at most `first` columns (the first line)
/// and `rest` columns (the others), at spaces; a word longer than a line
/// (a URL) is cut.
pub fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut col = 0;
    let avail = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(10);
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let room = avail(&lines);
            let sep = usize::from(col > 0);
            let len = visible_width(&word.iter().collect::<String>());
            if col + sep + len <= room {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                col += sep + len;
                break;
            }
            if col > 0 {
                lines.push(std::mem::take(&mut line));
                col = 0;
                continue;
            }
            // The word alone is too long: cut it.
            let head: String = word[..room].iter().collect();
            lines.push(head);
            word.drain(..room);
            if word.is_empty() {
                break;
            }
        }
    }
    if col > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Writes lines with a hanging indent, wrapped to the width.
struct Writer {
    width: usize,
}

impl Writer {
    /// `prefix` (may hold colours) starts the first line; the others start
    /// with `indent` spaces. `style` colours each line's text.
    fn para(
        &self,
        out: &mut String,
        prefix: &str,
        indent: usize,
        text: &str,
        style: impl Fn(&str) -> String,
    ) {
        // Every string from input (names, reasons, evidence, actors...) is
        // escaped: the output reaches terminals.
        let text = l2stage_model::text::escape(text);
        self.para_styled(out, prefix, indent, &text, style);
    }

    /// [`Writer::para`] for text the renderer built itself, which may hold
    /// its own colour codes: not escaped (escaping would print the codes
    /// as `\x1b[32m`).
    fn para_styled(
        &self,
        out: &mut String,
        prefix: &str,
        indent: usize,
        text: &str,
        style: impl Fn(&str) -> String,
    ) {
        let first = self.width.saturating_sub(visible_width(prefix));
        let rest = self.width.saturating_sub(indent);
        for (i, l) in wrap(text, first, rest).iter().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "{prefix}{}", style(l));
            } else {
                let _ = writeln!(out, "{:indent$}{}", "", style(l));
            }
        }
    }

    /// Items joined by " · ", broken between items (an item longer than
    /// a line is wrapped on its own). The items are the renderer's own
    /// text (titles, coloured levels), written unescaped.
    fn items(&self, out: &mut String, prefix: &str, indent: usize, items: &[String]) {
        let mut line = String::new();
        let mut lines: Vec<String> = Vec::new();
        for item in items {
            let room = if lines.is_empty() {
                self.width.saturating_sub(visible_width(prefix))
            } else {
                self.width.saturating_sub(indent)
            };
            let candidate = if line.is_empty() {
                item.clone()
            } else {
                format!("{line} · {item}")
            };
            if line.is_empty() || visible_width(&candidate) <= room {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = item.clone();
            }
        }
        lines.push(line);
        for (i, l) in lines.iter().enumerate() {
            let p = if i == 0 {
                prefix.to_string()
            } else {
                " ".repeat(indent)
            };
            self.para_styled(out, &p, indent, l, |s| s.to_string());
        }
    }

    fn plain(&self, out: &mut String, prefix: &str, indent: usize, text: &str) {
        self.para(out, prefix, indent, text, |s| s.to_string());
    }
}

fn stage_colored(stage: Stage) -> String {
    let label = stage.label();
    match stage {
        Stage::NotStage0 => label.red().bold().to_string(),
        Stage::Stage0 => label.yellow().bold().to_string(),
        Stage::Stage1 => label.green().bold().to_string(),
        Stage::Stage2 => label.bright_green().bold().to_string(),
        Stage::UnderReview => label.blue().bold().to_string(),
    }
}

fn mark(status: Status) -> String {
    match status {
        Status::Met => "✓".green().to_string(),
        Status::Unmet => "✗".red().to_string(),
        Status::UnderReview => "…".blue().to_string(),
        Status::NotApplicable => "–".dimmed().to_string(),
        Status::Unknown => "?".yellow().to_string(),
    }
}

fn header(out: &mut String, w: &Writer, a: &Assessment) {
    let v = &a.verdict;
    let title = format!(
        "{} ({}) · {} · framework {} · as of {}{}",
        v.name,
        v.id,
        v.kind.as_str(),
        v.framework,
        v.as_of,
        v.archived
            .map(|d| format!(" · archived {d}"))
            .unwrap_or_default()
    );
    w.para(out, "", 2, &title, |s| s.bold().to_string());
    let _ = writeln!(out, "  {}", stage_colored(v.stage));
    if !v.others_reasons.is_empty() {
        let codes: Vec<String> = v
            .others_reasons
            .iter()
            .map(|r| format!("{} ({})", r.code(), r.label()))
            .collect();
        w.plain(
            out,
            &format!("  {} ", "Others:".red()),
            4,
            &codes.join(", "),
        );
    }
    if let Some(ew) = &a.exit_window {
        let text = format!(
            "{} ({}) via {}{}",
            window_text(ew.seconds),
            ew.rating.as_str(),
            ew.path.join(" → "),
            if ew.council_can_upgrade_instantly {
                "; the Security Council can upgrade instantly"
            } else {
                ""
            }
        );
        w.plain(out, &format!("  {} ", "Exit window:".bold()), 4, &text);
    }
    let rs = &a.risk_summary;
    let levels: Vec<String> = rs
        .entries()
        .iter()
        .map(|(_, title, v)| format!("{title} {}", level_colored(v.level)))
        .collect();
    w.items(out, &format!("  {} ", "Risks:".bold()), 4, &levels);
}

fn level_colored(l: l2stage_assess::risk_summary::Level) -> String {
    use l2stage_assess::risk_summary::Level;
    match l {
        Level::Good => "good".green().to_string(),
        Level::Warning => "warning".yellow().to_string(),
        Level::Bad => "bad".red().to_string(),
        Level::Unknown => "unknown".dimmed().to_string(),
    }
}

/// Upgrade paths cited by the requirements, printed once as numbered exit
/// facts (`P1`, `P2`, …); the arithmetic only with `explain`. Returns each
/// path's evidence line with its label, for the requirements to refer to.
fn exit_facts(
    out: &mut String,
    w: &Writer,
    a: &Assessment,
    explain: bool,
) -> Vec<(String, String)> {
    let Some(g) = a.governance.as_ref() else {
        return Vec::new();
    };
    let cited: Vec<&l2stage_governance::Finding> = g
        .findings
        .iter()
        .filter(|f| {
            let line = l2stage_governance::evidence_line(f);
            a.verdict
                .requirements
                .iter()
                .any(|r| r.evidence.contains(&line))
        })
        .collect();
    if cited.is_empty() && !explain {
        return Vec::new();
    }
    let _ = writeln!(out, "\n  {}", "Exit facts".underline());
    w.plain(
        out,
        "    ",
        6,
        &format!(
            "Time to exit when the operators are hostile: {}",
            match g.exit_time_seconds {
                Some(s) => crate::format::duration(s as i64),
                None => "users cannot exit without them".into(),
            }
        ),
    );
    if explain {
        w.para(out, "      ", 6, &g.exit_time_arithmetic, |s| {
            s.dimmed().to_string()
        });
    }
    let shown: Vec<&l2stage_governance::Finding> = if explain {
        g.findings.iter().collect()
    } else {
        cited
    };
    let mut labels = Vec::new();
    for (i, f) in shown.iter().enumerate() {
        let label = format!("P{}", i + 1);
        let who = if f.council_controlled {
            " [needs ≥75% of the council]"
        } else {
            ""
        };
        let bug = if f.bug_conditioned {
            " [on-chain bug only]"
        } else {
            ""
        };
        w.plain(
            out,
            &format!("    {label:<3} "),
            8,
            &format!("{} — {}{who}{bug}", f.power, f.coalition),
        );
        w.para(
            out,
            "        ",
            10,
            &format!("via {}", f.path.join(" → ")),
            |s| s.dimmed().to_string(),
        );
        let window = match f.rating {
            Rating::None => format!("exit window {}", window_words(f.exit_window_seconds)),
            r => format!(
                "exit window {} ({})",
                window_words(f.exit_window_seconds),
                r.as_str()
            ),
        };
        w.para(out, "        ", 10, &window, |s| {
            rating_colored(f.rating, s)
        });
        if explain {
            w.para(out, "        ", 10, &f.arithmetic, |s| {
                s.dimmed().to_string()
            });
        }
        labels.push((l2stage_governance::evidence_line(f), label));
    }
    labels
}

fn verdict(out: &mut String, w: &Writer, v: &Verdict, paths: &[(String, String)]) {
    // URLs cited by more than one requirement are listed once, numbered.
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &v.requirements {
        for e in &r.evidence {
            if e.starts_with("http") {
                *counts.entry(e.as_str()).or_default() += 1;
            }
        }
    }
    let mut shared: Vec<&str> = Vec::new();
    for r in &v.requirements {
        for e in &r.evidence {
            if counts.get(e.as_str()).is_some_and(|n| *n > 1) && !shared.contains(&e.as_str()) {
                shared.push(e);
            }
        }
    }
    for stage in 0..=2u8 {
        let reqs: Vec<_> = v.requirements.iter().filter(|r| r.stage == stage).collect();
        if reqs.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n  {}",
            format!("Stage {stage} requirements").underline()
        );
        for r in reqs {
            let text = format!("{} ({}) — {}", r.id.as_str(), r.status.as_str(), r.reason);
            w.plain(out, &format!("    {} ", mark(r.status)), 6, &text);
            let mut refs = Vec::new();
            let mut sources = Vec::new();
            for e in &r.evidence {
                if let Some((_, label)) = paths.iter().find(|(line, _)| line == e) {
                    refs.push(label.clone());
                } else if let Some(n) = shared.iter().position(|s| s == e) {
                    sources.push(format!("[{}]", n + 1));
                } else {
                    w.para(out, "      ↳ ", 8, e, |s| s.dimmed().to_string());
                }
            }
            if !refs.is_empty() {
                w.para(
                    out,
                    "      ",
                    8,
                    &format!("↳ exit facts {}", refs.join(", ")),
                    |s| s.dimmed().to_string(),
                );
            }
            if !sources.is_empty() {
                w.para(
                    out,
                    "      ",
                    8,
                    &format!("↳ sources {}", sources.join(" ")),
                    |s| s.dimmed().to_string(),
                );
            }
        }
    }
    if !shared.is_empty() {
        let _ = writeln!(out, "\n  {}", "Sources".underline());
        for (i, s) in shared.iter().enumerate() {
            let label = format!("[{}]", i + 1);
            w.para(out, &format!("    {label:<4} "), 9, s, |s| {
                s.dimmed().to_string()
            });
        }
    }
    if let Some(m) = &v.missing {
        let ids: Vec<&str> = m.requirements.iter().map(|r| r.as_str()).collect();
        w.plain(
            out,
            &format!("\n  {} ", "Missing for".bold()),
            4,
            &format!("{}: {}", m.next_stage.label(), ids.join(", ")),
        );
    }
    if let Some(d) = &v.downgrade_pending {
        let _ = writeln!(
            out,
            "\n  {} to {} on {}",
            "Downgrade pending:".yellow().bold(),
            d.to_stage.label(),
            d.deadline
        );
        for r in &d.reasons {
            w.plain(out, "    - ", 6, r);
        }
    }
    if !v.warnings.is_empty() {
        let _ = writeln!(out, "\n  {}", "Warnings".yellow().bold());
        for warning in &v.warnings {
            w.plain(out, "    ! ", 6, warning);
        }
    }
}

fn summary(out: &mut String, verdicts: &[&Verdict]) {
    let _ = writeln!(out, "{}", "Summary".bold().underline());
    let width = verdicts.iter().map(|v| v.id.len()).max().unwrap_or(0);
    for (i, v) in verdicts.iter().enumerate() {
        if v.archived.is_some() && (i == 0 || verdicts[i - 1].archived.is_none()) {
            let _ = writeln!(out, "  {}", "Archived".dimmed());
        }
        let _ = writeln!(
            out,
            "  {:<width$}  {}{}{}",
            l2stage_model::text::escape(v.id.as_str()),
            stage_colored(v.stage),
            v.archived
                .map(|d| format!(" (archived {d})"))
                .unwrap_or_default(),
            if v.others_reasons.is_empty() {
                String::new()
            } else {
                let codes: Vec<&str> = v.others_reasons.iter().map(|r| r.code()).collect();
                format!(" [{}]", codes.join(", "))
            },
            width = width
        );
    }
}

fn rating_colored(r: Rating, text: &str) -> String {
    match r {
        Rating::None => text.red().bold().to_string(),
        Rating::Red => text.red().to_string(),
        Rating::Yellow => text.yellow().to_string(),
        Rating::Green => text.green().to_string(),
    }
}

fn window_text(seconds: Option<i64>) -> String {
    match seconds {
        Some(s) if s > 0 => crate::format::duration(s),
        _ => "none".into(),
    }
}

/// An exit window in words, never negative.
fn window_words(seconds: Option<i64>) -> String {
    match seconds {
        Some(s) if s > 0 => crate::format::duration(s),
        Some(0) => "none: an upgrade takes effect as users could finish exiting".into(),
        Some(s) => format!(
            "none: an upgrade can take effect {} before users could exit",
            crate::format::duration(-s)
        ),
        None => "none: users cannot exit without the operators".into(),
    }
}

/// With `explain`: the councils' set-up and the derived requirements.
fn governance(out: &mut String, w: &Writer, a: &Assessment, explain: bool) {
    let Some(g) = a.governance.as_ref().filter(|_| explain) else {
        return;
    };
    let _ = writeln!(out, "\n  {}", "Governance analysis".underline());
    for c in &g.councils {
        let verdict = if c.properly_set_up {
            "properly set up".green().to_string()
        } else {
            "not properly set up".red().to_string()
        };
        w.plain(
            out,
            "    Council ",
            6,
            &format!("{}: {verdict}", c.summary()),
        );
        for f in &c.failures {
            w.plain(out, "      - ", 8, f);
        }
    }
    for id in g.derived.keys() {
        if let Some(r) = a.verdict.requirement(*id) {
            w.plain(
                out,
                &format!("    {} ", mark(r.status)),
                6,
                &format!("{id}: {}", r.reason),
            );
        }
    }
}
