//! Probabilities as the model receives them: a float that every floating
//! computation uses, and, when the input was written as a decimal or a
//! fraction, the same value as an exact rational so that the model can also
//! answer in exact fractions (`0.1` is read as 1/10, not as the binary
//! float nearest to it).

use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde::{Serialize, Serializer};

use crate::error::{Result, RiskError};

/// Longest number text accepted: a guard against inputs whose exact
/// arithmetic would take unbounded time, far above any real need.
const MAX_NUMBER_LEN: usize = 200;
/// Largest decimal exponent accepted (`1e-350` is already below f64's range).
const MAX_EXPONENT: i64 = 400;

/// Reads `0.1`, `.5`, `1/10`, `2.5e-3`, `1e-5/3` as an exact rational.
///
/// Infinite or not-a-number spellings are errors: every model input is a
/// finite number.
pub fn parse_rational(input: &str) -> Result<BigRational> {
    let s = input.trim();
    let err = |reason: &str| RiskError::Parse {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if s.is_empty() {
        return Err(err("empty"));
    }
    if s.len() > MAX_NUMBER_LEN {
        return Err(err("too long"));
    }
    match s.split_once('/') {
        Some((a, b)) => {
            let num = parse_decimal(a.trim()).map_err(|r| err(&r))?;
            let den = parse_decimal(b.trim()).map_err(|r| err(&r))?;
            if den.is_zero() {
                return Err(err("division by zero"));
            }
            Ok(num / den)
        }
        None => parse_decimal(s).map_err(|r| err(&r)),
    }
}

/// `[+-]digits[.digits][e[+-]digits]` (either digit run may be empty, not both).
fn parse_decimal(s: &str) -> std::result::Result<BigRational, String> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => {
            let e = &rest[i + 1..];
            let e: i64 = e.parse().map_err(|_| format!("bad exponent {e:?}"))?;
            if e.abs() > MAX_EXPONENT {
                return Err(format!("exponent {e} out of range"));
            }
            (&rest[..i], e)
        }
        None => (rest, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("no digits".into());
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err("unexpected character".into());
    }
    let digits = format!("{int_part}{frac_part}");
    let mut value = BigInt::parse_bytes(digits.as_bytes(), 10).ok_or("no digits")?;
    if negative {
        value = -value;
    }
    let scale = exponent - frac_part.len() as i64;
    let ten = BigInt::from(10u8);
    let pow = num_traits::pow(ten, scale.unsigned_abs() as usize);
    Ok(if scale >= 0 {
        BigRational::from_integer(value * pow)
    } else {
        BigRational::new(value, pow)
    })
}

/// Nearest float to a rational (correctly rounded).
pub fn to_f64(r: &BigRational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}

/// `num/den` always with a denominator, so that a reader can split on `/`.
pub fn fraction_string(r: &BigRational) -> String {
    format!("{}/{}", r.numer(), r.denom())
}

/// A probability given to the model: its float value, and its exact value
/// when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Probability {
    value: f64,
    exact: Option<BigRational>,
}

impl Probability {
    /// A probability known only as a float (no exact results downstream).
    pub fn from_f64(name: &str, value: f64) -> Result<Self> {
        check_range(name, value, None, true)?;
        Ok(Self { value, exact: None })
    }

    /// An exact probability.
    pub fn from_ratio(name: &str, exact: BigRational) -> Result<Self> {
        let value = to_f64(&exact);
        check_range(name, value, Some(&exact), true)?;
        Ok(Self {
            value,
            exact: Some(exact),
        })
    }

    /// Reads a probability written as `0.1`, `1/10` or `1e-5`.
    pub fn parse(name: &str, input: &str) -> Result<Self> {
        Self::from_ratio(name, parse_rational(input)?)
    }

    /// Reads a correlation, which must be in [0, 1) (ρ = 1 leaves the
    /// beta-binomial undefined).
    pub fn parse_correlation(name: &str, input: &str) -> Result<Self> {
        let exact = parse_rational(input)?;
        let value = to_f64(&exact);
        check_range(name, value, Some(&exact), false)?;
        Ok(Self {
            value,
            exact: Some(exact),
        })
    }

    /// Zero, exactly.
    pub fn zero() -> Self {
        Self {
            value: 0.0,
            exact: Some(BigRational::zero()),
        }
    }

