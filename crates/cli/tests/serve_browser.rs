//! The dashboard as a person sees it, in headless Chromium: the table of
//! the catalog, a project's checklist, labels and permission graph, and a project
//! (and its governance actors) named with `<script>` shown as text.
//! Screenshots are saved under `target/tmp/screenshots/` (scripts/test.sh
//! installs Debian's chromium).

mod serve_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_support::{Options, Server, copy_dir, project, repo};

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("L2STAGE_CHROMIUM") {
        return PathBuf::from(p);
    }
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return PathBuf::from(c);
        }
    }
    panic!(
        "chromium not found: run ./scripts/test.sh, which installs Debian's chromium, or set L2STAGE_CHROMIUM"
    );
}

/// Run headless Chromium on `url` with extra flags; its stdout. Bounded by
/// `timeout` so a stuck browser cannot hang the suite.
fn browse(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dom(url: &str) -> String {
    browse(url, &["--dump-dom"])
}

fn screenshot(url: &str, file: &Path, height: u32) {
    browse(
        url,
        &[
            &format!("--window-size=1280,{height}"),
            &format!("--screenshot={}", file.display()),
        ],
    );
    let meta = std::fs::metadata(file).expect("screenshot written");
    assert!(
        meta.len() > 10_000,
        "{} is suspiciously small",
        file.display()
    );
}

/// The permission graph section of a project page as dumped: from its
/// heading to the next one.
fn graph_section(page: &str) -> &str {
    let start = page.find("<h2 id=\"graph\">").expect("graph heading");
    let rest = &page[start..];
    &rest[..rest.find("<h2 id=\"labels\">").unwrap_or(rest.len())]
}

/// The text a person reads in the first node box of class `k-{kind}` whose
/// tooltip starts with `label`: its lines, tags dropped, joined by spaces.
fn node_text(graph: &str, kind: &str, label: &str) -> Option<String> {
    let open = format!("<g class=\"node k-{kind}\"><title>{label}");
    let start = graph.find(&open)?;
    let rest = &graph[start..];
    let body = &rest[rest.find("</title>")? + "</title>".len()..rest.find("</g>")?];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A governance structure for the hostile project: its council and a
/// timelock carry markup in their names.
const EVIL_GOVERNANCE: &str = r#"
[governance]

[governance.exit]
forced_inclusion = "1d"
finalization = "7d"
proposing = "permissionless"
challenging = "permissionless"

[[governance.actors]]
id = "council"
kind = "multisig"
name = "<script>document.title='pwned'</script> Council"
security_council = true
threshold = 6
members = [
  { entity = "A", affiliation = "outside" }, { entity = "B", affiliation = "outside" },
  { entity = "C", affiliation = "outside" }, { entity = "D", affiliation = "outside" },
  { entity = "E", affiliation = "outside" }, { entity = "F", affiliation = "outside" },
  { entity = "G", affiliation = "outside" }, { entity = "H", affiliation = "team" },
]

[[governance.actors]]
id = "timelock"
kind = "timelock"
name = "<img src=x onerror=alert(1)> Timelock"
delay = "10d"
proposers = ["council"]
executors = ["anyone"]

[[governance.powers]]
actor = "timelock"
power = "upgrade"
target = "all core contracts"
"#;

/// `text` as Chromium's DOM dump writes a text node.
fn dom_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn shots_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&d).expect("screenshots dir");
    d
}

