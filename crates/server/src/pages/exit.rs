//! The exit window as the pages show it, read from the typed assessment:
//! its colour is the governance crate's rating ([`Rating`], where the 7- and
//! 30-day thresholds live); the page only words it.

use l2stage_governance::{ExitWindow, Rating};

use super::Assessment;

/// A duration in words for the page, via the shared formatter
/// ([`l2stage_render::format::duration`]): `7 days 12 hours`, `12 hours`,
/// `45 seconds`; never negative (the absolute value is written), and a
/// zero window reads `no time`.
pub fn duration_words(s: i64) -> String {
    if s == 0 {
        return "no time".into();
    }
    l2stage_render::format::duration(s.saturating_abs())
}

/// The exit window as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitView {
    pub label: String,
    /// `ew-green`, `ew-yellow`, `ew-red`, `ew-none`, `ew-unknown`.
    pub class: &'static str,
    /// The window in seconds when it is positive.
    pub seconds: Option<i64>,
    /// Sorting key: none < red < yellow < green, then seconds; `None`
    /// (not computed, "—") sorts last in both directions.
    pub rank: Option<(u8, i64)>,
    /// The window in words, for the project page: never a negative
    /// duration.
    pub words: String,
    pub detail: String,
    /// Nothing can upgrade the system (`"unbounded": true`): green, no
    /// number of seconds.
    pub unbounded: bool,
}

impl From<&Assessment> for ExitView {
    fn from(a: &Assessment) -> ExitView {
        ExitView::from(a.exit_window.as_ref())
    }
}

impl From<Option<&ExitWindow>> for ExitView {
    /// No window (no governance structure in force, or nothing computed)
    /// shows "—".
    fn from(ew: Option<&ExitWindow>) -> ExitView {
        match ew {
            Some(ew) => ExitView::from(ew),
            None => ExitView {
                label: "—".into(),
                class: "ew-unknown",
                seconds: None,
                rank: None,
                words: "not computed".into(),
                detail: "Not computed: the project file does not describe its governance structure, or nothing can upgrade it.".into(),
                unbounded: false,
            },
        }
    }
}

/// CSS class and sorting rank of a rating.
fn rating_class(r: Rating) -> (&'static str, u8) {
    match r {
        Rating::Green => ("ew-green", 3),
        Rating::Yellow => ("ew-yellow", 2),
        Rating::Red => ("ew-red", 1),
        Rating::None => ("ew-none", 0),
    }
}

impl From<&ExitWindow> for ExitView {
    fn from(ew: &ExitWindow) -> ExitView {
        let seconds = ew.seconds;
        let (class, rank) = rating_class(ew.rating);
        let arithmetic = ew.arithmetic.as_str();
        // Immutable contracts: users can always exit before an upgrade.
        if ew.unbounded || (seconds.is_none() && ew.rating == Rating::Green) {
            return ExitView {
                label: "unbounded".into(),
                class: "ew-green",
                seconds: None,
                rank: Some((3, i64::MAX)),
                words: "unbounded — nothing can upgrade the system, so users can always exit first"
                    .into(),
                detail: arithmetic.to_string(),
                unbounded: true,
            };
        }
        let label = match seconds {
            Some(s) if s > 0 => l2stage_render::format::duration_compact(s),
            Some(_) => "none".into(),
            None => "no exit".into(),
        };
        let words = match seconds {
            Some(s) if s > 0 => format!(
                "{} to exit before an upgrade takes effect",
                duration_words(s)
            ),
            Some(0) => "none — an upgrade can take effect as soon as users could exit".into(),
            Some(s) => format!(
                "none — an upgrade can take effect {} before users could exit",
                duration_words(s)
            ),
            None => format!("none — {arithmetic}"),
        };
        let mut detail = Vec::new();
        if !ew.path.is_empty() {
            detail.push(format!("slowest upgrade path: {}", ew.path.join(" → ")));
        }
        if ew.council_can_upgrade_instantly {
            detail.push("the Security Council can upgrade without delay".into());
        }
        // The arithmetic only when its result is a real window: a negative
        // result is said in words above.
        if seconds.is_some_and(|s| s > 0) {
            detail.push(arithmetic.to_string());
        }
        ExitView {
            label,
            class,
            seconds: seconds.filter(|s| *s > 0),
            rank: Some((rank, seconds.unwrap_or(i64::MIN))),
            words,
            detail: detail.join("; "),
            unbounded: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(seconds: Option<i64>, rating: Rating) -> ExitWindow {
        ExitWindow {
            seconds,
            rating,
            path: Vec::new(),
            council_can_upgrade_instantly: false,
            arithmetic: String::new(),
            unbounded: false,
        }
    }

    #[test]
    fn exit_window_in_words_and_colour() {
        let none = ExitView::from(None);
        assert_eq!((none.label.as_str(), none.class), ("—", "ew-unknown"));
        let ten = ExitView::from(&ExitWindow {
            path: vec!["dao".into(), "timelock".into()],
            council_can_upgrade_instantly: true,
            arithmetic: "8d + 3d - 1d = 10d".into(),
            ..window(Some(864_000), Rating::Yellow)
        });
        assert_eq!(
            (ten.label.as_str(), ten.class, ten.seconds),
            ("10d", "ew-yellow", Some(864_000))
        );
        assert_eq!(
            ten.detail,
            "slowest upgrade path: dao → timelock; the Security Council can upgrade without delay; 8d + 3d - 1d = 10d"
        );
        assert_eq!(ten.words, "10 days to exit before an upgrade takes effect");
        let neg = ExitView::from(&window(Some(-5), Rating::None));
        assert_eq!((neg.label.as_str(), neg.class), ("none", "ew-none"));
        assert_eq!(
            neg.words,
            "none — an upgrade can take effect 5 seconds before users could exit"
        );
        let no_exit = ExitView::from(&ExitWindow {
            arithmetic: "no exit without the operators".into(),
            ..window(None, Rating::None)
        });
        assert_eq!(no_exit.label, "no exit");
        assert_eq!(no_exit.words, "none — no exit without the operators");
        // Immutable: unbounded, green, sorted above every window.
        let immutable = ExitView::from(&ExitWindow {
            unbounded: true,
            ..window(None, Rating::Green)
        });
        assert_eq!(
            (
                immutable.label.as_str(),
                immutable.class,
                immutable.unbounded
            ),
            ("unbounded", "ew-green", true)
        );
        assert!(immutable.rank > ten.rank && ten.rank > neg.rank && neg.rank > no_exit.rank);
        assert!(none.rank.is_none());
    }

    #[test]
    fn the_colour_is_the_governance_rating() {
        // The page draws what the governance crate rated: a window of 6 days
        // 23 hours is red, 7 days yellow, 30 days green.
        for (days_hours, class) in [
            ((6, 23), "ew-red"),
            ((7, 0), "ew-yellow"),
            ((30, 0), "ew-green"),
        ] {
            let s = days_hours.0 * 86_400 + days_hours.1 * 3_600;
            let v = ExitView::from(&window(Some(s), Rating::of(Some(s))));
            assert_eq!(v.class, class, "{s} s");
        }
    }
}
