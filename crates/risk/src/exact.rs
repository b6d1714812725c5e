//! Exact distributions of the number of broken members, as integer
//! numerators over one common denominator, so that sums of masses are
//! integer additions and a single reduction happens at the end.

use num_bigint::{BigInt, BigUint};
use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::prob::Probability;

/// Councils larger than this get no exact results: exact masses grow to
/// thousands of digits and the work grows with n², for no practical gain.
pub const MAX_EXACT_MEMBERS: usize = 2000;

/// Largest common denominator (in bits) an exact distribution may have.
/// Reducing fractions of that size is what costs: 16 kbit covers q = 1/10
/// for 2000 members, or six-digit decimals for ~800, in well under a
/// second; beyond it only floating results are given.
pub const MAX_EXACT_BITS: u64 = 16_384;

fn within_budget(parts: impl IntoIterator<Item = u64>) -> bool {
    parts.into_iter().fold(0u64, u64::saturating_add) <= MAX_EXACT_BITS
}

/// `P(X = x) = num[x] / den`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactPmf {
    num: Vec<BigUint>,
    den: BigUint,
}

fn ratio(num: BigUint, den: &BigUint) -> BigRational {
    BigRational::new(BigInt::from(num), BigInt::from(den.clone()))
}

/// `C(n, x)` for x = 0..=n.
fn binomial_coefficients(n: usize) -> Vec<BigUint> {
    let mut c = Vec::with_capacity(n + 1);
    let mut cur = BigUint::one();
    for x in 0..=n {
        c.push(cur.clone());
        cur = cur * BigUint::from(n - x) / BigUint::from(x + 1);
    }
    c
}

/// `[1, a, a², …, aⁿ]`.
fn powers(a: &BigUint, n: usize) -> Vec<BigUint> {
    let mut v = Vec::with_capacity(n + 1);
    let mut cur = BigUint::one();
    for _ in 0..=n {
        v.push(cur.clone());
        cur *= a;
    }
    v
}

/// Rising products `[1, a, a(a+d), a(a+d)(a+2d), …]` up to n factors.
fn rising(a: &BigUint, d: &BigUint, n: usize) -> Vec<BigUint> {
    let mut v = Vec::with_capacity(n + 1);
    let mut cur = BigUint::one();
    let mut factor = a.clone();
    for _ in 0..=n {
        v.push(cur.clone());
        cur *= &factor;
        factor += d;
    }
    v
}

impl ExactPmf {
    /// All mass on one count.
    pub fn point(n: usize, at: usize) -> Self {
        let mut num = vec![BigUint::zero(); n + 1];
        if let Some(m) = num.get_mut(at) {
            *m = BigUint::one();
        }
        Self {
            num,
            den: BigUint::one(),
        }
    }

    /// Largest count.
    pub fn n(&self) -> usize {
        self.num.len().saturating_sub(1)
    }

    /// Binomial(n, q) with q = a/d: masses `C(n,x) aˣ (d−a)ⁿ⁻ˣ / dⁿ`.
    pub fn binomial(n: usize, q: &Probability) -> Option<Self> {
        let (a, d) = q.exact_parts()?;
        if n > MAX_EXACT_MEMBERS || !within_budget([n as u64 * d.bits()]) {
            return None;
        }
        let b = &d - &a;
        let (pa, pb, c) = (powers(&a, n), powers(&b, n), binomial_coefficients(n));
        let num = (0..=n).map(|x| &c[x] * &pa[x] * &pb[n - x]).collect();
        Some(Self {
            num,
            den: num_traits::pow(d, n),
        })
    }

