//! A scripted mail server for replies only big providers send: it greets, then answers each
//! line that starts with a given word with a fixed reply. Never a stand-in for Dovecot or
//! Postfix: only for texts no server here can produce.

use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A rule: when a client line contains `when` (case-insensitive), send `reply`
/// (`{tag}` stands for the IMAP tag of that line).
pub type Rule = (&'static str, &'static str);

pub struct Scripted {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Scripted {
    pub async fn start(greeting: &'static str, rules: &'static [Rule]) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    if write.write_all(greeting.as_bytes()).await.is_err() {
                        return;
                    }
                    while let Ok(Some(line)) = lines.next_line().await {
                        let tag = line.split(' ').next().unwrap_or("*").to_owned();
                        let lower = line.to_ascii_lowercase();
                        let reply = rules
                            .iter()
                            .find(|(when, _)| lower.contains(&when.to_ascii_lowercase()))
                            .map(|(_, r)| r.replace("{tag}", &tag));
                        if let Some(r) = reply {
                            if write.write_all(r.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        Scripted { addr, task }
    }
}
