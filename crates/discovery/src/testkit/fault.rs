//! A fault-injecting HTTP proxy between the client and anvil: rate
//! limits, garbage, dropped batch answers, for the retry and fault tests.

use std::time::Duration;

/// What the fault-injecting proxy does to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward untouched.
    None,
    /// Answer the first `n` requests with HTTP 429 (`Retry-After: 0`).
    RateLimit(u32),
    /// Answer every request with a body that is not JSON.
    Garbage,
    /// Forward, but drop the last answer of every batch response.
    DropLast,
    /// Answer every batch with an empty array.
    EmptyBatch,
    /// Never answer.
    Hang,
    /// Forward after this many milliseconds (a distant node).
    Latency(u64),
}

/// A loopback HTTP proxy in front of a node that injects faults. Stops
/// when dropped.
pub struct FaultProxy {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    pub async fn start(upstream: &str, fault: Fault) -> FaultProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let upstream = upstream.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, &upstream, fault, &counter).await;
                });
            }
        });
        FaultProxy {
            url,
            requests,
            task,
        }
    }
}

/// Read one HTTP/1.1 request or answer: its head (request or status line
/// and headers) and its `Content-Length` body. `None` when the peer closed
/// before a full head.
pub async fn read_http(
    sock: &mut tokio::net::TcpStream,
) -> std::io::Result<Option<(String, Vec<u8>)>> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((head, buf[head_end..].to_vec())))
}

async fn respond(
    sock: &mut tokio::net::TcpStream,
    status: &str,
    extra: &str,
    body: &[u8],
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body).await?;
    sock.flush().await
}

async fn serve(
    mut sock: tokio::net::TcpStream,
    upstream: &str,
    fault: Fault,
    counter: &std::sync::atomic::AtomicU64,
) -> std::io::Result<()> {
    use std::sync::atomic::Ordering;
    use tokio::io::AsyncWriteExt;
    // One request per connection (answers say `Connection: close`).
    if let Some((_, body)) = read_http(&mut sock).await? {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if fault == Fault::EmptyBatch && body.first() == Some(&b'[') {
            respond(&mut sock, "200 OK", "", b"[]").await?;
            return Ok(());
        }
        match fault {
            Fault::RateLimit(k) if n < k as u64 => {
                respond(
                    &mut sock,
                    "429 Too Many Requests",
                    "Retry-After: 0\r\n",
                    b"rate limited",
                )
                .await?;
                return Ok(());
            }
            Fault::Garbage => {
                respond(&mut sock, "200 OK", "", b"<html>not json</html>").await?;
                return Ok(());
            }
            Fault::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Fault::Latency(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            _ => {}
        }
        let mut up = tokio::net::TcpStream::connect(upstream).await?;
        let req = format!(
            "POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        up.write_all(req.as_bytes()).await?;
        up.write_all(&body).await?;
        let Some((_, mut answer)) = read_http(&mut up).await? else {
            return Ok(());
        };
        if fault == Fault::DropLast
            && let Ok(serde_json::Value::Array(mut items)) =
                serde_json::from_slice::<serde_json::Value>(&answer)
            && items.len() > 1
        {
            items.pop();
            answer = serde_json::to_vec(&items).unwrap_or_default();
        }
        respond(&mut sock, "200 OK", "", &answer).await?;
        return Ok(());
    }
    Ok(())
}
