//! Reading stored rows back into typed records.

use super::*;

pub(crate) const FILE_COLS: &str =
    "id, project_id, format, source, input_hash, origin, source_name, received_at";

pub(crate) fn file_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredFile>> {
    let format: String = r.get(2)?;
    let origin: String = r.get(5)?;
    let (format, origin) = match (parse_format(&format), Origin::parse(&origin)) {
        (Ok(f), Ok(o)) => (f, o),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    Ok(Ok(StoredFile {
        seq: r.get(0)?,
        project_id: r.get(1)?,
        format,
        text: r.get(3)?,
        input_hash: r.get(4)?,
        origin,
        source_name: r.get(6)?,
        received_at: r.get(7)?,
    }))
}

pub(crate) const ASSESSMENT_COLS: &str = "a.id, a.project_id, a.file_id, a.input_hash, f.origin, a.framework, a.as_of, a.stage, a.name, a.kind, a.engine, a.created_at, a.assessment";

pub(crate) fn assessment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<AssessmentRecord>> {
    let origin: String = r.get(4)?;
    let as_of: String = r.get(6)?;
    let origin = match Origin::parse(&origin) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let as_of = match as_of.parse::<Date>() {
        Ok(d) => d,
        Err(e) => return Ok(Err(StoreError::Corrupt(e.to_string()))),
    };
    Ok(Ok(AssessmentRecord {
        seq: r.get(0)?,
        project_id: r.get(1)?,
        file_seq: r.get(2)?,
        input_hash: r.get(3)?,
        origin,
        framework: r.get(5)?,
        as_of,
        stage: r.get(7)?,
        name: r.get(8)?,
        kind: r.get(9)?,
        engine: r.get(10)?,
        created_at: r.get(11)?,
        assessment_json: r.get(12)?,
    }))
}