#[test]
fn dashboard_in_a_browser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog = dir.path().join("catalog");
    copy_dir(&repo().join("catalog"), &catalog);
    let mut ids = Vec::new();
    for e in std::fs::read_dir(&catalog).expect("catalog") {
        let p = e.expect("entry").path();
        if p.is_file() && l2stage_model::Format::of_project_file(&p).is_some() {
            let parsed = l2stage_model::load_path(&p).expect("valid catalog file");
            ids.push(parsed.project.id.to_string());
        }
    }
    let evil_name = "<script>document.title='pwned'</script> Evil";
    std::fs::write(
        catalog.join("evil.toml"),
        format!("{}{EVIL_GOVERNANCE}", project("evil-rollup", evil_name)),
    )
    .expect("write");
    let server = Server::start(Options {
        db: &dir.path().join("l2stage.db"),
        catalog: Some(&catalog),
        token: None,
        today: None,
    });
    let base = format!("http://{}", server.addr);
    let shots = shots_dir();

    // The table: one row per project, each with its stage.
    let index = dom(&format!("{base}/"));
    assert!(
        index.contains("<title>Rollup stages · l2stage</title>"),
        "title changed: script ran?"
    );
    for id in ids
        .iter()
        .chain(std::iter::once(&"evil-rollup".to_string()))
    {
        assert!(
            index.contains(&format!("<tr data-id=\"{id}\"")),
            "row {id} missing"
        );
    }
    let api = server.get("/api/v1/projects").json();
    for p in api["projects"].as_array().expect("projects") {
        let id = p["id"].as_str().unwrap_or("");
        let row_start = index.find(&format!("<tr data-id=\"{id}\"")).expect("row");
        let row = &index[row_start..];
        let row = &row[..row.find("</tr>").expect("row end")];
        let label = match p["stage"].as_str() {
            Some("stage-2") => "Stage 2",
            Some("stage-1") => "Stage 1",
            Some("stage-0") => "Stage 0",
            Some("not-stage-0") => "Not even Stage 0",
            _ => "Under review",
        };
        assert!(
            row.contains(&format!(">{label}</span>")),
            "{id}: {label} not shown in {row}"
        );
        // Its BattleTested chip, as the project's JSON says.
        let detail = server.get(&format!("/api/v1/projects/{id}")).json();
        let bt = detail["labels"]["battle_tested"]["status"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: no BattleTested status in {detail}"));
        assert!(
            row.contains(&format!("class=\"lchip bt-{bt}\""))
                && row.contains(&format!("</span> {bt}</span>")),
            "{id}: BattleTested {bt} not shown in {row}"
        );
    }
    assert!(
        index.contains("order=desc\">BattleTested</a></th>"),
        "no BattleTested column header"
    );
    // The script is text, not an element.
    assert!(
        !index.contains("<script"),
        "a script element made it into the page"
    );
    assert!(index.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt; Evil"));
    screenshot(&format!("{base}/"), &shots.join("index.png"), 1400);

    // Filtering and sorting work through links alone.
    let only_stage2 = dom(&format!("{base}/?stage=stage-2&sort=name&order=asc"));
    let rows = only_stage2.matches("<tr data-id=").count();
    let expected = api["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter(|p| p["stage"] == "stage-2")
        .count();
    assert_eq!(rows, expected);

    // A project page: the checklist with statuses, reasons and evidence.
    let id = if ids.iter().any(|i| i == "op-mainnet") {
        "op-mainnet".to_string()
    } else {
        ids.first().cloned().expect("a catalog project")
    };
    let detail = server.get(&format!("/api/v1/projects/{id}")).json();
    let page = dom(&format!("{base}/projects/{id}"));
    assert!(page.contains(&format!(
        "<h1>{}</h1>",
        detail["name"].as_str().unwrap_or("")
    )));
    assert!(page.contains("<h2 id=\"requirements\">Requirements</h2>"));
    assert!(page.contains("<h2 id=\"timeline\">Stage timeline</h2>"));
    for r in detail["requirements"].as_array().expect("requirements") {
        let rid = r["id"].as_str().unwrap_or("");
        assert!(
            page.contains(&format!("id=\"req-{rid}\"")),
            "requirement {rid} missing"
        );
    }
    if let Some(m) = detail["missing"].as_object() {
        // What it fails under "Missing for", what its file does not
        // declare (unknown) under "Needs data", each requirement once.
        let reqs = m["requirements"].as_array().expect("missing requirements");
        assert!(!reqs.is_empty());
        let section = &page[page.find("id=\"missing\"").expect("missing section")..];
        let section = &section[..section.find("</section>").expect("section end")];
        for rid in reqs.iter().filter_map(|r| r.as_str()) {
            let status = detail["requirements"]
                .as_array()
                .and_then(|rs| rs.iter().find(|r| r["id"] == rid))
                .and_then(|r| r["status"].as_str())
                .unwrap_or("");
            let link = format!("href=\"#req-{rid}\"");
            assert_eq!(section.matches(&link).count(), 1, "{rid} in {section}");
            let needs = section.find("<h2>Needs data</h2>");
            let at = section.find(&link).expect("listed");
            assert_eq!(
                needs.is_some_and(|n| at > n),
                status == "unknown",
                "{rid} ({status}) listed in the wrong list: {section}"
            );
        }
    }
    // Its labels beside the stage, as the JSON says: BattleTested next to
    // the stage and in the Labels section, and each proof system's rating.
    // For op-mainnet today (`l2stage assess catalog/op-mainnet.toml --format
    // json`): BattleTested unknown (its change list is only complete until
    // 2025-12-02), op-cannon mature.
    let labels = &detail["labels"];
    let bt = labels["battle_tested"]["status"]
        .as_str()
        .expect("BattleTested status");
    if id == "op-mainnet" {
        assert_eq!(bt, "unknown", "op-mainnet's BattleTested changed: {labels}");
        assert_eq!(labels["proof_systems"][0]["id"], "op-cannon", "{labels}");
        assert_eq!(labels["proof_systems"][0]["rating"], "mature", "{labels}");
    }
    let head = &page[page.find("<div class=\"head\">").expect("head")..];
    let head = &head[..head.find("</div>").expect("head end")];
    assert!(head.contains(&format!("BattleTested: {bt}</a>")), "{head}");
    let section = &page[page
        .find("<h2 id=\"labels\">Labels</h2>")
        .expect("labels section")..];
    let section = &section[..section.find("<h2 id=\"risk\">").expect("after labels")];
    let bt_box = &section[section
        .find("id=\"battle-tested\"")
        .expect("BattleTested box")..];
    let bt_box = &bt_box[..bt_box.find("</section>").expect("box end")];
    assert!(
        bt_box.contains(&format!(
            "BattleTested <span class=\"lchip bt-{bt}\"><span aria-hidden=\"true\">"
        )) && bt_box.contains(&format!("</span> {bt}</span>")),
        "{bt_box}"
    );
    for m in labels["battle_tested"]["missing"]
        .as_array()
        .expect("missing")
    {
        let m = dom_text(m.as_str().unwrap_or(""));
        assert!(
            bt_box.contains(&format!("<li>{m}</li>")),
            "{m} not listed in {bt_box}"
        );
    }
    for ps in labels["proof_systems"].as_array().expect("proof systems") {
        let (psid, rating) = (
            ps["id"].as_str().unwrap_or(""),
            ps["rating"].as_str().unwrap_or(""),
        );
        // By name, its id in the tooltip.
        let name = dom_text(ps["name"].as_str().unwrap_or(""));
        assert!(
            head.contains(&format!("{name} · {rating}</a>"))
                && head.contains(&format!("title=\"{psid}: ")),
            "{psid} in {head}"
        );
        let start = section
            .find(&format!("id=\"ps-{psid}\""))
            .unwrap_or_else(|| panic!("proof system {psid} not shown"));
        let ps_box = &section[start..];
        let ps_box = &ps_box[..ps_box.find("</section>").expect("box end")];
        assert!(
            ps_box.contains(&format!("class=\"lchip r-{rating}\""))
                && ps_box.contains(&format!("</span> {rating}</span>")),
            "{psid}: {rating} not shown in {ps_box}"
        );
        assert!(
            ps_box.contains(ps["name"].as_str().unwrap_or("")),
            "{ps_box}"
        );
        let criteria = ps["criteria"].as_array().expect("criteria");
        assert_eq!(
            ps_box.matches("<tr class=\"c-").count(),
            criteria.len(),
            "{ps_box}"
        );
    }

    // Its permission graph, drawn where the structure applies today: the
    // Security Council's box shows its name.
    let file = l2stage_model::load_path(&catalog.join(format!("{id}.toml"))).ok();
    let gov = file
        .as_ref()
        .and_then(|f| f.governance.as_ref())
        .filter(|g| g.applies_on(l2stage_model::Date::today()));
    let graph = graph_section(&page);
    if let Some(g) = gov {
        assert_eq!(graph.matches("<svg").count(), 1, "{graph}");
        assert!(graph.contains("class=\"permission-graph\""), "{graph}");
        assert!(graph.contains("role=\"img\""), "{graph}");
        let council = g
            .actors
            .iter()
            .find(|a| a.security_council)
            .expect("a Security Council in the structure");
        let shown = node_text(graph, "council", council.label())
            .unwrap_or_else(|| panic!("no council box for {} in {graph}", council.label()));
        assert!(
            shown.starts_with(council.label()),
            "the council box reads {shown:?}"
        );
        for a in &g.actors {
            assert!(
                graph.contains(&format!("<title>{} (", a.label())),
                "{} not drawn",
                a.id
            );
        }
    } else {
        assert!(!graph.contains("<svg"), "{graph}");
    }
    screenshot(
        &format!("{base}/projects/{id}"),
        &shots.join(format!("project-{id}.png")),
        4200,
    );

    // The hostile project's own page.
    let evil = dom(&format!("{base}/projects/evil-rollup"));
    assert!(!evil.contains("<script"));
    assert!(evil.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt; Evil"));
    assert!(evil.contains(
        "<title>&lt;script&gt;document.title='pwned'&lt;/script&gt; Evil · l2stage</title>"
    ));
    // Its permission graph shows the markup in names as text.
    let graph = graph_section(&evil);
    assert!(graph.contains("class=\"permission-graph\""), "{graph}");
    let shown = node_text(graph, "council", "&lt;script&gt;").expect("the council's box");
    assert_eq!(
        shown.replace(' ', ""),
        "&lt;script&gt;document.title='pwned'&lt;/script&gt;Council6/8multisig,SecurityCouncil",
        "the council box reads {shown:?}"
    );
    let shown = node_text(graph, "timelock", "&lt;img").expect("the timelock's box");
    assert!(
        shown.starts_with("&lt;img src=x onerror=alert(1)&gt;"),
        "the timelock box reads {shown:?}"
    );
    assert!(!graph.contains("<img"), "{graph}");
    screenshot(
        &format!("{base}/projects/evil-rollup"),
        &shots.join("project-evil.png"),
        2800,
    );
    eprintln!("screenshots in {}", shots.display());
}

/// A same-origin proxy in front of the server, so that a probe page of
/// ours can read the layout of the dashboard's pages in iframes (the pages
/// themselves carry no script). `/__probe` answers `probe`; every other
/// path is fetched from `upstream`, with the headers that forbid framing
/// dropped. Serves until the test process ends.
fn probe_proxy(upstream: &str, probe: String) -> String {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let addr = listener.local_addr().expect("proxy address").to_string();
    let upstream = upstream.to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let (upstream, probe) = (upstream.clone(), probe.clone());
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 16_384 {
                    match conn.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                if path.starts_with("/__probe") {
                    let _ = write!(
                        conn,
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{probe}",
                        probe.len()
                    );
                    return;
                }
                let Ok(mut up) = TcpStream::connect(&upstream) else {
                    return;
                };
                let _ = write!(
                    up,
                    "GET {path} HTTP/1.1\r\nhost: {upstream}\r\nconnection: close\r\n\r\n"
                );
                let mut resp = Vec::new();
                let _ = up.read_to_end(&mut resp);
                let split = resp
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(resp.len(), |i| i + 4);
                let (h, body) = resp.split_at(split);
                let kept: String = String::from_utf8_lossy(h)
                    .split("\r\n")
                    .filter(|l| {
                        let l = l.to_ascii_lowercase();
                        !l.starts_with("x-frame-options")
                            && !l.starts_with("content-security-policy")
                    })
                    .collect::<Vec<_>>()
                    .join("\r\n");
                let _ = conn.write_all(kept.as_bytes());
                let _ = conn.write_all(body);
            });
        }
    });
    addr
}

