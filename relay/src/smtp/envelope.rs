//! The test email's transaction without IO: MAIL, RCPT and DATA (pipelined when the server
//! offers PIPELINING, RFC 2920), what their replies mean, and the body with its dots stuffed.

use inbox_doctor_errors::SmtpCommand;

use super::reply::Reply;
use crate::net::Failed;

/// MAIL FROM (with SIZE when offered), RCPT TO and DATA.
pub fn commands(from: &str, to: &str, size: Option<usize>) -> [(SmtpCommand, String); 3] {
    let size = size.map(|n| format!(" SIZE={n}")).unwrap_or_default();
    [
        (
            SmtpCommand::MailFrom,
            format!("MAIL FROM:<{from}>{size}\r\n"),
        ),
        (SmtpCommand::RcptTo, format!("RCPT TO:<{to}>\r\n")),
        (SmtpCommand::Data, "DATA\r\n".to_owned()),
    ]
}

/// The first refusal among the replies so far, in the server's words.
pub fn refusal(commands: &[(SmtpCommand, String)], replies: &[Reply]) -> Option<Failed> {
    commands
        .iter()
        .zip(replies)
        .find(|(_, r)| !r.positive())
        .map(|((c, _), r)| Failed::smtp(*c, r.text()))
}

/// Whether the server is ready for the body: every reply positive, DATA answered with 354.
pub fn ready_for_body(commands: &[(SmtpCommand, String)], replies: &[Reply]) -> Result<(), Failed> {
    if let Some(f) = refusal(commands, replies) {
        return Err(f);
    }
    match replies.last() {
        Some(r) if r.code == 354 => Ok(()),
        last => Err(Failed::smtp(
            SmtpCommand::Data,
            last.map(Reply::text).unwrap_or_default(),
        )),
    }
}

/// Doubles a leading dot on every line (RFC 5321 4.5.2) and appends the end marker.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 8);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16) -> Reply {
        Reply {
            code,
            lines: vec![format!("{code} x")],
        }
    }

    #[test]
    fn dots_are_stuffed() {
        assert_eq!(dot_stuff(b"a\r\n.b\r\n"), b"a\r\n..b\r\n.\r\n");
        assert_eq!(dot_stuff(b".x"), b"..x\r\n.\r\n");
    }

    #[test]
    fn the_first_refusal_names_its_command() {
        let c = commands("a@x", "b@y", Some(10));
        assert_eq!(c[0].1, "MAIL FROM:<a@x> SIZE=10\r\n");
        let f = ready_for_body(&c, &[reply(250), reply(554), reply(554)]).unwrap_err();
        assert_eq!(
            f.observation,
            inbox_doctor_errors::Observation::SmtpReply {
                command: SmtpCommand::RcptTo,
                text: "554 x".into()
            }
        );
        assert!(ready_for_body(&c, &[reply(250), reply(250), reply(354)]).is_ok());
        // All positive but no 354: DATA did not open.
        assert!(ready_for_body(&c, &[reply(250), reply(250), reply(250)]).is_err());
        assert!(ready_for_body(&c, &[]).is_err());
    }
}
