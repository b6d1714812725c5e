//! The server's state: the database, the current project files in memory,
//! and caches of what was computed from them.
//!
//! Reads never touch the database on the hot path: every project's latest
//! file is parsed once and kept in a [`Live`] snapshot, assessments are
//! computed once per (day, revision) and kept with their serialized JSON,
//! and the list endpoint's response bytes are kept per query. A write
//! replaces the whole snapshot (caches included) after its transaction
//! committed, so no reader ever sees a stale cache of a newer snapshot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use l2stage_assess::catalog::Catalog;
use l2stage_assess::{AssessError, Assessment, Context, TimelineEntry, assess};
use l2stage_framework::{SelectError, Selection, select};
use l2stage_labels::{Inputs, Registry};
use l2stage_model::{Date, Format, ProjectFile};
use l2stage_store::{CurrentProject, NewSubmission, Origin, Recorded, Store, StoreError};

use crate::error::ApiError;
use crate::pages::ProjectRisk;

/// Caches are dropped whole when they grow past these sizes (a client
/// cycling through `as_of` values cannot grow memory without bound).
const MAX_DAYS: usize = 64;
const MAX_RESPONSES: usize = 1024;
const MAX_TIMELINES: usize = 1024;
/// Fewer risk charts: each holds an SVG of tens of KiB.
const MAX_RISKS: usize = 128;

/// A project's stage timeline, shared by the caches and the pages.
pub type Timeline = Arc<Vec<TimelineEntry>>;

/// How the server was started.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Bearer token required by `POST /api/v1/projects`; `None` disables
    /// submissions.
    pub token: Option<String>,
    /// Pin "today" (tests); `None` uses the UTC date.
    pub today: Option<Date>,
}

/// One project assessed on one day.
#[derive(Debug)]
pub struct Item {
    pub assessment: Assessment,
    /// The assessment as JSON, for the list API's summary (it copies some
    /// keys as they are); the pages read the typed `assessment`.
    pub value: serde_json::Value,
    /// `value` serialized: the body of `GET /api/v1/projects/{id}`.
    pub json: Bytes,
}

/// Every project assessed on one day under one revision.
#[derive(Debug)]
pub struct Day {
    pub as_of: Date,
    pub framework: Option<String>,
    /// Sorted by project id.
    pub items: Vec<Item>,
    /// Projects whose assessment failed that day: (id, message).
    pub failed: Vec<(String, String)>,
}

impl Day {
    pub fn get(&self, id: &str) -> Option<&Item> {
        self.items
            .binary_search_by(|i| i.assessment.verdict.id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.items.get(i))
    }
}

type DayKey = (Date, Option<String>);

