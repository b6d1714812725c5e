//! SVG charts (plotters, SVG backend only: no font libraries; text is left
//! to the viewer's sans-serif font).
//!
//! * [`stage_chart_svg`]: the post's figure, failure probability of each
//!   stage against the proof-failure probability p, log-log, with the
//!   crossovers marked and the range where each stage is best shaded;
//!   [`stage_chart_with_stage1_svg`] draws it with a given Stage 1 line (a
//!   nested council's, which no `K/N` shape describes).
//! * [`regions_chart_svg`]: which stage is best over the (p, q) plane.
//!
//! Both return the SVG text, so a CLI writes it to a file and a web
//! server can send it as is.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use l2stage_risk::prob::Probability;
use l2stage_risk::stages::{BaseModel, Line, ModelStage, StageLines};
use l2stage_risk::sweep::log_space;
use l2stage_risk::{RiskError, stages::StageRange};

use crate::format::{chart_label, log_tick};

/// Why a chart was not drawn: its model's inputs do not fit, or drawing
/// failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The model could not be computed (the risk crate's message).
    #[error(transparent)]
    Risk(#[from] RiskError),
    /// The drawing backend failed.
    #[error("chart: {0}")]
    Draw(String),
}

/// Shorthand for the results of this module.
pub type Result<T, E = ChartError> = std::result::Result<T, E>;

/// Size and optional marks.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    /// A proof-failure probability to mark ("your p").
    pub proof_failure: Option<f64>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        Self {
            width: 960,
            height: 640,
            proof_failure: None,
        }
    }
}

const STAGE_COLORS: [RGBColor; 3] = [
    RGBColor(200, 40, 40),
    RGBColor(30, 100, 200),
    RGBColor(30, 150, 60),
];
const FONT: &str = "sans-serif";
/// Smallest probability drawn: below it a log axis only adds empty decades.
const FLOOR: f64 = 1e-16;

fn color(stage: ModelStage) -> RGBColor {
    STAGE_COLORS[stage.number() as usize]
}

fn chart_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;
/// A chart with both axes on a log scale.
type LogLogChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>;

/// Draws an SVG of the options' size with `draw` and returns its text.
fn render_svg(opts: &ChartOptions, draw: impl FnOnce(&Root<'_>) -> DrawResult) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (opts.width, opts.height)).into_drawing_area();
        draw(&root).map_err(chart_err)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// The power of ten at or below `v`, nudged down a hair so that the
/// axis's first tick (computed with logarithms) is not lost to rounding.
fn decade_below(v: f64) -> f64 {
    10f64.powf(v.max(FLOOR).log10().floor()) * (1.0 - 1e-9)
}

/// Title and subtitle in a band at the top; returns the area below.
fn header<'a>(root: &Root<'a>, title: &str, subtitle: &str) -> DrawResult<Root<'a>> {
    let (top, body) = root.split_vertically(76);
    let (w, _) = top.dim_in_pixel();
    let grey = RGBColor(80, 80, 80);
    let at = Pos::new(HPos::Center, VPos::Top);
    let title_style = TextStyle::from((FONT, 24).into_font())
        .color(&BLACK)
        .pos(at);
    let sub_style = TextStyle::from((FONT, 15).into_font()).color(&grey).pos(at);
    top.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 14),
        title_style,
    ))?;
    top.draw(&Text::new(
        subtitle.to_string(),
        (w as i32 / 2, 48),
        sub_style,
    ))?;
    Ok(body)
}

/// The white page, the header, and below it a log-log chart over `x` and
/// `y` (axes not drawn yet: see [`draw_axes`]).
fn log_log_chart<'a, 'b>(
    root: &Root<'b>,
    title: &str,
    subtitle: &str,
    x: Range<f64>,
    y: Range<f64>,
) -> DrawResult<LogLogChart<'a, 'b>> {
    root.fill(&WHITE)?;
    let body = header(root, title, subtitle)?;
    Ok(ChartBuilder::on(&body)
        .margin(24)
        .margin_top(8)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d(x.log_scale(), y.log_scale())?)
}