/// The probe page: each `(path, width)` in an iframe of that width; once
/// all have loaded, one line per frame in `<pre id="out">`:
/// `path width scrollWidth clientWidth verdict-before-checklist
/// needs-data-styled-apart negative-duration smallest-chart-text-px`.
fn probe_page(frames: &[(&str, u32)]) -> String {
    let mut html = String::from("<!doctype html><html><body>");
    for (i, (path, w)) in frames.iter().enumerate() {
        html.push_str(&format!(
            "<iframe id=\"f{i}\" data-path=\"{path}\" data-w=\"{w}\" src=\"{path}\" width=\"{w}\" height=\"700\" style=\"border:0;display:block\"></iframe>"
        ));
    }
    html.push_str(
        r#"<pre id="out"></pre><script>
window.addEventListener('load', function () {
  var lines = [];
  document.querySelectorAll('iframe').forEach(function (f) {
    var d = f.contentDocument, e = d.documentElement;
    var v = d.getElementById('verdict'), r = d.getElementById('requirements');
    var order = (v && r) ? ((v.compareDocumentPosition(r) & 4) ? 'verdict-first' : 'verdict-after') : 'no-verdict';
    var nd = d.querySelector('tr.s-unknown td.status'), un = d.querySelector('tr.s-unmet td.status');
    var style = 'no-needs-data';
    if (nd) {
      var a = getComputedStyle(nd), b = un ? getComputedStyle(un) : null;
      style = (nd.textContent.indexOf('needs data') >= 0 && (!b || a.color !== b.color || a.fontStyle !== b.fontStyle)) ? 'needs-data-styled' : 'needs-data-unstyled';
    }
    var neg = /(^|[^\w−-])[−-]\s?\d+\s?(d|h|m|s|days?|hours?)\b/.test(d.body.innerText) ? 'negative' : 'no-negative';
    var minText = 99;
    d.querySelectorAll('svg text').forEach(function (t) {
      var m = t.getScreenCTM(), r = t.getBoundingClientRect();
      if (!m || r.width === 0) { return; }
      var px = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b);
      if (px > 0 && px < minText) { minText = px; }
    });
    lines.push([f.dataset.path, f.dataset.w, e.scrollWidth, e.clientWidth, order, style, neg, minText.toFixed(1)].join(' '));
  });
  document.getElementById('out').textContent = lines.join('\n');
});
</script></body></html>"#,
    );
    html
}

