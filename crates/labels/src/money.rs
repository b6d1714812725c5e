//! Amounts of US dollars for people: `$90.0M`, `$1.25B`.

/// `$1.25B`, `$90.0M`, `$650K`, `$12`: three significant figures at most.
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return format!("${v}");
    }
    let a = v.abs();
    let (div, unit) = if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    let x = v / div;
    let s = if unit.is_empty() || x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    format!("${s}{unit}")
}

/// `$49,999,999`: whole dollars with thousands separators, for messages
/// about thresholds where rounding would mislead.
pub fn usd_exact(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e18 {
        return format!("${v}");
    }
    let whole = v.round().abs() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if v < 0.0 && whole > 0 { "-" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::{usd, usd_exact};

    #[test]
    fn formats() {
        assert_eq!(usd(90_000_000.0), "$90.0M");
        assert_eq!(usd(100_000_000.0), "$100M");
        assert_eq!(usd(1_250_000_000.0), "$1.25B");
        assert_eq!(usd(49_999_999.0), "$50.0M");
        assert_eq!(usd(2_000_000.0), "$2.00M");
        assert_eq!(usd(650_000.0), "$650K");
        assert_eq!(usd(12.0), "$12");
        assert_eq!(usd_exact(49_999_999.0), "$49,999,999");
        assert_eq!(usd_exact(100_000_000.0), "$100,000,000");
        assert_eq!(usd_exact(999.4), "$999");
    }
}
