//! Safety and liveness apart.
//!
//! The post's worst-case member is both malicious and unavailable. Real
//! members mostly fail one way: a lost key or a holiday (unavailable) is
//! far likelier than a bribe (malicious). Each member is malicious with
//! probability s, unavailable with l, honest and reachable otherwise
//! (h = 1 − s − l); M counts malicious members, H honest ones:
//!
//! F(p) = P(M ≥ k) + p · P(M < k and H < k).
//!
//! [`WithdrawalDelay`] adds the post's answer to "6 of 8 cannot sign fast
//! enough": any one reachable member can delay withdrawals, and the full
//! k must then sign within the delay.

use num_rational::BigRational;
use serde::Serialize;

use crate::council::CouncilShape;
use crate::error::{Result, RiskError};
use crate::prob::{Probability, check_range, to_f64};
use crate::scalar::{Scalar, all, range_sum};
use crate::stages::Line;

/// Members that are malicious (s) or merely unavailable (l).
#[derive(Debug, Clone, PartialEq)]
pub struct SafetyLiveness {
    shape: CouncilShape,
    malicious: Probability,
    unavailable: Probability,
}

/// Failure line and the liveness view of a [`SafetyLiveness`] council.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafetyLivenessResult<T> {
    /// F(p) = P(M ≥ k) + p · P(M < k, H < k).
    pub line: Line<T>,
    /// P(H < k): the council cannot act at all (a liveness failure, not a
    /// loss unless a fix is needed).
    pub cannot_act: T,
}

fn check_sum(name: &str, parts: &[&Probability]) -> Result<()> {
    let total: f64 = parts.iter().map(|p| p.value()).sum();
    let exact: Option<BigRational> = all::<BigRational>(parts).map(|v| v.into_iter().sum());
    check_range(name, total, exact.as_ref(), true)
}

impl SafetyLiveness {
    /// Checks s + l ≤ 1.
    pub fn new(
        shape: CouncilShape,
        malicious: Probability,
        unavailable: Probability,
    ) -> Result<Self> {
        check_sum("malicious + unavailable", &[&malicious, &unavailable])?;
        Ok(Self {
            shape,
            malicious,
            unavailable,
        })
    }

    /// Floating-point result.
    pub fn result(&self) -> SafetyLivenessResult<f64> {
        compute(self.shape, self.malicious.value(), self.unavailable.value())
    }

    /// Exact result, when s and l are exact.
    pub fn exact_result(&self) -> Option<SafetyLivenessResult<BigRational>> {
        let v = all::<BigRational>(&[&self.malicious, &self.unavailable])?;
        Some(compute(self.shape, v[0].clone(), v[1].clone()))
    }
}

fn compute<T: Scalar>(shape: CouncilShape, s: T, l: T) -> SafetyLivenessResult<T> {
    let (n, k) = (shape.n(), shape.k());
    let malicious = T::binomial_masses(n, &s);
    let overrides = range_sum(&malicious, k, n);
    let not_malicious = T::one() - s.clone();
    let mut stuck = Vec::new();
    let mut cannot_act = Vec::new();
    if not_malicious > T::zero() {
        // Given M = m, each other member is honest with h / (1 − s).
        let honest_given = (T::one() - s.clone() - l) / not_malicious;
        for (m, pm) in malicious.iter().enumerate() {
            let honest = T::binomial_masses(n - m, &honest_given);
            let h_below_k = range_sum(&honest, 0, k - 1);
            if m < k {
                stuck.push(pm.clone() * h_below_k.clone());
            }
            cannot_act.push(pm.clone() * h_below_k);
        }
    } else {
        cannot_act.push(T::one());
    }
    SafetyLivenessResult {
        line: Line {
            intercept: overrides,
            slope: T::sum(stuck),
        },
        cannot_act: T::sum(cannot_act),
    }
}

/// A council where any one reachable member can delay withdrawals, and k
/// must sign within the delay (the post's fix for slow signing).
///
/// Each member is malicious (s); or honest but unreachable even within the
/// delay (`unavailable_delay`); or honest, reachable within the delay but
/// not within hours (`unavailable_hours − unavailable_delay`); or honest
/// and reachable within hours. `unavailable_hours ≥ unavailable_delay`.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalDelay {
    shape: CouncilShape,
    malicious: Probability,
    unavailable_hours: Probability,
    unavailable_delay: Probability,
}