/// The current project files and what was computed from them.
pub struct Live {
    /// Sorted by project id.
    pub projects: Vec<CurrentProject>,
    /// Label inputs (value-locked series, proof systems) by project id, as
    /// `l2stage assess` reads them beside each file.
    labels: HashMap<String, Inputs>,
    /// By project id: the warnings of the watched governance structure the
    /// project is served with (docs/discovery.md, "Watching"), added to
    /// every assessment of it.
    chain_warnings: HashMap<String, Vec<String>>,
    days: Mutex<HashMap<DayKey, Arc<Day>>>,
    responses: RwLock<HashMap<(Date, String), Bytes>>,
    /// Stage timelines by (project id, last day): a project's page and its
    /// `/history` re-assess it on every day something could change.
    timelines: Mutex<HashMap<(String, Date), Timeline>>,
    /// A project page's risk chart (compacted), note and crossovers by
    /// (project id, day): the same for every view.
    risks: Mutex<HashMap<(String, Date), Arc<ProjectRisk>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Live {
    fn new(
        mut projects: Vec<CurrentProject>,
        labels: HashMap<String, Inputs>,
        chain_warnings: HashMap<String, Vec<String>>,
    ) -> Live {
        projects.sort_by(|a, b| a.file.project_id.cmp(&b.file.project_id));
        Live {
            projects,
            labels,
            chain_warnings,
            days: Mutex::new(HashMap::new()),
            responses: RwLock::new(HashMap::new()),
            timelines: Mutex::new(HashMap::new()),
            risks: Mutex::new(HashMap::new()),
        }
    }

    pub fn project(&self, id: &str) -> Option<&CurrentProject> {
        self.projects
            .binary_search_by(|p| p.file.project_id.as_str().cmp(id))
            .ok()
            .and_then(|i| self.projects.get(i))
    }

    /// The id of the project that lists `name` among its aliases, when no
    /// project has `name` as its id.
    pub fn alias_of(&self, name: &str) -> Option<&str> {
        if self.project(name).is_some() {
            return None;
        }
        self.projects
            .iter()
            .find(|p| p.project.project.aliases.iter().any(|a| a.as_str() == name))
            .map(|p| p.file.project_id.as_str())
    }

    /// Every project assessed on `as_of` (cached).
    pub fn day(&self, as_of: Date, framework: Option<&str>) -> Result<Arc<Day>, ApiError> {
        let key = (as_of, framework.map(str::to_string));
        if let Some(d) = lock(&self.days).get(&key) {
            return Ok(d.clone());
        }
        let sel = Selection { framework, as_of };
        select(sel).map_err(|e: SelectError| ApiError::bad_request(e.to_string()))?;
        let mut items = Vec::with_capacity(self.projects.len());
        let mut failed = Vec::new();
        for p in &self.projects {
            if let Some(why) = l2stage_assess::not_live_on(&p.project, as_of) {
                failed.push((p.file.project_id.clone(), why));
                continue;
            }
            let ctx = Context {
                selection: sel,
                labels: self.labels.get(&p.file.project_id),
            };
            match assess(&p.project, &ctx) {
                Ok(mut assessment) => {
                    if let Some(w) = self.chain_warnings.get(&p.file.project_id) {
                        assessment.verdict.warnings.extend(w.iter().cloned());
                    }
                    let value = serde_json::to_value(&assessment)
                        .map_err(|e| ApiError::internal(format!("serialising: {e}")))?;
                    let json = Bytes::from(
                        serde_json::to_vec(&value)
                            .map_err(|e| ApiError::internal(format!("serialising: {e}")))?,
                    );
                    items.push(Item {
                        assessment,
                        value,
                        json,
                    });
                }
                Err(AssessError::Select(e)) => return Err(ApiError::bad_request(e.to_string())),
                Err(e) => failed.push((p.file.project_id.clone(), e.to_string())),
            }
        }
        let day = Arc::new(Day {
            as_of,
            framework: key.1.clone(),
            items,
            failed,
        });
        let mut days = lock(&self.days);
        if days.len() >= MAX_DAYS {
            days.clear();
        }
        days.insert(key, day.clone());
        Ok(day)
    }

    /// `project`'s stage timeline up to `until` (cached; the files cannot
    /// change under a `Live`, a submission builds a new one). A timeline
    /// that cannot be derived is a 422.
    pub fn timeline(&self, project: &CurrentProject, until: Date) -> Result<Timeline, ApiError> {
        let key = (project.file.project_id.clone(), until);
        if let Some(t) = lock(&self.timelines).get(&key) {
            return Ok(t.clone());
        }
        let t = Arc::new(
            l2stage_assess::timeline(&project.project, until)
                .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?,
        );
        let mut map = lock(&self.timelines);
        if map.len() >= MAX_TIMELINES {
            map.clear();
        }
        map.insert(key, t.clone());
        Ok(t)
    }

    /// `project`'s risk chart (compacted for the page), note and crossovers
    /// on `as_of` (cached, as [`Live::timeline`]).
    pub fn project_risk(&self, project: &CurrentProject, as_of: Date) -> Arc<ProjectRisk> {
        let key = (project.file.project_id.clone(), as_of);
        if let Some(r) = lock(&self.risks).get(&key) {
            return r.clone();
        }
        let mut r = crate::pages::project_risk(&project.project, as_of);
        r.svg = r.svg.map(|svg| crate::pages::compact_svg(&svg));
        let r = Arc::new(r);
        let mut map = lock(&self.risks);
        if map.len() >= MAX_RISKS {
            map.clear();
        }
        map.insert(key, r.clone());
        r
    }

    /// A cached response body for (today, query).
    pub fn cached(&self, today: Date, query: &str) -> Option<Bytes> {
        let map = self.responses.read().unwrap_or_else(|e| e.into_inner());
        map.get(&(today, query.to_string())).cloned()
    }

    pub fn cache(&self, today: Date, query: &str, body: Bytes) {
        let mut map = self.responses.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_RESPONSES {
            map.clear();
        }
        map.insert((today, query.to_string()), body);
    }
}

/// What start-up did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Startup {
    pub projects: usize,
    /// Catalog files stored because they were new or changed.
    pub new_files: usize,
    pub new_assessments: usize,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Assess(#[from] AssessError),
}

/// What a submission did.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    pub id: String,
    pub recorded: Recorded,
    pub input_hash: String,
}

