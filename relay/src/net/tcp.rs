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

/// What a failed connect means. A reset or an abort comes after the server answered the SYN:
/// the connection was accepted, then closed — not a network without a route.
fn connect_failure(kind: io::ErrorKind) -> Observation<String> {
    match kind {
        io::ErrorKind::ConnectionRefused => Observation::ConnectRefused,
        io::ErrorKind::TimedOut => Observation::ConnectTimedOut,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => Observation::Closed,
        _ => Observation::Unreachable,
    }
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
            return Err(Failed::new(connect_failure(e.kind())).detail(format!("{addr}: {e}")));
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_reset_after_the_syn_was_answered_is_a_closed_connection() {
        use io::ErrorKind::*;
        assert_eq!(
            connect_failure(ConnectionRefused),
            Observation::ConnectRefused
        );
        assert_eq!(connect_failure(TimedOut), Observation::ConnectTimedOut);
        for kind in [ConnectionReset, ConnectionAborted, BrokenPipe] {
            assert_eq!(connect_failure(kind), Observation::Closed, "{kind:?}");
        }
        assert_eq!(
            connect_failure(NetworkUnreachable),
            Observation::Unreachable
        );
        assert_eq!(connect_failure(HostUnreachable), Observation::Unreachable);
    }

    /// A server that accepts and resets at once: whether the reset reaches the connect or the
    /// first read, the session sees a closed connection.
    #[tokio::test]
    async fn accept_then_reset_reads_as_closed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                #[allow(deprecated)] // SO_LINGER 0: the close sends a reset.
                let _ = stream.set_linger(Some(Duration::ZERO));
                drop(stream);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        for _ in 0..20 {
            let observed = match connect(&[addr], None, deadline).await {
                Err(f) => f.observation,
                Ok(c) => {
                    let mut conn = super::super::conn::Conn::new(
                        Box::new(c.stream),
                        inbox_doctor_errors::Side::Imap,
                        super::super::transcript::Transcript::scratch(),
                        deadline,
                    );
                    let e = conn.read_line().await.unwrap_err();
                    Failed::io(e, false).observation
                }
            };
            assert_eq!(observed, Observation::Closed);
        }
    }
}
