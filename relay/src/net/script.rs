//! A scripted peer for the dialogues' tests, over an in-memory stream: it sends a greeting,
//! then answers each line it receives with the next scripted answer (an empty one: read on),
//! keeps what it got, and hangs up after the last answer.

use std::time::Duration;

use inbox_doctor_errors::Side;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::conn::Conn;
use super::transcript::Transcript;

/// The client's end (a [`Conn`] with a scratch transcript and a 5 s deadline) and the peer,
/// which returns every line it received once the client hangs up or the script ends.
pub fn peer(side: Side, greeting: &str, answers: &[&str]) -> (Conn, JoinHandle<Vec<String>>) {
    let (client, server) = tokio::io::duplex(1 << 16);
    let conn = Conn::new(
        Box::new(client),
        side,
        Transcript::scratch(),
        Instant::now() + Duration::from_secs(5),
    );
    let greeting = greeting.to_owned();
    let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
    (conn, tokio::spawn(run(server, greeting, answers)))
}

async fn run(server: DuplexStream, greeting: String, answers: Vec<String>) -> Vec<String> {
    let (read, mut write) = tokio::io::split(server);
    let mut lines = BufReader::new(read).lines();
    let mut got = Vec::new();
    let _ = write.write_all(greeting.as_bytes()).await;
    let mut answers = answers.into_iter().peekable();
    while answers.peek().is_some() {
        let Ok(Some(line)) = lines.next_line().await else {
            break;
        };
        got.push(line);
        if let Some(a) = answers.next() {
            let _ = write.write_all(a.as_bytes()).await;
        }
    }
    got
}
