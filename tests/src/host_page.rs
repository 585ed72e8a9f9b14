//! A help center's page on an origin of its own (127.0.0.1 on a port of its own): a small
//! HTTP/1.1 server that answers `GET /` (with any query: a sign-in comes back with one) with one
//! document and anything else with 404. Not the
//! relay: a host page carries its own headers, not the relay's Content-Security-Policy.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct HostPage {
    pub port: u16,
    html: Arc<Mutex<String>>,
    headers: Arc<Mutex<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl HostPage {
    /// Serves an empty document at `http://127.0.0.1:PORT/` until dropped; [`HostPage::set`]
    /// gives it its page (which usually names a relay that needs this origin first).
    pub async fn start() -> HostPage {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let html = Arc::new(Mutex::new(String::new()));
        let page = html.clone();
        let headers = Arc::new(Mutex::new(String::new()));
        let extra = headers.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let html = page.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let extra = extra.lock().unwrap_or_else(|e| e.into_inner()).clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let root = head.starts_with(b"GET / ") || head.starts_with(b"GET /?");
                    let (status, body, extra) = if root {
                        ("200 OK", html, extra)
                    } else {
                        ("404 Not Found", "not found\n".to_owned(), String::new())
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        HostPage {
            port,
            html,
            headers,
            task,
        }
    }

    pub fn set(&self, html: String) {
        *self.html.lock().unwrap_or_else(|e| e.into_inner()) = html;
    }

    /// Sends `name: value` with the page from now on (say, the host's Content-Security-Policy).
    pub fn set_header(&self, name: &str, value: &str) {
        let mut headers = self.headers.lock().unwrap_or_else(|e| e.into_inner());
        headers.push_str(&format!("{name}: {value}\r\n"));
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for HostPage {
    fn drop(&mut self) {
        self.task.abort();
    }
}