#[test]
fn dashboard_fits_a_phone_and_a_desktop() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The real catalog, plus one project that leaves the 2026 proving items
    // undeclared (every catalog project declares them): its page must show
    // them as "needs data", styled apart from what it fails.
    let catalog = dir.path().join("catalog");
    copy_dir(&repo().join("catalog"), &catalog);
    std::fs::write(
        catalog.join("sparse.toml"),
        "[project]\nid = \"sparse-rollup\"\nname = \"Sparse Rollup\"\nkind = \"optimistic\"\n\n[requirements]\ncalls-itself-rollup = \"met\"\nstate-roots-on-l1 = \"met\"\ndata-on-l1 = \"met\"\nproof-system = \"met\"\nfive-external-challengers = \"met\"\n",
    )
    .expect("write");
    let server = Server::start(Options {
        db: &dir.path().join("l2stage.db"),
        catalog: Some(&catalog),
        token: None,
        today: Some("2026-12-06"),
    });
    let base = format!("http://{}", server.addr);
    let pages = [
        "/",
        "/?sort=exit",
        // Pending downgrades: the countdown in the list and the header.
        "/?as_of=2025-06-29",
        "/projects/base?as_of=2025-06-29",
        "/projects/arbitrum-one",
        "/projects/base",
        "/projects/linea",
        "/projects/sparse-rollup",
        "/risk",
        // A project's council as the Stage 1 council (its page's link).
        "/risk?project=base",
    ];
    let mut frames = Vec::new();
    for w in [390, 1400] {
        for p in pages {
            frames.push((p, w));
        }
    }
    let proxy = probe_proxy(&server.addr, probe_page(&frames));
    let out = browse(
        &format!("http://{proxy}/__probe"),
        &["--dump-dom", "--virtual-time-budget=30000"],
    );
    let pre = &out[out.find("<pre id=\"out\">").expect("probe output") + 14..];
    let pre = &pre[..pre.find("</pre>").expect("end of output")];
    let lines: Vec<&str> = pre.lines().collect();
    assert_eq!(lines.len(), frames.len(), "one line per frame: {pre}");
    for line in &lines {
        let f: Vec<&str> = line.split(' ').collect();
        let (path, w, scroll, client) = (f[0], f[1], f[2], f[3]);
        let (scroll, client): (u32, u32) = (
            scroll.parse().expect("scrollWidth"),
            client.parse().expect("clientWidth"),
        );
        assert!(
            scroll <= client,
            "{path} at {w}px scrolls sideways: {scroll} > {client}"
        );
        assert_eq!(
            f[6], "no-negative",
            "{path} at {w}px shows a negative duration"
        );
        // On a phone, chart labels are drawn at their size (the charts
        // scroll in their box or are laid out for the width), not shrunk.
        let min_text: f64 = f[7].parse().expect("text size");
        if w == "390" {
            assert!(min_text >= 9.5, "{path} at 390px: chart text {min_text}px");
        }
        if path.starts_with("/projects/") {
            assert_eq!(f[4], "verdict-first", "{path} at {w}px: {line}");
        }
        // The sparse project leaves the 2026 proving items (and the node
        // source) undeclared: shown as "needs data", styled apart from
        // unmet. The catalog projects declare theirs.
        if path == "/projects/sparse-rollup" {
            assert_eq!(f[5], "needs-data-styled", "{path} at {w}px: {line}");
        }
    }
    eprintln!("layout probe:\n{pre}");

    // Screenshots at both widths, for people.
    let shots = shots_dir();
    for (p, name) in [
        ("/", "index"),
        ("/projects/arbitrum-one", "arbitrum-one"),
        ("/projects/base", "base"),
        ("/projects/linea", "linea"),
        ("/risk", "risk"),
    ] {
        for w in [390u32, 1400] {
            let file = shots.join(format!("{name}-{w}.png"));
            browse(
                &format!("{base}{p}"),
                &[
                    &format!("--window-size={w},2400"),
                    &format!("--screenshot={}", file.display()),
                ],
            );
            assert!(std::fs::metadata(&file).expect("screenshot").len() > 10_000);
        }
    }

    // Page weight: every page under 100 KB.
    for p in pages {
        let body = server.get(p).body;
        eprintln!("{p}: {} bytes", body.len());
        assert!(body.len() < 100_000, "{p} weighs {} bytes", body.len());
    }

    // Sorting in both directions, by the rows' order in the DOM.
    let order = |url: &str| -> Vec<String> {
        let page = dom(&format!("{base}{url}"));
        page.match_indices("<tr data-id=\"")
            .map(|(i, m)| {
                let rest = &page[i + m.len()..];
                rest[..rest.find('"').expect("id end")].to_string()
            })
            .collect()
    };
    let api = server.get("/api/v1/projects").json();
    let projects = api["projects"].as_array().expect("projects");
    let name_of = |id: &str| {
        projects
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["name"].as_str())
            .unwrap_or("")
            .to_lowercase()
    };
    let archived = |id: &str| {
        projects
            .iter()
            .any(|p| p["id"] == id && !p["archived"].is_null())
    };
    let asc = order("/?sort=name&order=asc");
    let desc = order("/?sort=name&order=desc");
    assert_eq!(asc.len(), projects.len());
    for list in [&asc, &desc] {
        // Archived projects come last in both orders.
        let first_archived = list.iter().position(|i| archived(i)).unwrap_or(list.len());
        assert!(
            list[first_archived..].iter().all(|i| archived(i)),
            "{list:?}"
        );
    }
    let live_asc: Vec<String> = asc.iter().filter(|i| !archived(i)).cloned().collect();
    let mut live_desc: Vec<String> = desc.iter().filter(|i| !archived(i)).cloned().collect();
    assert!(
        live_asc
            .windows(2)
            .all(|w| name_of(&w[0]) <= name_of(&w[1])),
        "A to Z: {live_asc:?}"
    );
    live_desc.reverse();
    assert_eq!(live_asc, live_desc, "Z to A is A to Z reversed");
    // Exit windows: none < red < yellow < green, unknown ("—") last in
    // both orders.
    let rank = |id: &str| -> Option<(u8, i64)> {
        let ew = &projects.iter().find(|p| p["id"] == id)?["exit_window"];
        if ew.is_null() {
            return None;
        }
        let r = match ew["rating"].as_str() {
            Some("green") => 3,
            Some("yellow") => 2,
            Some("red") => 1,
            _ => 0,
        };
        Some((r, ew["seconds"].as_i64().unwrap_or(i64::MIN)))
    };
    for (url, desc) in [
        ("/?sort=exit&order=asc", false),
        ("/?sort=exit&order=desc", true),
    ] {
        let live: Vec<String> = order(url).into_iter().filter(|i| !archived(i)).collect();
        let ranks: Vec<Option<(u8, i64)>> = live.iter().map(|i| rank(i)).collect();
        let known = ranks.iter().take_while(|r| r.is_some()).count();
        assert!(
            ranks[known..].iter().all(Option::is_none),
            "{url}: unknown last: {live:?}"
        );
        assert!(known >= 2, "{url}: {live:?}");
        let sorted = ranks[..known]
            .windows(2)
            .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] });
        assert!(sorted, "{url}: {live:?} {ranks:?}");
    }
}
