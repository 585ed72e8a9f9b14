//! TCP connect, with "refused" (closed) kept apart from "no answer" (filtered).

use std::io;
use std::net::{IpAddr, SocketAddr};

use inbox_doctor_errors::Observation;
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;

use super::Failed;

/// The local address to connect from, of the family of the first address to try (the
/// operator's static egress addresses; `None` lets the kernel choose).
pub fn source_for(addrs: &[SocketAddr], v4: Option<IpAddr>, v6: Option<IpAddr>) -> Option<IpAddr> {
    match addrs.first() {
        Some(SocketAddr::V4(_)) => v4,
        Some(SocketAddr::V6(_)) => v6,
        None => None,
    }
}

/// A connected stream and both ends of it.
pub struct Connected {
    pub stream: TcpStream,
    pub local: SocketAddr,
    pub peer: SocketAddr,
}

/// Connects to the first address that accepts, trying each in turn before `deadline`.
/// `source` pins the local address (for operators with static egress addresses).
pub async fn connect(
    addrs: &[SocketAddr],
    source: Option<IpAddr>,
    deadline: Instant,
) -> Result<Connected, Failed> {
    let mut last = Failed::new(Observation::Unreachable).detail("no address to connect to");
    for (i, &addr) in addrs.iter().enumerate() {
        // Leave the later addresses a share of the time.
        let remaining = deadline.saturating_duration_since(Instant::now());
        let share = remaining / (addrs.len() - i) as u32;
        let attempt_deadline = Instant::now() + share;
        match connect_one(addr, source, attempt_deadline).await {
            Ok(c) => return Ok(c),
            // Keep the most telling failure: a refusal or silence on one address says more
            // than an unreachable second address family.
            Err(f) if rank(&f.observation) >= rank(&last.observation) => last = f,
            Err(_) => {}
        }
    }
    Err(last)
}

fn rank(o: &Observation<String>) -> u8 {
    match o {
        Observation::ConnectRefused => 3,
        Observation::ConnectTimedOut => 2,
        _ => 1,
    }
}

async fn connect_one(
    addr: SocketAddr,
    source: Option<IpAddr>,
    deadline: Instant,
) -> Result<Connected, Failed> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(|e| Failed::new(Observation::Unreachable).detail(format!("socket: {e}")))?;
    if let Some(ip) = source.filter(|ip| ip.is_ipv4() == addr.is_ipv4()) {
        socket
            .bind(SocketAddr::new(ip, 0))
            .map_err(|e| Failed::new(Observation::Unreachable).detail(format!("bind {ip}: {e}")))?;
    }
    let stream = match tokio::time::timeout_at(deadline, socket.connect(addr)).await {
        Err(_) => {
            return Err(
                Failed::new(Observation::ConnectTimedOut).detail(format!("no answer from {addr}"))
            )
        }
        Ok(Err(e)) => {
            let observation = match e.kind() {
                io::ErrorKind::ConnectionRefused => Observation::ConnectRefused,
                io::ErrorKind::TimedOut => Observation::ConnectTimedOut,
                io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                    Observation::Unreachable
                }
                _ => Observation::Unreachable,
            };
            return Err(Failed::new(observation).detail(format!("{addr}: {e}")));
        }
        Ok(Ok(s)) => s,
    };
    let _ = stream.set_nodelay(true);
    let local = stream
        .local_addr()
        .map_err(|e| Failed::new(Observation::Closed).detail(e.to_string()))?;
    Ok(Connected {
        stream,
        local,
        peer: addr,
    })
}
