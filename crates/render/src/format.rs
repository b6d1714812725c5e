//! The one place numbers and durations are written for people, shared by
//! the CLI (text, Markdown), the API and the dashboard (HTML), so the same
//! value always reads the same.

/// A probability (or any small positive quantity) for people: 3
/// significant digits; scientific notation below 1e-3 (`6.15e-5`),
/// plain decimals above (`0.0381`, `0.106`, `1`, `12.3`). Trailing zeros
/// are dropped (`0.5`, not `0.500`).
pub fn probability(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() < 1e-3 {
        // Round the mantissa to 3 significant digits first: 9.996e-4 is
        // "0.001" once rounded, and must then be written plainly.
        let s = format!("{x:.2e}");
        let rounded: f64 = s.parse().unwrap_or(x);
        if rounded.abs() < 1e-3 {
            return match s.split_once('e') {
                Some((m, e)) => format!("{}e{e}", trim_zeros(m)),
                None => s,
            };
        }
        return probability(rounded);
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    // Rounding may carry to a new digit (0.09996 → 0.100): trim again.
    trim_zeros(&s).to_string()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A log-axis tick of a chart: `1e-4`, `1`, `2e-5` — never `9.999999999998e-5`.
pub fn log_tick(v: f64) -> String {
    if v.is_nan() || v <= 0.0 {
        return "0".into();
    }
    let e = v.log10();
    if (e - e.round()).abs() < 1e-9 {
        match e.round() as i32 {
            0 => "1".into(),
            e => format!("1e{e}"),
        }
    } else {
        format!("{v:.0e}")
    }
}

/// A number for a chart's label, three significant digits with trailing
/// zeros kept: `2.43e-5`, `0.0710`, `0.500` (the charts' own precision;
/// [`probability`] drops trailing zeros and is what text and pages use).
pub fn chart_label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    }
}

// Durations: the implementations live in the model crate, because the
// analysis writes durations into its own sentences (derivation reasons, the
// risk summary) and cannot depend on presentation. They are named here so
// every front end takes all its formatters from one module.

/// A duration in words, its two largest adjacent units, rounded down:
/// `7 days 12 hours`, `30 days`, `1 hour`, `0 seconds`.
pub use l2stage_model::duration::in_words as duration;

/// A duration compact for tables, two units: `7d 12h`, `30d`, `0s`.
pub use l2stage_model::duration::compact as duration_compact;

/// A duration compact and exact, every unit: `6d 9h 36m` (what project
/// files and derivation reasons write; [`duration_compact`] rounds to two
/// units instead).
pub use l2stage_model::format_seconds as duration_exact;

// Dollar amounts: the implementations live in the labels crate, whose
// BattleTested reasons quote thresholds; named here for the same reason.

/// Dollars rounded to three significant figures: `$1.25B`, `$90.0M`.
pub use l2stage_labels::money::usd;

/// Whole dollars with thousands separators: `$49,999,999`.
pub use l2stage_labels::money::usd_exact;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_three_significant_digits() {
        assert_eq!(probability(6.14784e-5), "6.15e-5");
        assert_eq!(probability(0.0380918), "0.0381");
        assert_eq!(probability(0.10612), "0.106");
        assert_eq!(probability(1.1426e-7), "1.14e-7");
        assert_eq!(probability(0.5), "0.5");
        assert_eq!(probability(1.0), "1");
        assert_eq!(probability(12.345), "12.3");
        assert_eq!(probability(0.0), "0");
        assert_eq!(probability(0.001), "0.001");
        // Rounds up across the scientific threshold.
        assert_eq!(probability(9.9996e-4), "0.001");
        assert_eq!(probability(0.099996), "0.1");
        assert_eq!(probability(2e-10), "2e-10");
    }

    #[test]
    fn ticks_are_readable() {
        assert_eq!(log_tick(1e-4), "1e-4");
        assert_eq!(log_tick(0.9999999999998e-4), "1e-4");
        assert_eq!(log_tick(1.0), "1");
        assert_eq!(log_tick(2e-5), "2e-5");
        assert_eq!(chart_label(2.43364e-5), "2.43e-5");
        assert_eq!(chart_label(0.0710456), "0.0710");
        assert_eq!(chart_label(0.5), "0.500");
    }
}