/// What `/healthz` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// The reason, naming the database file.
    Unhealthy(String),
}

/// How long a health check's answer is reused.
pub const HEALTH_TTL: std::time::Duration = std::time::Duration::from_secs(5);

struct HealthCheck {
    at: std::time::Instant,
    /// The database file's size and modification time when checked.
    file: Option<(u64, std::time::SystemTime)>,
    health: Health,
}

fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Serve `p` with the governance structure the latest watch cycle
/// assessed it with, when that cycle merged this very file (its input
/// hash): returns the merge's warnings. A stored structure that does not
/// make a valid project file is not used (a warning says why).
fn watched(
    store: &Store,
    p: &mut CurrentProject,
    problems: &mut Vec<String>,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(w) = store.watched_governance(&p.file.project_id, &p.file.input_hash)? else {
        return Ok(None);
    };
    let merged = match w.apply_to(&p.project) {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!(
                "project `{}`: {e}; it is not used",
                p.file.project_id
            ));
            return Ok(None);
        }
    };
    p.project = merged;
    Ok(Some(w.warnings))
}

/// The server's shared state.
pub struct App {
    store: Mutex<Store>,
    /// The database file, checked afresh by `/healthz` (`None`: in memory).
    db_path: Option<PathBuf>,
    /// The last health check, reused for [`HEALTH_TTL`] while the file
    /// looks unchanged: `/healthz` cannot be made to re-read a large
    /// database on every request.
    health: Mutex<Option<HealthCheck>>,
    live: RwLock<Arc<Live>>,
    /// Resolves the proof-system ids of submitted files.
    registry: Option<Registry>,
    token_hash: Option<[u8; 32]>,
    today: Option<Date>,
}

fn sha256(s: &[u8]) -> [u8; 32] {
    Sha256::digest(s).into()
}