/// What the delay mechanism changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WithdrawalDelayResult<T> {
    /// With the delay: a fix needs one honest member within hours and k
    /// honest within the delay.
    pub with_delay: Line<T>,
    /// Without it: k honest members must sign within hours.
    pub without_delay: Line<T>,
    /// 1 − (1 − s)ⁿ: some member is malicious and can impose the delay on
    /// everyone (griefing, not loss).
    pub griefing: T,
}

impl WithdrawalDelay {
    /// Checks s + unavailable_hours ≤ 1 and unavailable_delay ≤ unavailable_hours.
    pub fn new(
        shape: CouncilShape,
        malicious: Probability,
        unavailable_hours: Probability,
        unavailable_delay: Probability,
    ) -> Result<Self> {
        check_sum(
            "malicious + unavailable within hours",
            &[&malicious, &unavailable_hours],
        )?;
        let ordered = match (unavailable_delay.exact(), unavailable_hours.exact()) {
            (Some(d), Some(h)) => d <= h,
            _ => unavailable_delay.value() <= unavailable_hours.value(),
        };
        if !ordered {
            return Err(RiskError::Invalid(
                "a member unavailable within the delay is also unavailable within hours: unavailable_delay must not exceed unavailable_hours".into(),
            ));
        }
        Ok(Self {
            shape,
            malicious,
            unavailable_hours,
            unavailable_delay,
        })
    }

    /// Floating-point result; the griefing probability is computed as
    /// −expm1(n · ln(1 − s)) so tiny s keeps its digits.
    pub fn result(&self) -> WithdrawalDelayResult<f64> {
        let s = self.malicious.value();
        let mut r = delay(
            self.shape,
            s,
            self.unavailable_hours.value(),
            self.unavailable_delay.value(),
        );
        r.griefing = -((self.shape.n() as f64) * (-s).ln_1p()).exp_m1();
        r
    }

    /// Exact result, when the inputs are exact.
    pub fn exact_result(&self) -> Option<WithdrawalDelayResult<BigRational>> {
        let v = all::<BigRational>(&[
            &self.malicious,
            &self.unavailable_hours,
            &self.unavailable_delay,
        ])?;
        Some(delay(self.shape, v[0].clone(), v[1].clone(), v[2].clone()))
    }

    /// Float griefing probability of the exact result, for checks.
    pub fn exact_griefing_f64(&self) -> Option<f64> {
        self.exact_result().map(|r| to_f64(&r.griefing))
    }
}

