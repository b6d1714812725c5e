//! Writing a submission: the project file (once per distinct input) and
//! its assessment (once per file, revision, day and engine).

use super::*;

/// [`Store::record`] inside a transaction the caller commits.
pub(crate) fn record_in(
    tx: &rusqlite::Transaction<'_>,
    sub: NewSubmission<'_>,
    now: &str,
) -> Result<Recorded> {
    let v = &sub.assessment.verdict;
    let project_id = v.id.as_str();
    let hash = input_hash(sub.format, sub.text);
    let json = serde_json::to_string(sub.assessment)?;
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, input_hash FROM project_files WHERE project_id = ?1 ORDER BY id DESC LIMIT 1",
            params![project_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (file_seq, file_changed) = match latest {
        Some((id, h)) if h == hash => (id, false),
        _ => {
            tx.execute(
                "INSERT INTO project_files (project_id, format, source, input_hash, origin, source_name, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    project_id,
                    format_str(sub.format),
                    sub.text,
                    hash,
                    sub.origin.as_str(),
                    sub.source_name,
                    now
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };
    let as_of = v.as_of.to_string();
    let existing: Option<i64> = if file_changed {
        None
    } else {
        tx.query_row(
            "SELECT id FROM assessments WHERE file_id = ?1 AND framework = ?2 AND as_of = ?3 AND engine = ?4 AND assessment = ?5
             ORDER BY id DESC LIMIT 1",
            params![file_seq, v.framework, as_of, ENGINE_VERSION, json],
            |r| r.get(0),
        )
        .optional()?
    };
    let (assessment_seq, assessment_added) = match existing {
        Some(id) => (id, false),
        None => {
            tx.execute(
                "INSERT INTO assessments (project_id, file_id, input_hash, framework, as_of, stage, name, kind, engine, assessment, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    project_id,
                    file_seq,
                    hash,
                    v.framework,
                    as_of,
                    v.stage.as_str(),
                    v.name,
                    v.kind.as_str(),
                    ENGINE_VERSION,
                    json,
                    now
                ],
            )?;
            (tx.last_insert_rowid(), true)
        }
    };
    Ok(Recorded {
        file_seq,
        assessment_seq,
        file_changed,
        assessment_added,
    })
}
