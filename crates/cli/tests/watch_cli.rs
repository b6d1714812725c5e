//! `l2stage watch` end to end on anvil: a catalog directory with one
//! project whose `[discovery]` recipe points at the testkit's mini rollup
//! (proxies, a timelock, nested Safes), a real SQLite file.
//!
//! * `--once` twice with nothing changed on chain: two snapshots, no change;
//! * `kill -9` of `l2stage watch` in the middle of a cycle (a node slowed
//!   by a proxy): the previous snapshot stays the last one, the database
//!   is not locked, and the next `--once` resumes at the new head;
//! * a Safe threshold change between two runs: one safety-relevant change
//!   at the block of the run that saw it;
//! * a node that cannot answer: exit status 1 and a fault, no change.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use l2stage_discovery::testkit::{self, Chain, Fault, FaultProxy};
use l2stage_store::Store;

const BIN: &str = env!("CARGO_BIN_EXE_l2stage");

fn catalog(dir: &Path, r: &testkit::Rollup) {
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(dir.join("configs/mini-rollup.toml"), testkit::MINI_CONFIG).unwrap();
    let entries: Vec<String> = r.entries().iter().map(|a| format!("\"{a}\"")).collect();
    std::fs::write(
        dir.join("mini.toml"),
        format!(
            "[project]\nid = \"mini\"\nname = \"Mini rollup\"\nkind = \"optimistic\"\n\n[discovery]\nchain_id = 31337\nentries = [{}]\nconfig = \"configs/mini-rollup.toml\"\n",
            entries.join(", ")
        ),
    )
    .unwrap();
}

fn watch_args<'a>(rpc: &'a str, cat: &'a str, db: &'a str) -> Vec<&'a str> {
    vec![
        "watch",
        "--rpc",
        rpc,
        "--catalog",
        cat,
        "--db",
        db,
        "--once",
        "--rpc-attempts",
        "2",
        "--rpc-timeout",
        "5",
    ]
}

/// The body of `GET path` from the server at `addr` (HTTP/1.1, closed).
fn get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run l2stage")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_once_kill_and_resume() {
    let chain = Chain::start().await;
    let r = testkit::deploy_rollup(&chain).await;
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog");
    catalog(&cat, &r);
    let db = dir.path().join("w.db");
    let (cat_s, db_s) = (cat.display().to_string(), db.display().to_string());
    let url = chain.url();

    // --once twice, nothing changed on chain.
    let b1 = chain.block_number().await;
    for _ in 0..2 {
        let out = run(&watch_args(&url, &cat_s, &db_s));
        assert!(out.status.success(), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("block {b1} ("))
                && err.contains("1 project(s) verified, 0 change(s)"),
            "{err}"
        );
    }
    {
        let store = Store::open(&db).unwrap();
        assert_eq!(store.last_snapshot("mini").unwrap().unwrap().block, b1);
        assert!(store.changes("mini", 50, None).unwrap().is_empty());
    }

    // kill -9 in the middle of a cycle at a new head.
    chain.mine().await;
    let slow = FaultProxy::start(&url, Fault::Latency(300)).await;
    let mut child = Command::new(BIN)
        .args(watch_args(&slow.url, &cat_s, &db_s))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while slow.requests.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    {
        // Not locked, nothing of the killed cycle stored.
        let store = Store::open(&db).unwrap();
        assert_eq!(store.last_snapshot("mini").unwrap().unwrap().block, b1);
        let status = store.watch_status("mini").unwrap().unwrap();
        assert_eq!(status.verified.map(|v| v.block), Some(b1));
        assert!(status.fault.is_none());
    }

    // The council (2 of 3) lowers its threshold to 1; the next run resumes
    // at the new head and records the change at that block.
    let council_owners = [
        testkit::Owner::Key(r.council_keys[0]),
        testkit::Owner::Key(r.council_keys[1]),
    ];
    chain
        .safe_exec(
            r.council,
            &council_owners,
            r.council,
            testkit::change_threshold(1),
        )
        .await;
    let b2 = chain.block_number().await;
    let out = run(&watch_args(&url, &cat_s, &db_s));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("block {b2} (")), "{err}");
    assert!(err.contains("safe-threshold-changed [safety]"), "{err}");
    {
        let store = Store::open(&db).unwrap();
        assert_eq!(store.last_snapshot("mini").unwrap().unwrap().block, b2);
        let changes = store.changes("mini", 50, None).unwrap();
        assert_eq!(changes.len(), 1, "{changes:#?}");
        let c = &changes[0];
        assert_eq!(
            (
                c.kind.as_str(),
                c.address.as_str(),
                c.before.as_deref(),
                c.after.as_deref()
            ),
            (
                "safe-threshold-changed",
                r.council.to_string().as_str(),
                Some("2"),
                Some("1")
            )
        );
        assert!(c.safety_relevant);
        assert_eq!(c.block, b2);
    }

    // A node answering garbage: exit 1, a fault, no change.
    let bad = FaultProxy::start(&url, Fault::Garbage).await;
    let out = run(&watch_args(&bad.url, &cat_s, &db_s));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("mini: not verified"),
        "{}",
        text(&out.stderr)
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.changes("mini", 50, None).unwrap().len(), 1);
    let status = store.watch_status("mini").unwrap().unwrap();
    assert_eq!(status.verified.map(|v| v.block), Some(b2));
    assert!(status.fault.is_some());
}

#[test]
fn no_recipe_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[project]\nid = \"a\"\nname = \"A\"\nkind = \"optimistic\"\n",
    )
    .unwrap();
    let db = dir.path().join("w.db");
    let out = run(&watch_args(
        "http://127.0.0.1:9",
        &dir.path().display().to_string(),
        &db.display().to_string(),
    ));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no project file of the catalog has a [discovery] recipe"));
}

/// `serve --watch`: the loop runs inside the service and writes through
/// its database; the first cycle's snapshot is stored while it serves.
#[tokio::test(flavor = "multi_thread")]
async fn serve_watch_runs_the_loop_in_the_service() {
    use std::io::BufRead;
    let chain = Chain::start().await;
    let r = testkit::deploy_rollup(&chain).await;
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog");
    catalog(&cat, &r);
    let db = dir.path().join("s.db");
    let b = chain.block_number().await;
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--catalog",
            &cat.display().to_string(),
            "--db",
            &db.display().to_string(),
            "--watch",
            "--rpc",
            &chain.url(),
            "--poll",
            "off",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut addr = None;
    let verified = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    addr = Some(rest.trim_end_matches('/').to_string());
                }
                let done = line.contains("project(s) verified");
                seen.push(line);
                if done {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    // The cycle's merged structure is served at once, without a restart:
    // the file declares none, so it is the chain's, with its warning.
    let served = addr.as_deref().map(|a| get(a, "/api/v1/projects/mini"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(verified, "{seen:#?}");
    let served = served.expect("the listening address");
    assert!(
        served.contains(&format!(
            "the governance structure is the one read on chain at block {b} (the project file declares none)"
        )),
        "{served}"
    );
    assert!(
        seen.iter()
            .any(|l| l.contains(&format!("block {b} (")) && l.contains("1 project(s) verified")),
        "{seen:#?}"
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(store.last_snapshot("mini").unwrap().unwrap().block, b);
}