/// The axes with their ticks, and the grid in `light` and `bold` lines;
/// p is always on the x axis.
fn draw_axes(
    chart: &mut LogLogChart<'_, '_>,
    y_desc: &str,
    y_labels: usize,
    light: impl Into<ShapeStyle>,
    bold: impl Into<ShapeStyle>,
) -> DrawResult {
    chart
        .configure_mesh()
        .x_desc("proof-system failure probability p")
        .y_desc(y_desc)
        .x_label_formatter(&|v| log_tick(*v))
        .y_label_formatter(&|v| log_tick(*v))
        .x_labels(14)
        .y_labels(y_labels)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .light_line_style(light)
        .bold_line_style(bold)
        .draw()?;
    Ok(())
}

/// The legend of the labelled series, on a near-opaque white box.
fn draw_legend<'a, 'b: 'a>(
    chart: &mut LogLogChart<'a, 'b>,
    position: SeriesLabelPosition,
    opacity: f64,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .margin(16)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(opacity))
        .border_style(RGBColor(160, 160, 160))
        .draw()?;
    Ok(())
}

fn stage_label(model: &BaseModel, stage: ModelStage) -> String {
    match stage {
        ModelStage::Zero => format!("Stage 0 ({} council)", model.stage0),
        ModelStage::One => format!("Stage 1 ({} council)", model.stage1),
        ModelStage::Two => "Stage 2 (proof system only)".into(),
    }
}

fn describe(model: &BaseModel) -> String {
    let mut s = format!("q = {}", chart_label(model.member_failure.value()));
    if !model.correlation.is_zero() {
        s += &format!(", rho = {}", chart_label(model.correlation.value()));
    }
    if !model.common_shock.is_zero() {
        s += &format!(", c = {}", chart_label(model.common_shock.value()));
    }
    s + &format!(
        ", {} formula, horizon {}",
        model.formula.as_str(),
        model.horizon
    )
}

/// The post's figure: failure probability of Stage 0, 1 and 2 against p.
pub fn stage_chart_svg(model: &BaseModel, opts: &ChartOptions) -> Result<String> {
    let lines = model.lines(model.formula)?;
    let stage1_label = stage_label(model, ModelStage::One);
    render_svg(opts, |root| {
        draw_stages(root, model, &lines, &stage1_label, opts)
    })
}

/// The same figure with a given Stage 1 line instead of one computed from
/// `model.stage1`: a council no `K/N` shape describes, such as a nested
/// one (`project::NestedCouncil`, whose line is its joint distribution's
/// `Joint::line()` under the union formula). `stage1_line` is F(p) =
/// intercept + slope · p under `model.formula`; `stage1_label` names it in
/// the legend, e.g. `Stage 1 (2 of (2 of (7/10, 3/6), 5/7))`. The rest of
/// `model` gives the Stage 0 council and the subtitle.
pub fn stage_chart_with_stage1_svg(
    model: &BaseModel,
    stage1_line: &Line<f64>,
    stage1_label: &str,
    opts: &ChartOptions,
) -> Result<String> {
    let Line { intercept, slope } = *stage1_line;
    if !(0.0..=1.0).contains(&intercept) || !(0.0..=1.0).contains(&slope) {
        return Err(RiskError::Invalid(format!(
            "the Stage 1 line needs an intercept and a slope in [0, 1], got {intercept} and {slope}"
        ))
        .into());
    }
    let stage0 = model
        .council(model.stage0)?
        .tails()
        .line(model.stage0, model.formula);
    let lines = StageLines {
        stage0,
        stage1: stage1_line.clone(),
        stage2: Line::proof_only(),
    };
    render_svg(opts, |root| {
        draw_stages(root, model, &lines, stage1_label, opts)
    })
}