    /// `num/den` with small integers, exact (for defaults and tests).
    pub fn ratio(num: u64, den: u64) -> Result<Self> {
        if den == 0 {
            return Err(RiskError::Invalid("denominator is zero".into()));
        }
        Self::from_ratio(
            "probability",
            BigRational::new(BigInt::from(num), BigInt::from(den)),
        )
    }

    /// An exact `num/den` known to be a probability (crate constants).
    pub(crate) fn known(num: u32, den: u32) -> Self {
        let exact = BigRational::new(BigInt::from(num), BigInt::from(den.max(1)));
        Self {
            value: to_f64(&exact),
            exact: Some(exact),
        }
    }

    /// The float value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// The exact value, when the input was exact.
    pub fn exact(&self) -> Option<&BigRational> {
        self.exact.as_ref()
    }

    /// True when the probability is exactly 0.
    pub fn is_zero(&self) -> bool {
        match &self.exact {
            Some(e) => e.is_zero(),
            None => self.value == 0.0,
        }
    }

    /// Numerator and denominator of the exact value as naturals.
    pub(crate) fn exact_parts(&self) -> Option<(BigUint, BigUint)> {
        let e = self.exact.as_ref()?;
        Some((e.numer().magnitude().clone(), e.denom().magnitude().clone()))
    }
}

impl Serialize for Probability {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_f64(self.value)
    }
}

/// Checks `value` (and `exact`, which decides when given) is in [0, 1]
/// (or [0, 1) when `allow_one` is false).
pub(crate) fn check_range(
    name: &str,
    value: f64,
    exact: Option<&BigRational>,
    allow_one: bool,
) -> Result<()> {
    let range = if allow_one { "in [0, 1]" } else { "in [0, 1)" };
    let shown = match exact {
        Some(e) if e.denom().is_one() => e.numer().to_string(),
        Some(_) | None => format!("{value}"),
    };
    let bad = || RiskError::OutOfRange {
        name: name.to_string(),
        range: range.to_string(),
        value: shown.clone(),
    };
    let ok = match exact {
        Some(e) => {
            !e.is_negative()
                && if allow_one {
                    *e <= BigRational::one()
                } else {
                    *e < BigRational::one()
                }
        }
        None => {
            value.is_finite() && value >= 0.0 && if allow_one { value <= 1.0 } else { value < 1.0 }
        }
    };
    if ok { Ok(()) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(parse_rational("0.1").unwrap(), r(1, 10));
        assert_eq!(parse_rational(".5").unwrap(), r(1, 2));
        assert_eq!(parse_rational("1/10").unwrap(), r(1, 10));
        assert_eq!(parse_rational(" 2.5e-3 ").unwrap(), r(1, 400));
        assert_eq!(parse_rational("1E2").unwrap(), r(100, 1));
        assert_eq!(parse_rational("-0.25").unwrap(), r(-1, 4));
        assert_eq!(parse_rational("3").unwrap(), r(3, 1));
        assert_eq!(parse_rational("0.5/2").unwrap(), r(1, 4));
    }

    #[test]
    fn non_numbers_are_errors() {
        for bad in [
            "", "abc", "nan", "inf", "1/0", "0x10", "1e", "1e-999", ".", "1..2", "--1", "1/2/3",
        ] {
            assert!(parse_rational(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ranges_are_checked() {
        assert!(Probability::parse("q", "1").is_ok());
        assert!(Probability::parse("q", "0").is_ok());
        assert!(Probability::parse("q", "1.0000001").is_err());
        assert!(Probability::parse("q", "-0.1").is_err());
        assert!(Probability::parse_correlation("rho", "1").is_err());
        assert!(Probability::parse_correlation("rho", "0.99").is_ok());
        assert!(Probability::from_f64("q", f64::NAN).is_err());
        assert!(Probability::from_f64("q", 1.5).is_err());
        let e = Probability::parse("member failure", "1.5").unwrap_err();
        assert_eq!(e.to_string(), "member failure must be in [0, 1], got 1.5");
    }

    #[test]
    fn fractions_print_with_denominator() {
        assert_eq!(fraction_string(&r(53, 746)), "53/746");
        assert_eq!(fraction_string(&r(0, 5)), "0/1");
        assert_eq!(to_f64(&r(1, 10)), 0.1);
    }
}
