//! `inbox-doctor health [URL]`: asks a relay's `/healthz` (or `/readyz`) over plain HTTP and
//! exits 0 when it answers 200, for container health checks in an image that has no curl.
//! Loopback only: it is a probe for the relay next to it, not a way to reach anything else.

use std::time::Duration;

use http_body_util::Empty;
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

use super::args::HealthArgs;
use super::{Exit, UsageError};

/// How long the whole question may take.
const DEADLINE: Duration = Duration::from_secs(5);

/// Runs `inbox-doctor health`.
pub async fn health(args: HealthArgs) -> Result<Exit, UsageError> {
    let uri: hyper::Uri = args
        .url
        .parse()
        .map_err(|e| UsageError(format!("{}: {e}", args.url)))?;
    let (Some("http"), Some(host), Some(port)) =
        (uri.scheme_str(), uri.host(), uri.port_u16().or(Some(80)))
    else {
        return Err(UsageError(format!("{}: give an http:// URL", args.url)));
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip: std::net::IpAddr = host
        .parse()
        .ok()
        .filter(|ip: &std::net::IpAddr| ip.is_loopback())
        .ok_or_else(|| UsageError(format!("{}: only a loopback address", args.url)))?;
    let status = tokio::time::timeout(DEADLINE, ask((ip, port).into(), uri))
        .await
        .map_err(|_| UsageError(format!("{}: no answer within 5 s", args.url)))?
        .map_err(|e| UsageError(format!("{}: {e}", args.url)))?;
    if status == 200 {
        Ok(Exit::Passed)
    } else {
        eprintln!("inbox-doctor: {} answered {status}", args.url);
        Ok(Exit::Failed)
    }
}

async fn ask(
    addr: std::net::SocketAddr,
    uri: hyper::Uri,
) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let _driver = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(connection));
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = Request::get(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Empty::<Bytes>::new())?;
    Ok(sender.send_request(request).await?.status().as_u16())
}