/// The stage figure; `model` gives the subtitle and the Stage 0 label.
fn draw_stages(
    root: &Root<'_>,
    model: &BaseModel,
    lines: &StageLines<f64>,
    stage1_label: &str,
    opts: &ChartOptions,
) -> DrawResult {
    let cross = lines.crossovers();
    let marks: Vec<(f64, ModelStage, ModelStage)> = [
        (cross.stage0_stage1, ModelStage::Zero, ModelStage::One),
        (cross.stage1_stage2, ModelStage::One, ModelStage::Two),
        (cross.stage0_stage2, ModelStage::Zero, ModelStage::Two),
    ]
    .into_iter()
    .filter_map(|(x, a, b)| x.filter(|x| *x > 0.0).map(|x| (x, a, b)))
    // Only crossovers on the lower envelope matter to the reader.
    .filter(|(x, a, b)| {
        let best = lines.optimal(x);
        let val = |s: ModelStage| lines.line(s).at(x);
        let fb = val(best);
        (val(*a) - fb).abs() <= 1e-9 * fb.max(FLOOR) && (val(*b) - fb).abs() <= 1e-9 * fb.max(FLOOR)
    })
    .collect();
    let smallest = marks
        .iter()
        .map(|m| m.0)
        .chain(opts.proof_failure.filter(|p| *p > 0.0))
        .fold(1e-4, f64::min);
    let x_min = decade_below((smallest / 100.0).max(FLOOR));
    // Enough points for smooth curves; more only add pixel jitter.
    let ps = log_space(x_min, 1.0, 160);
    let curve = |stage: ModelStage| -> Vec<(f64, f64)> {
        ps.iter().map(|p| (*p, lines.line(stage).at(p))).collect()
    };
    let curves: Vec<(ModelStage, Vec<(f64, f64)>)> =
        [ModelStage::Zero, ModelStage::One, ModelStage::Two]
            .into_iter()
            .map(|s| (s, curve(s)))
            .collect();
    let lowest = curves
        .iter()
        .flat_map(|(_, c)| c.iter().map(|pt| pt.1))
        .filter(|v| *v > 0.0)
        .fold(1.0, f64::min);
    // Start the y axis at the decade of the lowest curve point (the Stage 2
    // line at the left edge), as in the post's figure.
    let y_min = decade_below((lowest * (1.0 + 1e-6)).max(FLOOR));
    let clamp = |v: f64| v.clamp(y_min, 1.0);

    let mut chart = log_log_chart(
        root,
        "Probability of loss by stage vs. proof-system failure",
        &describe(model),
        x_min..1.0,
        y_min..1.0,
    )?;
    draw_axes(
        &mut chart,
        "probability of loss",
        14,
        WHITE,
        RGBColor(225, 225, 225),
    )?;

    // Shade where each stage is best, and name it at the top.
    for r in lines.optimal_ranges() {
        let (from, to) = (r.from.max(x_min), r.to);
        if to <= from {
            continue;
        }
        let c = color(r.stage);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(from, y_min), (to, 1.0)],
            c.mix(0.07).filled(),
        )))?;
        let mid = (from * to).sqrt();
        let text = format!("{} best", r.stage);
        let style = TextStyle::from((FONT, 15).into_font())
            .color(&c)
            .pos(Pos::new(HPos::Center, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(text, (mid, 0.6), style)))?;
    }

    for (stage, pts) in &curves {
        let c = color(*stage);
        let pts: Vec<(f64, f64)> = pts.iter().map(|(p, v)| (*p, clamp(*v))).collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(3)))?
            .label(match stage {
                ModelStage::One => stage1_label.to_string(),
                _ => stage_label(model, *stage),
            })
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], c.stroke_width(3)));
    }

    for (x, a, b) in &marks {
        // Both lines meet here; draw at their common value.
        let y = clamp(lines.line(*a).at(x));
        let dash = ShapeStyle::from(&RGBColor(90, 90, 90)).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(
            vec![(*x, y_min), (*x, y)],
            6,
            4,
            dash,
        ))?;
        chart.draw_series(std::iter::once(Circle::new((*x, y), 6, BLACK.filled())))?;
        let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, y))
                + Text::new(format!("{a} = {b}"), (8, 6), style.clone())
                + Text::new(format!("p = {}", chart_label(*x)), (8, 24), style),
        ))?;
    }

    if let Some(p) = opts.proof_failure.filter(|p| *p >= x_min) {
        let style = ShapeStyle::from(&BLACK).stroke_width(2);
        chart.draw_series(DashedLineSeries::new(
            vec![(p, y_min), (p, 1.0)],
            3,
            3,
            style,
        ))?;
        let ts = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Right, VPos::Bottom));
        chart.draw_series(std::iter::once(
            EmptyElement::at((p, y_min))
                + Text::new(format!("your p = {}", chart_label(p)), (-6, -8), ts),
        ))?;
    }

    draw_legend(&mut chart, SeriesLabelPosition::LowerRight, 0.92)
}