    /// Beta-binomial with mean q and intra-class correlation ρ
    /// (α = q(1−ρ)/ρ, β = (1−q)(1−ρ)/ρ); ρ = 0 is the binomial.
    ///
    /// With q = a/d and ρ = r/e, α = A/D and β = B/D for A = a(e−r),
    /// B = (d−a)(e−r), D = d·r, and
    /// `P(X = x) = C(n,x) Π_{i<x}(A+iD) Π_{j<n−x}(B+jD) / Π_{t<n}(A+B+tD)`:
    /// integers only.
    pub fn beta_binomial(n: usize, q: &Probability, rho: &Probability) -> Option<Self> {
        if rho.is_zero() {
            return Self::binomial(n, q);
        }
        let (a, d) = q.exact_parts()?;
        let (r, e) = rho.exact_parts()?;
        // The denominator Π(A+B+tD) has about n·(bits(d·e) + log₂ n) bits.
        let log_n = u64::from(usize::BITS - n.leading_zeros());
        if n > MAX_EXACT_MEMBERS
            || r >= e
            || !within_budget([n as u64 * (d.bits() + e.bits() + log_n)])
        {
            return None;
        }
        let big_a = &a * (&e - &r);
        let big_b = (&d - &a) * (&e - &r);
        let big_d = &d * &r;
        let ra = rising(&big_a, &big_d, n);
        let rb = rising(&big_b, &big_d, n);
        let c = binomial_coefficients(n);
        let num = (0..=n).map(|x| &c[x] * &ra[x] * &rb[n - x]).collect();
        let den = rising(&(&big_a + &big_b), &big_d, n).pop()?;
        Some(Self { num, den })
    }

    /// Poisson-binomial: member i breaks with its own exact q_i.
    pub fn poisson_binomial(qs: &[Probability]) -> Option<Self> {
        if qs.len() > MAX_EXACT_MEMBERS
            || !within_budget(
                qs.iter()
                    .map(|q| q.exact_parts().map_or(0, |(_, d)| d.bits())),
            )
        {
            return None;
        }
        let mut cur = Self::point(0, 0);
        for q in qs {
            let (a, d) = q.exact_parts()?;
            let b = &d - &a;
            let mut next = vec![BigUint::zero(); cur.num.len() + 1];
            for (x, m) in cur.num.iter().enumerate() {
                next[x] += m * &b;
                next[x + 1] += m * &a;
            }
            cur = Self {
                num: next,
                den: cur.den * d,
            };
        }
        Some(cur)
    }

    /// Comonotone block: members share one uniform draw U and member i
    /// breaks when U < q_i, so each keeps its own q_i but they break
    /// together as far as their q's allow (equal q's: all or none).
    /// `P(T ≥ j) = q_(j)`, the j-th largest.
    pub fn comonotone_block(qs: &[Probability]) -> Option<Self> {
        let mut sorted: Vec<BigRational> = qs
            .iter()
            .map(|q| q.exact().cloned())
            .collect::<Option<_>>()?;
        sorted.sort_by(|a, b| b.cmp(a));
        let m = sorted.len();
        let mut masses = Vec::with_capacity(m + 1);
        let mut prev = BigRational::one();
        for q in &sorted {
            masses.push(&prev - q);
            prev = q.clone();
        }
        masses.push(prev);
        Some(Self::from_rationals(&masses))
    }

    /// Builds from rational masses (brings them to a common denominator).
    pub fn from_rationals(masses: &[BigRational]) -> Self {
        // lcm(acc, d) = acc · d / gcd(acc, d), and the reduced acc/d has
        // denominator d / gcd(acc, d).
        let den = masses.iter().fold(BigInt::one(), |acc, m| {
            let reduced = BigRational::new(acc.clone(), m.denom().clone());
            acc * reduced.denom()
        });
        let num = masses
            .iter()
            .map(|m| (m.numer() * (&den / m.denom())).magnitude().clone())
            .collect();
        Self {
            num,
            den: den.magnitude().clone(),
        }
    }

    /// Common shock c = u/v: with probability c every member breaks at once.
    pub fn with_common_shock(&self, c: &Probability) -> Option<Self> {
        let (u, v) = c.exact_parts()?;
        let keep = &v - &u;
        let mut num: Vec<BigUint> = self.num.iter().map(|m| m * &keep).collect();
        if let Some(last) = num.last_mut() {
            *last += &u * &self.den;
        }
        Some(Self {
            num,
            den: &self.den * v,
        })
    }