impl App {
    /// Store the catalog's new or changed files, load every project's latest
    /// file, and store today's assessment of each (once per day).
    pub fn start(
        mut store: Store,
        catalog: &Catalog,
        config: Config,
    ) -> Result<(App, Startup), StartError> {
        let today = config.today.unwrap_or_else(Date::today);
        let sel = Selection {
            framework: None,
            as_of: today,
        };
        let mut report = Startup::default();
        let registry = catalog.registry.clone();
        // Label inputs of catalog files, by project id and file hash: they
        // apply while that version is the current one.
        let mut catalog_labels: HashMap<String, (String, Inputs)> = HashMap::new();
        for f in &catalog.files {
            let id = f.project.project.id.as_str();
            let hash = l2stage_store::input_hash(f.format, &f.text);
            catalog_labels.insert(id.to_string(), (hash.clone(), f.labels.clone()));
            let last_from_catalog = store.latest_file(id, Some(Origin::Catalog))?;
            if last_from_catalog.is_some_and(|l| l.input_hash == hash) {
                continue; // unchanged since the last start: an API submission may be newer
            }
            let assessment = assess(&f.project, &Context::new(sel).with_labels(&f.labels))?;
            let source_name = f.path.display().to_string();
            let r = store.record(NewSubmission {
                format: f.format,
                text: &f.text,
                origin: Origin::Catalog,
                source_name: Some(&source_name),
                assessment: &assessment,
            })?;
            report.new_files += usize::from(r.file_changed);
            report.new_assessments += usize::from(r.assessment_added);
        }
        let (mut current, unreadable) = store.load_current()?;
        for u in &unreadable {
            report.warnings.push(format!(
                "stored project `{}` (version #{}) no longer parses and is not served: {}",
                u.file.project_id, u.file.seq, u.error
            ));
        }
        let mut labels = HashMap::new();
        let mut chain_warnings = HashMap::new();
        for p in &mut current {
            if let Some(w) = watched(&store, p, &mut report.warnings)? {
                chain_warnings.insert(p.file.project_id.clone(), w);
            }
        }
        for p in &current {
            let mut inputs = match catalog_labels.get(&p.file.project_id) {
                Some((hash, inputs)) if *hash == p.file.input_hash => inputs.clone(),
                _ => Inputs::inline(&p.project, registry.as_ref()),
            };
            // What watching the chain stored (docs/labels.md, "From chain data").
            inputs.chain = store.chain_data(&p.file.project_id)?;
            labels.insert(p.file.project_id.clone(), inputs);
        }
        for p in &current {
            let ctx = Context {
                selection: sel,
                labels: labels.get(&p.file.project_id),
            };
            match assess(&p.project, &ctx) {
                Ok(mut assessment) => {
                    if let Some(w) = chain_warnings.get(&p.file.project_id) {
                        assessment.verdict.warnings.extend(w.iter().cloned());
                    }
                    let r = store.record(NewSubmission {
                        format: p.file.format,
                        text: &p.file.text,
                        origin: p.file.origin,
                        source_name: p.file.source_name.as_deref(),
                        assessment: &assessment,
                    })?;
                    report.new_assessments += usize::from(r.assessment_added);
                }
                Err(e) => report.warnings.push(format!(
                    "project `{}` cannot be assessed today: {e}",
                    p.file.project_id
                )),
            }
        }
        report.projects = current.len();
        let db_path = Some(store.path().to_path_buf()).filter(|p| p.as_os_str() != ":memory:");
        let app = App {
            store: Mutex::new(store),
            db_path,
            health: Mutex::new(None),
            live: RwLock::new(Arc::new(Live::new(current, labels, chain_warnings))),
            registry,
            token_hash: config.token.as_deref().map(|t| sha256(t.as_bytes())),
            today: config.today,
        };
        Ok((app, report))
    }

    /// Whether the database is sound: the file re-opened and checked by a
    /// fresh reader within a bounded time, so damage on disk is seen even
    /// while this process's cache hides it; an in-memory database is
    /// asked for a trivial query. Blocking: call from a blocking thread.
    ///
    /// One check at a time; its answer is reused for [`HEALTH_TTL`] unless
    /// the file's size or modification time changed.
    pub fn health(&self) -> Health {
        let mut last = lock(&self.health);
        let stamp = self.db_path.as_deref().and_then(file_stamp);
        if let Some(c) = last
            .as_ref()
            .filter(|c| c.at.elapsed() < HEALTH_TTL && c.file == stamp)
        {
            return c.health.clone();
        }
        let result = match &self.db_path {
            Some(path) => l2stage_store::check_health(path),
            None => self.with_store(|s| s.counts().map(|_| ())),
        };
        let health = match result {
            Ok(()) => Health::Ok,
            Err(e) => Health::Unhealthy(e.to_string()),
        };
        *last = Some(HealthCheck {
            at: std::time::Instant::now(),
            file: stamp,
            health: health.clone(),
        });
        health
    }

    pub fn today(&self) -> Date {
        self.today.unwrap_or_else(Date::today)
    }

