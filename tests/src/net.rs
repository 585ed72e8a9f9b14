//! Loopback helpers: free ports, a closed port, and a port that never answers.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A port nothing listens on right now, below the kernel's ephemeral range (32768 and up),
/// so outgoing connections cannot take it before the server binds it; never the same twice
/// in one process, and apart from other test processes (nextest runs each test in its own).
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let _ = NEXT.compare_exchange(
        0,
        std::process::id() * 40,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let port = 10_000 + (NEXT.fetch_add(1, Ordering::SeqCst) % 22_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Waits until something accepts on `addr`.
pub fn wait_for(addr: SocketAddr, what: &str, log: &std::path::Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not start listening on {addr} within 10 s; its log:\n{log}");
}

/// A listener whose accept queue is full and never drained: connects to it get no answer,
/// as from a port a firewall silently drops.
pub struct BlackHole {
    pub addr: SocketAddr,
    _listener: tokio::net::TcpListener,
    _fillers: Vec<TcpStream>,
}

impl BlackHole {
    pub async fn new() -> BlackHole {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
        let listener = socket.listen(0).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let mut fillers = Vec::new();
        for _ in 0..8 {
            let a = addr;
            match tokio::task::spawn_blocking(move || {
                TcpStream::connect_timeout(&a, Duration::from_millis(300))
            })
            .await
            .expect("join")
            {
                Ok(s) => fillers.push(s),
                Err(_) => break,
            }
        }
        BlackHole {
            addr,
            _listener: listener,
            _fillers: fillers,
        }
    }
}

/// A loopback listener that counts the connections it accepts, holds each open for `hold`
/// without a word, then closes it; and remembers how many were open at once. For tests that
/// count what the relay connects to.
pub struct Counter {
    pub addr: SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    most_at_once: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Counter {
    pub fn start(hold: Duration) -> Counter {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let most_at_once = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let (a, m, s) = (accepted.clone(), most_at_once.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                a.fetch_add(1, Ordering::SeqCst);
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                let open = open.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(hold);
                    drop(stream);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Counter {
            addr,
            accepted,
            most_at_once,
            stop,
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The most connections that were open at one time.
    pub fn most_at_once(&self) -> usize {
        self.most_at_once.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
