//! The SMTP branch: connect, secure, log in, send the test email. It waits for nothing on the
//! IMAP side; it hands the sent message's Message-ID over for the round trip.

use std::net::SocketAddr;
use std::sync::Arc;

use inbox_doctor_errors::{Observation, Side, SkipReason, StepId};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::open;
use super::record::Run;
use super::step::Stopped;
use crate::message;
use crate::net::Failed;
use crate::session::{Dialogue, Smtp};

/// What the SMTP branch tells the IMAP branch for the round trip.
pub(super) struct Sent {
    pub message_id: String,
    pub accepted_at: Instant,
}

/// Runs the branch; the steps it does not reach are skipped with the reason it stopped for.
pub(super) async fn branch(
    run: Arc<Run>,
    addrs: Option<Vec<SocketAddr>>,
    sent: oneshot::Sender<Option<Sent>>,
) {
    let outcome = match addrs {
        None => Err(Stopped(SkipReason::NameNotResolved)),
        Some(addrs) => flow(&run, &addrs).await,
    };
    let (handed_over, reason) = match outcome {
        Ok(s) => (s, SkipReason::NotRequested),
        Err(stop) => (None, stop.0),
    };
    let _ = sent.send(handed_over);
    run.skip_rest_of(Side::Smtp, reason);
}

async fn flow(run: &Arc<Run>, addrs: &[SocketAddr]) -> Result<Option<Sent>, Stopped> {
    let (mut smtp, mut step) = open::to_login::<Smtp>(run, addrs).await?;
    step.fact("mechanisms", smtp.session.auth_mechanisms().join(" "));
    let username = run.req.smtp_username();
    if let Err(f) = smtp
        .session
        .auth(username, run.req.credential(Side::Smtp))
        .await
    {
        let stop = step.fail(run.explain_token(Side::Smtp, f));
        smtp.close().await;
        return Err(stop);
    }
    step.pass();

    if !run.req.send {
        smtp.close().await;
        return Ok(None);
    }
    send(run, smtp).await.map(Some)
}

/// Sends the test email; the session ends with it.
async fn send(run: &Run, mut smtp: Smtp) -> Result<Sent, Stopped> {
    let req = &run.req;
    let mut step = run.begin(StepId::SmtpSend);
    smtp.conn_mut().set_deadline(step.deadline());
    let recipient = req.test_recipient();
    let email = match message::build(&req.email, recipient) {
        Ok(m) => m,
        Err(e) => {
            smtp.close().await;
            // validate() accepted both addresses, so this is our own fault: say so plainly.
            return Err(step.fail(
                Failed::new(Observation::NotDelivered)
                    .detail(format!("could not build the test email: {}", e.reason)),
            ));
        }
    };
    step.fact("message_id", email.message_id.clone());
    step.fact("recipient", recipient);
    let result = smtp
        .session
        .send(&email.from, &email.to, &email.bytes)
        .await;
    let accepted_at = Instant::now();
    smtp.close().await;
    let reply = step.check(result)?;
    step.fact("server_reply", reply);
    step.pass();
    Ok(Sent {
        message_id: email.message_id,
        accepted_at,
    })
}
