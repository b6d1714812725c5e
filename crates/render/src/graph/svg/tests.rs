//! Unit tests of `svg`.

use super::*;

#[test]
fn wrapping_fits_cuts_and_breaks() {
    let max = BOX_W - 2.0 * PAD - 6.0;
    let lines = wrap(
        "Arbitrum Security Council (emergency, L1 Safe)",
        12.0,
        true,
        max,
        3,
    );
    assert!(lines.len() > 1 && lines.len() <= 3, "{lines:?}");
    assert!(
        lines.iter().all(|l| width(l, 12.0, true) <= max),
        "{lines:?}"
    );
    assert_eq!(
        lines.join(" "),
        "Arbitrum Security Council (emergency, L1 Safe)"
    );
    // Too long: cut with an ellipsis, still within the lines and width.
    let long = "word ".repeat(60);
    let lines = wrap(&long, 11.0, false, max, 2);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with('…'), "{lines:?}");
    assert!(
        lines.iter().all(|l| width(l, 11.0, false) <= max),
        "{lines:?}"
    );
    // No room at all: nothing, not a panic.
    assert!(wrap(&long, 11.0, false, max, 0).is_empty());
    // A long identifier breaks at a camelCase boundary.
    let lines = wrap("SuperchainProxyAdminOwnerContract", 12.0, true, max, 3);
    assert!(
        lines.iter().all(|l| width(l, 12.0, true) <= max),
        "{lines:?}"
    );
    assert_eq!(lines.concat(), "SuperchainProxyAdminOwnerContract");
    assert!(lines.len() > 1, "{lines:?}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.starts_with(|c: char| c.is_uppercase())),
        "{lines:?}"
    );
}

#[test]
fn escaping_covers_markup_quotes_and_control_characters() {
    assert_eq!(
        esc("<a href=\"x\">'&'</a>\u{0}\n"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{FFFD} "
    );
}
