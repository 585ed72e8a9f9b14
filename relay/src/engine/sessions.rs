//! How many simultaneous IMAP sessions the server allows this user, compared with how many a
//! connecting product needs. The extra sessions connect once the main one has logged in (never
//! for a wrong password), while it validates; they log in one after another: servers check
//! their limit at login, and logins racing each other can slip past it. The check stops at the first refusal, so it never
//! opens more sessions than the server allows (nor more than the target).

use std::net::SocketAddr;
use std::sync::Arc;

use inbox_doctor_errors::{Direction, Side};
use tokio::time::Instant;
use tokio_util::task::AbortOnDropHandle;

use super::record::Run;
use crate::imap::ImapSession;
use crate::net::transcript::Transcript;
use crate::net::Failed;
use crate::session::{self, Road};

/// Extra sessions, opened up to the point where they would log in; dropping it (a cancelled
/// run) stops the opening.
pub(super) type Prepared = AbortOnDropHandle<Vec<Result<ImapSession, Failed>>>;

/// What the check found beside the main session.
pub(super) struct Found {
    /// Extra sessions the server let log in.
    pub allowed: u32,
    /// The server's words when it refused one.
    pub refusal: Option<String>,
}

/// Opens `session_target - 1` extra sessions in the background, without logging in. Their
/// transcript is thrown away: the report shows one line for the whole check.
pub(super) fn prepare(run: &Arc<Run>, addrs: &[SocketAddr]) -> Prepared {
    let extra = run.req.session_target.saturating_sub(1);
    let (run, addrs) = (run.clone(), addrs.to_vec());
    AbortOnDropHandle::new(tokio::spawn(async move {
        let deadline = Instant::now() + run.config.step_timeout;
        let road = Road {
            transcript: Transcript::scratch(),
            ..run.road(Side::Imap)
        };
        let attempts = (0..extra).map(|_| {
            session::open::<ImapSession>(&run.config.net, &road, &addrs, &run.trust, deadline)
        });
        futures_util::future::join_all(attempts)
            .await
            .into_iter()
            .map(|opened| opened.map(|o| o.session))
            .collect()
    }))
}

/// Logs the prepared sessions in, one after another, until one is refused; then logs out.
/// A session whose greeting carried no capabilities assumes those the main session logged in
/// under (`known`): asking each one again would cost a round trip per login.
pub(super) async fn check(
    run: &Run,
    prepared: Prepared,
    known: &[String],
    deadline: Instant,
) -> Found {
    let prepared = prepared.await.unwrap_or_default();
    let tried = prepared.len() + 1;
    let mut open = Vec::new();
    let mut refusal = None;
    for attempt in prepared {
        let result = match attempt {
            Ok(mut s) => {
                s.conn_mut().set_deadline(deadline);
                s.assume_capabilities(known);
                s.login(run.req.imap_username(), run.req.credential(Side::Imap))
                    .await
                    .map(|_| s)
            }
            Err(f) => Err(f),
        };
        match result {
            Ok(s) => open.push(s),
            Err(f) => {
                let said = f.server_reply().map(str::to_owned).or(f.detail);
                refusal = Some(run.evidence(said.as_deref().unwrap_or("refused")));
                break;
            }
        }
    }
    let allowed = open.len() as u32;
    futures_util::future::join_all(open.into_iter().map(ImapSession::logout)).await;
    run.transcript.record(
        Side::Imap,
        Direction::Event,
        &format!(
            "session check: {} of {tried} simultaneous sessions opened",
            allowed + 1
        ),
    );
    Found { allowed, refusal }
}
