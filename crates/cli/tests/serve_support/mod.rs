//! Shared by the `serve_*` tests: start `l2stage serve` on a free loopback
//! port (it prints the address it bound), talk HTTP/1.1 to it, and kill it
//! when the test ends.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

pub const TOKEN: &str = "serve-test-token-7f3a9c";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `l2stage serve`; killed (SIGKILL) when dropped.
pub struct Server {
    child: Option<Child>,
    _stdout: BufReader<ChildStdout>,
    /// `127.0.0.1:PORT`
    pub addr: String,
    /// The start-up summary line.
    pub summary: String,
}

pub struct Options<'a> {
    pub db: &'a Path,
    pub catalog: Option<&'a Path>,
    pub token: Option<&'a str>,
    pub today: Option<&'a str>,
}

impl Server {
    pub fn start(o: Options<'_>) -> Server {
        Server::start_with(o, &[])
    }

    /// With more `serve` arguments (e.g. the limits).
    pub fn start_with(o: Options<'_>, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_l2stage"));
        cmd.arg("serve")
            .args(extra)
            .arg("--addr")
            .arg("127.0.0.1:0")
            .arg("--db")
            .arg(o.db)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("L2STAGE_TOKEN");
        if let Some(c) = o.catalog {
            cmd.arg("--catalog").arg(c);
        }
        if let Some(t) = o.token {
            cmd.env("L2STAGE_TOKEN", t);
        }
        if let Some(d) = o.today {
            cmd.arg("--today").arg(d);
        }
        let mut child = cmd.spawn().expect("spawn l2stage serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut summary = String::new();
        let mut addr = None;
        let mut line = String::new();
        // The server prints its summary, then "listening on http://ADDR/"
        // once the socket is bound: no waiting on time.
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                addr = Some(rest.trim_end_matches('/').to_string());
                break;
            }
            summary.push_str(&line);
        }
        let Some(addr) = addr else {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "l2stage serve did not start: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        };
        Server {
            child: Some(child),
            _stdout: reader,
            addr,
            summary,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).expect("running")
    }

    /// SIGKILL, then reap.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().expect("running");
        let st = Command::new("kill")
            .arg("-TERM")
            .arg(c.id().to_string())
            .status()
            .expect("kill -TERM");
        assert!(st.success());
        c.wait().expect("wait")
    }

    pub fn get(&self, path: &str) -> Response {
        request(&self.addr, "GET", path, &[], b"").expect("GET")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(addr)?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete response")
    })?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no status"))?;
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok(Response { status, body })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn post_project(addr: &str, token: &str, toml: &str) -> std::io::Result<Response> {
    request(
        addr,
        "POST",
        "/api/v1/projects",
        &[
            ("Content-Type", "application/toml"),
            ("Authorization", &format!("Bearer {token}")),
        ],
        toml.as_bytes(),
    )
}

/// A small valid project file (Stage 1 with the principle met).
pub fn project(id: &str, name: &str) -> String {
    format!(
        r#"[project]
id = "{id}"
name = "{name}"
kind = "optimistic"
links.node_source = "https://example.org/node"

[requirements]
calls-itself-rollup = "met"
state-roots-on-l1 = "met"
data-on-l1 = "met"
node-source-available = "met"
proof-system = {{ status = "met", reason = "Fault proofs are live.", evidence = ["https://example.org/proofs"] }}
five-external-challengers = "met"
principle = "met"
exit-without-operators = "met"
seven-day-exit-window = "met"
council-properly-set-up = "met"
"#
    )
}

/// Copy a directory tree (the catalog with its data and proof systems).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}