fn delay<T: Scalar>(shape: CouncilShape, s: T, l_hours: T, l_delay: T) -> WithdrawalDelayResult<T> {
    let (n, k) = (shape.n(), shape.k());
    let malicious = T::binomial_masses(n, &s);
    let overrides = range_sum(&malicious, k, n);
    let not_malicious = T::one() - s.clone();
    let available_delay = T::one() - s.clone() - l_delay.clone();
    let fast = T::one() - s.clone() - l_hours.clone();
    let mut with = Vec::new();
    let mut without = Vec::new();
    if not_malicious > T::zero() {
        let avail_given = available_delay.clone() / not_malicious.clone();
        let fast_given = fast / not_malicious;
        // Given h members available within the delay, none is fast with
        // probability ((l_hours − l_delay) / available_delay)^h.
        let none_fast = if available_delay > T::zero() {
            (l_hours - l_delay) / available_delay
        } else {
            T::one()
        };
        for (m, pm) in malicious.iter().enumerate().take(k) {
            let avail = T::binomial_masses(n - m, &avail_given);
            let mut fail = range_sum(&avail, 0, k - 1);
            for (h, ph) in avail.iter().enumerate().skip(k) {
                fail = fail + ph.clone() * num_traits::pow(none_fast.clone(), h);
            }
            with.push(pm.clone() * fail);
            let quick = T::binomial_masses(n - m, &fast_given);
            without.push(pm.clone() * range_sum(&quick, 0, k - 1));
        }
    }
    let griefing = T::one() - num_traits::pow(T::one() - s, n);
    WithdrawalDelayResult {
        with_delay: Line {
            intercept: overrides.clone(),
            slope: T::sum(with),
        },
        without_delay: Line {
            intercept: overrides,
            slope: T::sum(without),
        },
        griefing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::council::CouncilModel;

    fn p(s: &str) -> Probability {
        Probability::parse("p", s).unwrap()
    }

    #[test]
    fn reduces_to_the_post_when_broken_means_both() {
        // l = 0: M = X and H = n − X, so F is the union formula.
        let shape = CouncilShape::new(6, 8).unwrap();
        let sl = SafetyLiveness::new(shape, p("0.1"), p("0")).unwrap();
        let e = sl.exact_result().unwrap();
        let base = CouncilModel::binomial(shape, p("0.1"))
            .exact_tails()
            .unwrap();
        assert_eq!(e.line.intercept, base.overrides);
        assert_eq!(e.line.slope, base.stuck);
        assert_eq!(e.cannot_act, base.blocked);
    }

    #[test]
    fn two_of_two_by_hand() {
        // 2-of-2, s = 0.1, l = 0.2, h = 0.7. P(M ≥ 2) = 0.01.
        // P(M < 2, H < 2) = 1 − P(M = 2) − P(H = 2) = 1 − 0.01 − 0.49 = 0.5.
        let sl = SafetyLiveness::new(CouncilShape::new(2, 2).unwrap(), p("0.1"), p("0.2")).unwrap();
        let e = sl.exact_result().unwrap();
        assert_eq!(e.line.intercept, "1/100".parse::<BigRational>().unwrap());
        assert_eq!(e.line.slope, "1/2".parse::<BigRational>().unwrap());
        let f = sl.result();
        assert!((f.line.slope - 0.5).abs() < 1e-15);
        assert!(SafetyLiveness::new(CouncilShape::new(2, 2).unwrap(), p("0.6"), p("0.5")).is_err());
    }

    #[test]
    fn delay_by_hand() {
        // 1-of-1: s = 0.1, unavailable within hours 0.3, within the delay 0.1.
        // Without delay: fix needs the member fast: P(stuck) = P(M=0)·P(not fast | honest)
        //   = 0.9 · (0.3/0.9) = 0.3. With delay, k = 1 within the delay and
        //   one fast: the same member must be fast, so also 0.3.
        // 2-of-2 with s = 0: fast f = 0.7, available within delay a = 0.9.
        //   without: 1 − 0.7² = 0.51; with: 1 − P(both available, ≥ 1 fast)
        //   = 1 − (0.81 − 0.2²) = 0.23.
        let d = WithdrawalDelay::new(
            CouncilShape::new(1, 1).unwrap(),
            p("0.1"),
            p("0.3"),
            p("0.1"),
        )
        .unwrap();
        let e = d.exact_result().unwrap();
        assert_eq!(
            e.without_delay.slope,
            "3/10".parse::<BigRational>().unwrap()
        );
        assert_eq!(e.with_delay.slope, "3/10".parse::<BigRational>().unwrap());
        let d = WithdrawalDelay::new(CouncilShape::new(2, 2).unwrap(), p("0"), p("0.3"), p("0.1"))
            .unwrap();
        let e = d.exact_result().unwrap();
        assert_eq!(
            e.without_delay.slope,
            "51/100".parse::<BigRational>().unwrap()
        );
        assert_eq!(e.with_delay.slope, "23/100".parse::<BigRational>().unwrap());
        let f = d.result();
        assert!((f.with_delay.slope - 0.23).abs() < 1e-15);
        assert!(
            WithdrawalDelay::new(CouncilShape::new(2, 2).unwrap(), p("0"), p("0.1"), p("0.3"))
                .is_err()
        );
    }

    #[test]
    fn griefing_probability() {
        let d = WithdrawalDelay::new(
            CouncilShape::new(6, 8).unwrap(),
            p("1e-9"),
            p("0.1"),
            p("0.01"),
        )
        .unwrap();
        // 1 − (1 − 1e-9)^8 = 8e-9 − 28e-18 + …
        let g = d.result().griefing;
        assert!((g - (8e-9 - 28e-18)).abs() < 1e-22, "{g}");
        assert!((d.exact_griefing_f64().unwrap() - g).abs() <= 1e-12 * g);
    }
}