    pub fn live(&self) -> Arc<Live> {
        self.live.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn submissions_enabled(&self) -> bool {
        self.token_hash.is_some()
    }

    /// Whether `given` is the configured token, compared in constant time
    /// (over SHA-256 digests, so the length does not leak either).
    pub fn token_matches(&self, given: &str) -> bool {
        match &self.token_hash {
            Some(expected) => bool::from(sha256(given.as_bytes()).ct_eq(expected)),
            None => false,
        }
    }

    /// Assess a submitted file as of today: from the file alone, its
    /// proof systems resolved in the catalog's registry.
    pub fn assess_submission(&self, project: &ProjectFile) -> Result<Assessment, AssessError> {
        let inputs = Inputs::inline(project, self.registry.as_ref());
        assess(project, &Context::on(self.today()).with_labels(&inputs))
    }

    /// Reload what watching the chain stored about `ids` (BattleTested's
    /// chain data, the watched governance structure and its warnings) and
    /// serve it: called after each cycle of `serve --watch`. Blocking
    /// (database reads): call from a blocking thread. A project whose data
    /// cannot be read keeps what it had; the reasons are returned.
    pub fn refresh_chain(&self, ids: &[String]) -> Vec<String> {
        let store = lock(&self.store);
        let old = self.live();
        let mut projects = old.projects.clone();
        let mut labels = old.labels.clone();
        let mut chain_warnings = old.chain_warnings.clone();
        let mut problems = Vec::new();
        for p in projects
            .iter_mut()
            .filter(|p| ids.contains(&p.file.project_id))
        {
            let id = p.file.project_id.clone();
            match store.chain_data(&id) {
                Ok(chain) => {
                    if let Some(inputs) = labels.get_mut(&id) {
                        inputs.chain = chain;
                    }
                }
                Err(e) => problems.push(format!("project `{id}`: chain data: {e}")),
            }
            match watched(&store, p, &mut problems) {
                Ok(Some(w)) => {
                    chain_warnings.insert(id, w);
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("project `{id}`: watched governance: {e}")),
            }
        }
        // Still under the store lock: snapshots follow commit order.
        *self.live.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(Live::new(projects, labels, chain_warnings));
        problems
    }

    /// Run `f` with the database (blocking: call from a blocking thread).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut s = lock(&self.store);
        f(&mut s)
    }

    /// Store a submitted project file and its assessment as of today, then
    /// serve it. Blocking (database I/O): call from a blocking thread. The
    /// file was parsed and assessed by the caller; nothing is stored if the
    /// transaction fails.
    pub fn submit(
        &self,
        format: Format,
        text: &str,
        project: ProjectFile,
        assessment: &Assessment,
    ) -> Result<Submitted, ApiError> {
        let id = project.project.id.to_string();
        let mut store = lock(&self.store);
        let recorded = store
            .record(NewSubmission {
                format,
                text,
                origin: Origin::Api,
                source_name: None,
                assessment,
            })
            .map_err(|e| ApiError::internal(format!("storing the submission failed: {e}")))?;
        if recorded.file_changed {
            let file = store
                .latest_file(&id, None)
                .map_err(|e| ApiError::internal(format!("reading back the submission: {e}")))?
                .ok_or_else(|| ApiError::internal("the stored submission is missing"))?;
            let old = self.live();
            let mut projects: Vec<CurrentProject> = old
                .projects
                .iter()
                .filter(|p| p.file.project_id != id)
                .cloned()
                .collect();
            let mut labels = old.labels.clone();
            labels.insert(id.clone(), Inputs::inline(&project, self.registry.as_ref()));
            // A new file waits for the next watch cycle to be merged with
            // the chain's structure.
            let mut chain_warnings = old.chain_warnings.clone();
            chain_warnings.remove(&id);
            projects.push(CurrentProject { file, project });
            // Still under the store lock: snapshots follow commit order.
            *self.live.write().unwrap_or_else(|e| e.into_inner()) =
                Arc::new(Live::new(projects, labels, chain_warnings));
        }
        Ok(Submitted {
            id,
            input_hash: l2stage_store::input_hash(format, text),
            recorded,
        })
    }
}
