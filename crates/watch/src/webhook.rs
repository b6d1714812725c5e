//! `--webhook URL`: every stored change is POSTed as JSON to `URL`, signed
//! with `X-L2stage-Signature: sha256=<hex HMAC-SHA256 of the body>` under
//! the key in `L2STAGE_WEBHOOK_SECRET`. Deliveries run on a background task
//! behind a bounded queue: the loop never waits for them; a full queue
//! drops the change (logged, and counted), a failing endpoint is retried
//! with exponential backoff, then given up (logged). The changes stay in
//! the database, the feeds and the API whatever happens to a delivery.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::WatchError;
use crate::cycle::ChangeOut;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-L2stage-Signature";
/// The environment variable holding the signing key.
pub const SECRET_ENV: &str = "L2STAGE_WEBHOOK_SECRET";

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// Changes waiting for delivery; more are dropped (and logged).
    pub queue: usize,
    /// Attempts per change (≥ 1).
    pub attempts: u32,
    /// First wait between attempts, doubled each time...
    pub backoff: Duration,
    /// ...up to this.
    pub max_backoff: Duration,
    /// Per request, answer included.
    pub timeout: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            queue: 1_000,
            attempts: 5,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Where log lines go (stderr in the CLI).
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Counters of the deliveries.
#[derive(Debug, Default)]
pub struct Counters {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
}

/// The delivery task and its queue.
pub struct Webhook {
    tx: Option<mpsc::Sender<Vec<u8>>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub counters: Arc<Counters>,
    log: Log,
}

impl Webhook {
    /// Start the delivery task (inside a tokio runtime). `url` must be http
    /// or https; the key signs every body.
    pub fn start(
        url: &str,
        key: Vec<u8>,
        opts: WebhookOptions,
        log: Log,
    ) -> Result<Webhook, WatchError> {
        let parsed: reqwest::Url = url
            .trim()
            .parse()
            .map_err(|e| WatchError::Recipe(format!("invalid webhook URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(WatchError::Recipe(
                "invalid webhook URL: only http and https are supported".into(),
            ));
        }
        if key.is_empty() {
            return Err(WatchError::Recipe(format!(
                "--webhook needs a signing key in {SECRET_ENV}"
            )));
        }
        l2stage_discovery::install_tls();
        let http = reqwest::Client::builder()
            .connect_timeout(opts.timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| WatchError::Recipe(format!("cannot build an HTTP client: {e}")))?;
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(opts.queue.max(1));
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let l = log.clone();
        // Never print the URL itself: it may carry a token.
        let shown = format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or("?"));
        let task = tokio::spawn(async move {
            while let Some(body) = rx.recv().await {
                let sig = format!("sha256={}", crate::hmac::sign(&key, &body));
                let mut wait = opts.backoff;
                let mut last = String::new();
                let mut ok = false;
                for attempt in 1..=opts.attempts.max(1) {
                    let sent = http
                        .post(parsed.clone())
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .header(SIGNATURE_HEADER, &sig)
                        .body(body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            ok = true;
                            break;
                        }
                        Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
                        Err(e) => last = e.without_url().to_string(),
                    }
                    if attempt < opts.attempts {
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(opts.max_backoff);
                    }
                }
                if ok {
                    c.delivered.fetch_add(1, Ordering::Relaxed);
                } else {
                    c.failed.fetch_add(1, Ordering::Relaxed);
                    l(&format!(
                        "webhook {shown}: gave up on a change after {} attempts: {last}",
                        opts.attempts.max(1)
                    ));
                }
            }
        });
        Ok(Webhook {
            tx: Some(tx),
            task: Some(task),
            counters,
            log,
        })
    }

    /// Queue a change for delivery; never waits. A full queue drops it.
    pub fn send(&self, change: &ChangeOut) {
        let Ok(body) = serde_json::to_vec(change) else {
            return;
        };
        let Some(tx) = &self.tx else { return };
        if tx.try_send(body).is_err() {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            (self.log)(&format!(
                "webhook: queue full, change of {} at block {} not delivered (it is stored)",
                change.project, change.block
            ));
        }
    }

    /// Stop taking changes and wait (at most `grace`) for the queue to drain.
    pub async fn close(mut self, grace: Duration) {
        self.tx = None;
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}
