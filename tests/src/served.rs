//! `inbox-doctor serve` as a process, with everything it logs kept for the test to read, and
//! plain HTTP/1.1 requests to it from a chosen loopback address (another client).

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::cli::binary;
pub use crate::relay::Reply;

pub struct Served {
    pub addr: SocketAddr,
    child: Child,
    stderr: Arc<Mutex<String>>,
    /// The configuration file, for commands run beside the relay.
    pub config: PathBuf,
    _dir: tempfile::TempDir,
}

impl Served {
    /// Starts `inbox-doctor serve` with `config` (TOML) and extra environment variables, at
    /// trace level, on a free loopback port.
    pub fn start(config: &str, env: &[(&str, &str)]) -> Served {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, config).expect("write the configuration");
        let mut child = Command::new(binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&file)
            .envs(env.iter().copied())
            .env("RUST_LOG", "trace")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn inbox-doctor serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = BufReader::new(child.stderr.take().expect("stderr"));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("inbox-doctor: listening on http://") {
                    let _ = tx.send(addr.to_owned());
                }
                let mut s = sink.lock().unwrap_or_else(|e| e.into_inner());
                s.push_str(&line);
                s.push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(addr) => addr.parse().expect("a socket address"),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the relay did not start:\n{}",
                    stderr.lock().unwrap_or_else(|e| e.into_inner())
                )
            }
        };
        Served {
            addr,
            child,
            stderr,
            config: file,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything logged so far.
    pub fn logs(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Everything logged once `done` says enough is there (lines reach the test through a
    /// pipe and a thread, a little after the relay answered), or after ten seconds.
    pub fn logs_when(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let logs = self.logs();
            if done(&logs) || std::time::Instant::now() > deadline {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A request from `source` (an address of 127.0.0.0/8): status, headers (lower-case
    /// names) and body.
    pub async fn request_from(
        &self,
        source: IpAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        request_from(source, self.addr, method, path, headers, body).await
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request over a new connection from `source` to `to`.
pub async fn request_from(
    source: IpAddr,
    to: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(source, 0))
        .expect("bind the source address");
    let mut stream = socket.connect(to).await.expect("connect to the relay");
    let body = body.unwrap_or("");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("the relay answers within 30 s")
        .expect("read the response");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A new token for `name` from `inbox-doctor admin-token`: the token, and the configuration
/// lines the command printed for it.
pub fn admin_token(name: &str) -> (String, String) {
    let out = Command::new(binary())
        .args(["admin-token", name])
        .output()
        .expect("run inbox-doctor admin-token");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("    "))
        .expect("the token, on its own indented line")
        .to_owned();
    let block = text[text.find("[[domains.admin_tokens]]").expect("config lines")..].to_owned();
    (token, block)
}

/// Runs `inbox-doctor ARGS --config FILE` beside the relay: exit status, stdout, stderr.
pub fn command(config: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(binary())
        .args(args)
        .arg("--config")
        .arg(config)
        .envs(env.iter().copied())
        .output()
        .expect("run inbox-doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
