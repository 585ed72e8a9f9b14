//! The first bytes a server sent during a handshake, kept: when it did not speak TLS, what it
//! said instead is the evidence.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How many of the first bytes are kept.
const KEPT: usize = 64;

/// A stream that keeps a copy of the first [`KEPT`] bytes read through it.
pub(super) struct Peek<T> {
    inner: T,
    first: Arc<Mutex<Vec<u8>>>,
}

impl<T> Peek<T> {
    pub fn new(inner: T) -> (Peek<T>, Arc<Mutex<Vec<u8>>>) {
        let first = Arc::new(Mutex::new(Vec::new()));
        (
            Peek {
                inner,
                first: first.clone(),
            },
            first,
        )
    }
}

/// The kept bytes for people: text where they are printable, escapes where not.
pub(super) fn shown(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

impl<T: AsyncRead + Unpin> AsyncRead for Peek<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            let room = KEPT.saturating_sub(first.len());
            let new = &buf.filled()[before..];
            first.extend_from_slice(&new[..new.len().min(room)]);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Peek<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_first_bytes_are_kept_and_no_more() {
        let (client, mut server) = tokio::io::duplex(1024);
        let (mut peek, first) = Peek::new(client);
        server.write_all(b"* OK not TLS\r\n").await.unwrap();
        server.write_all(&[0u8; 200]).await.unwrap();
        let mut all = vec![0u8; 214];
        peek.read_exact(&mut all).await.unwrap();
        let kept = first.lock().unwrap().clone();
        assert_eq!(kept.len(), KEPT);
        assert!(shown(&kept).starts_with("* OK not TLS\\r\\n\\x00"));
    }
}
