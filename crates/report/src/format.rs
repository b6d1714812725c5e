//! The one place numbers and durations are written for people, shared by
//! the CLI (text, Markdown) and the server (HTML), so the same value always
//! reads the same.

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

const UNITS: [(&str, &str, i64); 4] = [
    ("day", "d", 86_400),
    ("hour", "h", 3_600),
    ("minute", "m", 60),
    ("second", "s", 1),
];

/// The two largest units of a duration, rounded down.
fn parts(secs: u64) -> Vec<(usize, u64)> {
    let mut rest = secs;
    let mut out = Vec::new();
    for (i, (_, _, f)) in UNITS.iter().enumerate() {
        let f = *f as u64;
        if rest >= f {
            out.push((i, rest / f));
            rest %= f;
        }
        if out.len() == 2 || (!out.is_empty() && i + 1 > out[0].0 + 1) {
            break;
        }
    }
    out
}

/// A duration in words, its two largest adjacent units: `7 days 12 hours`,
/// `30 days`, `1 hour`, `0 seconds`. Negative durations read
/// `-7 days 12 hours` (callers should say what a negative window means
/// rather than print one).
pub fn duration(secs: i64) -> String {
    if secs == 0 {
        return "0 seconds".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let words: Vec<String> = parts(secs.unsigned_abs())
        .into_iter()
        .map(|(i, n)| {
            let unit = UNITS[i].0;
            format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
        })
        .collect();
    format!("{sign}{}", words.join(" "))
}

/// The same duration, compact for tables: `7d 12h`, `30d`, `1h`, `0s`.
pub fn duration_compact(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let words: Vec<String> = parts(secs.unsigned_abs())
        .into_iter()
        .map(|(i, n)| format!("{n}{}", UNITS[i].1))
        .collect();
    format!("{sign}{}", words.join(" "))
}

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
    fn durations_in_words_and_compact() {
        assert_eq!(duration(7 * 86_400 + 12 * 3_600), "7 days 12 hours");
        assert_eq!(duration(30 * 86_400), "30 days");
        assert_eq!(duration(3_600), "1 hour");
        assert_eq!(duration(86_400 + 30), "1 day");
        assert_eq!(duration(90), "1 minute 30 seconds");
        assert_eq!(duration(0), "0 seconds");
        assert_eq!(duration(-86_400), "-1 day");
        assert_eq!(duration_compact(552_960), "6d 9h");
        assert_eq!(duration_compact(43_200), "12h");
        assert_eq!(duration_compact(0), "0s");
    }
}