/// Which stage is best over the (p, q) plane: p on the x axis, q on the y
/// axis, both log scale, with the model's q (and p, if given) marked.
pub fn regions_chart_svg(model: &BaseModel, opts: &ChartOptions) -> Result<String> {
    let q0 = model.member_failure.value();
    let q_lo = decade_below(if q0 > 0.0 {
        (q0 / 10.0).min(1e-3)
    } else {
        1e-3
    });
    let q_hi = 0.5f64.max(q0.min(1.0));
    let rows = 240;
    let qs = log_space(q_lo, q_hi, rows + 1);
    // Each band between qs[i] and qs[i+1] is coloured by the answer at
    // their geometric middle.
    let mut bands = Vec::with_capacity(rows);
    for w in qs.windows(2) {
        let q = (w[0] * w[1]).sqrt();
        let m = BaseModel {
            member_failure: Probability::from_f64("member failure", q)?,
            ..model.clone()
        };
        bands.push((w[0], w[1], m.lines(m.formula)?.optimal_ranges()));
    }
    render_svg(opts, |root| {
        draw_regions(root, model, &bands, (q_lo, q_hi), opts)
    })
}

type Band = (f64, f64, Vec<StageRange<f64>>);

fn draw_regions(
    root: &Root<'_>,
    model: &BaseModel,
    bands: &[Band],
    (q_lo, q_hi): (f64, f64),
    opts: &ChartOptions,
) -> DrawResult {
    let smallest_cut = bands
        .iter()
        .flat_map(|b| b.2.iter().map(|r| r.to))
        .filter(|x| *x > 0.0)
        .chain(opts.proof_failure.filter(|p| *p > 0.0))
        .fold(1e-6, f64::min);
    let x_min = decade_below((smallest_cut / 10.0).max(1e-12));
    let mut d = describe(&BaseModel {
        member_failure: Probability::zero(),
        ..model.clone()
    });
    // q is on the y axis here: drop it from the subtitle.
    if let Some(i) = d.find(", ") {
        d = d[i + 2..].to_string();
    }
    let subtitle = format!("{} vs {} council; {d}", model.stage0, model.stage1);
    let mut chart = log_log_chart(
        root,
        "Least risky stage by proof and member failure probability",
        &subtitle,
        x_min..1.0,
        q_lo..q_hi,
    )?;
    for stage in [ModelStage::Zero, ModelStage::One, ModelStage::Two] {
        let c = color(stage);
        let rects: Vec<Rectangle<(f64, f64)>> = bands
            .iter()
            .flat_map(|(lo, hi, ranges)| {
                ranges
                    .iter()
                    .filter(|r| r.stage == stage && r.to > x_min)
                    .map(|r| {
                        Rectangle::new(
                            [(r.from.max(x_min), *lo), (r.to, *hi)],
                            c.mix(0.55).filled(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let label = match stage {
            ModelStage::Zero => format!("Stage 0 best ({} council)", model.stage0),
            ModelStage::One => format!("Stage 1 best ({} council)", model.stage1),
            ModelStage::Two => "Stage 2 best (no council)".into(),
        };
        chart
            .draw_series(rects)?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], c.mix(0.55).filled())
            });
    }
    // Over the coloured bands, so that the grid shows on them.
    draw_axes(
        &mut chart,
        "member failure probability q",
        10,
        TRANSPARENT,
        WHITE.mix(0.5),
    )?;

    let q = model.member_failure.value();
    if q >= q_lo && q <= q_hi {
        let style = ShapeStyle::from(&BLACK).stroke_width(1);
        chart.draw_series(DashedLineSeries::new(
            vec![(x_min, q), (1.0, q)],
            6,
            4,
            style,
        ))?;
        let ts = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
        chart.draw_series(std::iter::once(
            EmptyElement::at((x_min, q))
                + Text::new(format!("model q = {}", chart_label(q)), (6, -4), ts),
        ))?;
        if let Some(p) = opts.proof_failure.filter(|p| *p >= x_min) {
            chart.draw_series(std::iter::once(Circle::new((p, q), 6, BLACK.filled())))?;
        }
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 0.9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use l2stage_risk::CouncilShape;

    #[test]
    fn stage_chart_has_the_parts() {
        let svg = stage_chart_svg(&BaseModel::default(), &ChartOptions::default()).unwrap();
        assert!(svg.starts_with("<svg"));
        for part in [
            "Stage 0 (4/7 council)",
            "Stage 1 (6/8 council)",
            "Stage 2 (proof system only)",
            "p = 2.43e-5",
            "p = 0.0710",
            "1e-4",
            "Stage 1 best",
        ] {
            assert!(svg.contains(part), "missing {part}");
        }
        assert!(!svg.contains("9.99999"));
    }

    #[test]
    fn a_given_stage1_line_draws_what_its_council_would() {
        let models = [
            (BaseModel::default(), ChartOptions::default()),
            (
                BaseModel {
                    stage1: CouncilShape::new(9, 12).unwrap(),
                    member_failure: Probability::parse("q", "0.05").unwrap(),
                    formula: l2stage_risk::Formula::Additive,
                    ..BaseModel::default()
                },
                ChartOptions {
                    proof_failure: Some(1e-3),
                    ..Default::default()
                },
            ),
        ];
        for (model, opts) in models {
            let line = model.lines(model.formula).unwrap().stage1;
            let label = format!("Stage 1 ({} council)", model.stage1);
            assert_eq!(
                stage_chart_with_stage1_svg(&model, &line, &label, &opts).unwrap(),
                stage_chart_svg(&model, &opts).unwrap()
            );
        }
    }

    #[test]
    fn a_nested_councils_line_is_drawn_with_its_label() {
        // Base at q = 0.1 (project::tests): S = 5701/62500000000 and, under
        // the union formula, W = P(blocked) − S; Stage 2 is safer below
        // S / (1 − W) ≈ 1.14e-7.
        let s = 5701.0 / 62_500_000_000.0;
        let line = Line {
            intercept: s,
            slope: 12_522_756_919.0 / 62_500_000_000.0 - s,
        };
        let label = "Stage 1 (2 of (2 of (7/10, 3/6), 5/7))";
        let svg = stage_chart_with_stage1_svg(
            &BaseModel::default(),
            &line,
            label,
            &ChartOptions::default(),
        )
        .unwrap();
        for part in [
            label,
            "Stage 0 (4/7 council)",
            "Stage 1 = Stage 2",
            "p = 1.14e-7",
        ] {
            assert!(svg.contains(part), "missing {part}");
        }
        assert!(!svg.contains("6/8"));
        let bad = Line {
            intercept: f64::NAN,
            slope: 0.5,
        };
        assert!(
            stage_chart_with_stage1_svg(&BaseModel::default(), &bad, label, &Default::default())
                .is_err()
        );
    }

    #[test]
    fn regions_chart_has_the_parts() {
        let opts = ChartOptions {
            proof_failure: Some(1e-3),
            ..Default::default()
        };
        let svg = regions_chart_svg(&BaseModel::default(), &opts).unwrap();
        for part in [
            "Stage 0 best",
            "Stage 1 best",
            "Stage 2 best",
            "model q = 0.100",
        ] {
            assert!(svg.contains(part), "missing {part}");
        }
    }
}