    /// Sum of two independent counts.
    pub fn convolve(&self, other: &Self) -> Self {
        if self.num.is_empty() || other.num.is_empty() {
            return Self {
                num: Vec::new(),
                den: BigUint::one(),
            };
        }
        let mut num = vec![BigUint::zero(); self.num.len() + other.num.len() - 1];
        for (i, a) in self.num.iter().enumerate() {
            if a.is_zero() {
                continue;
            }
            for (j, b) in other.num.iter().enumerate() {
                num[i + j] += a * b;
            }
        }
        Self {
            num,
            den: &self.den * &other.den,
        }
    }

    /// `P(a ≤ X ≤ b)`, reduced.
    pub fn between(&self, a: usize, b: usize) -> BigRational {
        let b = b.min(self.n());
        if a > b || self.num.is_empty() {
            return BigRational::zero();
        }
        let sum: BigUint = self.num[a..=b].iter().sum();
        ratio(sum, &self.den)
    }

    /// `P(X ≥ k)`.
    pub fn at_least(&self, k: usize) -> BigRational {
        self.between(k, self.n())
    }

    /// `P(X = x)` for each x, reduced.
    pub fn masses(&self) -> Vec<BigRational> {
        self.num
            .iter()
            .map(|m| ratio(m.clone(), &self.den))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }
    fn p(s: &str) -> Probability {
        Probability::parse("p", s).unwrap()
    }

    #[test]
    fn post_values_exact() {
        let q = p("0.1");
        assert_eq!(
            ExactPmf::binomial(7, &q).unwrap().at_least(4),
            r(341, 125_000)
        );
        let s1 = ExactPmf::binomial(8, &q).unwrap();
        assert_eq!(s1.at_least(3), r(3_809_179, 100_000_000));
        assert_eq!(s1.at_least(6), r(2341, 100_000_000));
        assert_eq!(s1.between(3, 5), r(3_806_838, 100_000_000));
    }

    #[test]
    fn masses_sum_to_one() {
        let d = ExactPmf::beta_binomial(8, &p("0.1"), &p("0.2")).unwrap();
        assert_eq!(d.between(0, 8), r(1, 1));
        let d = ExactPmf::poisson_binomial(&[p("0.1"), p("1/3"), p("0.7")]).unwrap();
        assert_eq!(d.between(0, 3), r(1, 1));
    }

    #[test]
    fn beta_binomial_small_case_by_hand() {
        // n = 2, q = 1/2, ρ = 1/3: α = β = 1, the uniform on {0, 1, 2}.
        let d = ExactPmf::beta_binomial(2, &p("1/2"), &p("1/3")).unwrap();
        assert_eq!(d.masses(), vec![r(1, 3), r(1, 3), r(1, 3)]);
        // Pair correlation: P(both) = q(q + ρ(1−q)) = 1/2 (1/2 + 1/6) = 1/3. Checked above.
    }

    #[test]
    fn poisson_binomial_two_of_three_exact() {
        let d = ExactPmf::poisson_binomial(&[p("1/10"), p("1/5"), p("3/10")]).unwrap();
        // ab + ac + bc − 2abc = 0.02 + 0.03 + 0.06 − 0.012 = 0.098
        assert_eq!(d.at_least(2), r(98, 1000));
    }

    #[test]
    fn comonotone_block_and_shock() {
        let d = ExactPmf::comonotone_block(&[p("0.1"), p("0.3"), p("0.1")]).unwrap();
        assert_eq!(d.masses(), vec![r(7, 10), r(2, 10), r(0, 1), r(1, 10)]);
        let s = ExactPmf::binomial(8, &p("0.1"))
            .unwrap()
            .with_common_shock(&p("0.01"))
            .unwrap();
        assert_eq!(s.at_least(6), r(1, 100) + r(99, 100) * r(2341, 100_000_000));
    }

    #[test]
    fn huge_denominators_skip_exact() {
        // 30-bit denominator × 1000 members is over the budget.
        assert!(ExactPmf::binomial(1000, &p("0.123456789")).is_none());
        assert!(ExactPmf::binomial(1000, &p("0.1")).is_some());
        assert!(ExactPmf::beta_binomial(2000, &p("0.123456789"), &p("0.01")).is_none());
    }

    #[test]
    fn float_inputs_give_no_exact_result() {
        let q = Probability::from_f64("q", 0.1).unwrap();
        assert!(ExactPmf::binomial(8, &q).is_none());
    }
}
