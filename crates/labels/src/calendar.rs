//! Calendar arithmetic on [`Date`]s that never panics: every step is checked
//! and gives `None` outside chrono's range.

use chrono::{Days, Months};

use l2stage_model::Date;

/// `date` plus `n` calendar months; the day is clamped to the end of a
/// shorter month (2024-08-31 + 6 months = 2025-02-28).
pub fn add_months(date: Date, n: u32) -> Option<Date> {
    date.0.checked_add_months(Months::new(n)).map(Date)
}

/// `date` minus `n` calendar months, clamped like [`add_months`].
pub fn sub_months(date: Date, n: u32) -> Option<Date> {
    date.0.checked_sub_months(Months::new(n)).map(Date)
}

pub fn next_day(date: Date) -> Option<Date> {
    date.0.checked_add_days(Days::new(1)).map(Date)
}

pub fn prev_day(date: Date) -> Option<Date> {
    date.0.checked_sub_days(Days::new(1)).map(Date)
}

pub fn add_days(date: Date, n: u64) -> Option<Date> {
    date.0.checked_add_days(Days::new(n)).map(Date)
}

/// The first day on which more than `n` months have passed since `start`:
/// the day after `start + n months`.
pub fn more_than_months_after(start: Date, n: u32) -> Option<Date> {
    add_months(start, n).and_then(next_day)
}

/// The latest day `t` such that `t + n months` is strictly before `day`:
/// a period starting on `t` or earlier has lasted more than `n` months on
/// `day`. `add_months` is monotone, so the answer is well defined.
pub fn latest_start_more_than(day: Date, n: u32) -> Option<Date> {
    let mut t = sub_months(day, n)?;
    // At most a few steps each way: clamping moves the answer by ≤ 3 days.
    while add_months(t, n)? >= day {
        t = prev_day(t)?;
    }
    while let Some(next) = next_day(t)
        && add_months(next, n).is_some_and(|d| d < day)
    {
        t = next;
    }
    Some(t)
}

/// Whole calendar months from `start` to `end` (0 when `end` is earlier):
/// the largest `m` with `start + m months <= end`.
pub fn whole_months(start: Date, end: Date) -> u32 {
    if end <= start {
        return 0;
    }
    use chrono::Datelike;
    let (a, b) = (start.0, end.0);
    let guess = (b.year() - a.year()) * 12 + b.month() as i32 - a.month() as i32;
    let mut m = u32::try_from(guess.max(0)).unwrap_or(0);
    while m > 0 && add_months(start, m).is_none_or(|d| d > end) {
        m -= 1;
    }
    while add_months(start, m + 1).is_some_and(|d| d <= end) {
        m += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(d("2024-08-31"), 6), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2023-08-31"), 6), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2025-01-15"), 6), Some(d("2025-07-15")));
        assert_eq!(
            more_than_months_after(d("2025-01-15"), 6),
            Some(d("2025-07-16"))
        );
    }

    #[test]
    fn latest_start_is_exact() {
        // 2025-01-15 + 6 months = 2025-07-15, not before 2025-07-15...
        assert_eq!(
            latest_start_more_than(d("2025-07-15"), 6),
            Some(d("2025-01-14"))
        );
        // ...but before 2025-07-16.
        assert_eq!(
            latest_start_more_than(d("2025-07-16"), 6),
            Some(d("2025-01-15"))
        );
        // Clamping: 2024-08-29..31 + 6 months are all 2025-02-28.
        assert_eq!(
            latest_start_more_than(d("2025-03-01"), 6),
            Some(d("2024-08-31"))
        );
        assert_eq!(
            latest_start_more_than(d("2025-02-28"), 6),
            Some(d("2024-08-27"))
        );
    }

    #[test]
    fn whole_months_counts_calendar_months() {
        assert_eq!(whole_months(d("2024-06-10"), d("2026-06-09")), 23);
        assert_eq!(whole_months(d("2024-06-10"), d("2026-06-10")), 24);
        assert_eq!(whole_months(d("2024-01-31"), d("2024-02-29")), 1);
        assert_eq!(whole_months(d("2024-05-01"), d("2024-04-01")), 0);
    }
}
