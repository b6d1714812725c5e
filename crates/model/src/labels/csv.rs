//! The value-locked CSV format.

use std::path::Path;

use super::{ValuePoint, check_amount};
use crate::date::Date;
use crate::parse::{LoadError, error_at};

/// The columns of a value-locked CSV file.
pub const CSV_COLUMNS: [&str; 5] = ["date", "total", "eth", "stablecoins", "other"];

/// Parse a value-locked CSV file: `#` comment lines and blank lines are
/// skipped; the first other line is the header naming the columns
/// (`date,total,eth,stablecoins` and optionally `other`, in any order); every
/// following line is one point, in strictly increasing date order. Amounts
/// are plain decimal US dollars (no thousands separators); `eth`,
/// `stablecoins` and `other` may be left empty when the source does not give
/// them (unknown, never guessed). Errors name the file, line and column.
/// `name` is used in error messages.
pub fn parse_value_csv(name: &str, src: &str) -> Result<Vec<ValuePoint>, LoadError> {
    let fail = |offset: usize, field: Option<&str>, msg: &str, hint: Option<String>| {
        error_at(name, src, offset, field.map(str::to_string), msg, hint)
    };
    let mut header: Option<Vec<(usize, usize)>> = None; // (column index in CSV_COLUMNS, _)
    let mut points: Vec<ValuePoint> = Vec::new();
    let mut offset = 0usize;
    for raw_line in src.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        // A byte-order mark on the first line is not part of the data.
        let (line, bom) = match line.strip_prefix('\u{feff}') {
            Some(rest) => (rest, '\u{feff}'.len_utf8()),
            None => (line, 0),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // Cells with their byte offset in `src`.
        let mut cells: Vec<(usize, &str)> = Vec::new();
        let mut pos = line_start + bom;
        for cell in line.split(',') {
            let lead = cell.len() - cell.trim_start().len();
            let t = cell.trim();
            let t = t
                .strip_prefix('"')
                .and_then(|c| c.strip_suffix('"'))
                .unwrap_or(t);
            cells.push((pos + lead, t));
            pos += cell.len() + 1;
        }
        match &header {
            None => {
                let mut cols = Vec::new();
                for (i, (at, cell)) in cells.iter().enumerate() {
                    let lower = cell.to_ascii_lowercase();
                    let Some(c) = CSV_COLUMNS.iter().position(|k| *k == lower) else {
                        let hint =
                            crate::requirement::closest_of(&lower, CSV_COLUMNS.iter().copied())
                                .map(|c| format!("did you mean `{c}`?"))
                                .unwrap_or_else(|| format!("columns: {}", CSV_COLUMNS.join(", ")));
                        return Err(fail(
                            *at,
                            None,
                            &format!("unknown column `{cell}` in the header line"),
                            Some(hint),
                        ));
                    };
                    if cols.iter().any(|(k, _)| *k == c) {
                        return Err(fail(
                            *at,
                            None,
                            &format!("column `{lower}` appears twice"),
                            None,
                        ));
                    }
                    cols.push((c, i));
                }
                for required in &CSV_COLUMNS[..4] {
                    if !cols.iter().any(|(k, _)| CSV_COLUMNS[*k] == *required) {
                        return Err(fail(
                            line_start,
                            None,
                            &format!("the header line has no `{required}` column"),
                            Some("the header is `date,total,eth,stablecoins` with an optional `other`".into()),
                        ));
                    }
                }
                header = Some(cols);
            }
            Some(cols) => {
                if cells.len() != cols.len() {
                    return Err(fail(
                        line_start,
                        None,
                        &format!(
                            "expected {} comma-separated values (as in the header), found {}",
                            cols.len(),
                            cells.len()
                        ),
                        None,
                    ));
                }
                let cell_of = |k: usize| -> Option<(usize, &str)> {
                    cols.iter()
                        .find(|(c, _)| *c == k)
                        .and_then(|(_, i)| cells.get(*i).copied())
                };
                let (date_at, date_s) = cell_of(0).unwrap_or((line_start, ""));
                let date: Date = date_s.parse().map_err(|e: crate::date::DateParseError| {
                    fail(date_at, Some("date"), &e.to_string(), None)
                })?;
                let mut amounts = [None; 5];
                for (k, slot) in amounts.iter_mut().enumerate().skip(1) {
                    let Some((at, s)) = cell_of(k) else { continue };
                    if k >= 2 && s.is_empty() {
                        continue; // a part the source does not give: unknown
                    }
                    let v = s
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| {
                            fail(
                                at,
                                Some(CSV_COLUMNS[k]),
                                &format!("`{s}` is not an amount"),
                                Some(
                                    "write plain decimal US dollars, e.g. 1250000000 or 1.25e9"
                                        .into(),
                                ),
                            )
                        })?;
                    check_amount(v).map_err(|e| fail(at, Some(CSV_COLUMNS[k]), &e, None))?;
                    *slot = Some(v);
                }
                if let Some(prev) = points.last()
                    && date <= prev.date
                {
                    return Err(fail(
                        date_at,
                        Some("date"),
                        &format!(
                            "points must be in increasing date order: {date} does not come after the previous point's {}",
                            prev.date
                        ),
                        None,
                    ));
                }
                let p = ValuePoint::new(
                    date,
                    amounts[1].unwrap_or(0.0),
                    amounts[2],
                    amounts[3],
                    amounts[4],
                )
                .map_err(|e| fail(line_start, None, &e, None))?;
                points.push(p);
            }
        }
    }
    if header.is_none() {
        return Err(fail(
            0,
            None,
            "no header line: the file must start (after `#` comments) with `date,total,eth,stablecoins`",
            None,
        ));
    }
    Ok(points)
}

/// Largest value-locked CSV file read, in bytes: 16 MiB (ten years of daily
/// points take under 1 MiB).
pub const MAX_CSV_BYTES: u64 = 16 * 1024 * 1024;

/// Read a value-locked CSV file: a regular file of at most
/// [`MAX_CSV_BYTES`], UTF-8 (see [`crate::read_text`]). Where it may be is
/// the caller's check (`l2stage_labels::Inputs::load`).
pub fn load_value_csv(path: &Path) -> Result<Vec<ValuePoint>, LoadError> {
    let src = crate::parse::read_text(path, MAX_CSV_BYTES)?;
    parse_value_csv(&path.display().to_string(), &src)
}
