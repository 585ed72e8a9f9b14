//! SMTP AUTH as a state machine without IO: PLAIN with an initial response (one round trip),
//! else LOGIN. The password is written at most once: a server that asks again gets `*` (the
//! SASL cancel) and its answer is the failure.

use base64::Engine as _;
use inbox_doctor_errors::{Observation, Secret, SmtpCommand};

use super::reply::Reply;
use crate::net::conn::Outgoing;
use crate::net::transcript::REDACTED;
use crate::net::Failed;

/// What the driver does after a reply.
#[derive(Debug)]
pub enum Next {
    Send(Outgoing),
    Done(Result<(), Failed>),
}

/// Where the exchange stands: the reply it waits for.
enum Expect {
    /// `AUTH PLAIN <credentials>` sent.
    PlainResult,
    /// `AUTH LOGIN` sent; the server asks for the user name.
    UsernamePrompt,
    PasswordPrompt,
    LoginResult,
    /// The server asked again after the password: `*` sent.
    Cancelled,
}

/// One AUTH exchange. Holds the password until it has been sent; no `Debug`.
pub struct Auth {
    state: Expect,
    username: String,
    password: Option<String>,
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

impl Auth {
    /// Chooses the mechanism from the offered ones and returns the first command.
    pub fn start(
        mechanisms: &[String],
        username: &str,
        password: &Secret,
    ) -> Result<(Auth, Outgoing), Failed> {
        let offered = |m: &str| mechanisms.iter().any(|x| x == m);
        if offered("PLAIN") {
            let blob = b64(&format!("\0{username}\0{}", password.expose()));
            let auth = Auth {
                state: Expect::PlainResult,
                username: username.to_owned(),
                password: None,
            };
            let out = Outgoing {
                wire: format!("AUTH PLAIN {blob}\r\n"),
                shown: format!("AUTH PLAIN {REDACTED}"),
            };
            return Ok((auth, out));
        }
        if offered("LOGIN") {
            let auth = Auth {
                state: Expect::UsernamePrompt,
                username: username.to_owned(),
                password: Some(password.expose().to_owned()),
            };
            let out = Outgoing {
                wire: "AUTH LOGIN\r\n".into(),
                shown: "AUTH LOGIN".into(),
            };
            return Ok((auth, out));
        }
        Err(
            Failed::new(Observation::NoAuthMechanism).detail(if mechanisms.is_empty() {
                "the server offers no AUTH on this connection".to_owned()
            } else {
                format!("offered: {}", mechanisms.join(" "))
            }),
        )
    }

    /// Takes the server's reply to what was sent last.
    pub fn on_reply(&mut self, reply: Reply) -> Next {
        let challenged = reply.code == 334;
        match self.state {
            Expect::UsernamePrompt if challenged => {
                self.state = Expect::PasswordPrompt;
                let user = b64(&self.username);
                Next::Send(Outgoing {
                    wire: format!("{user}\r\n"),
                    shown: user,
                })
            }
            Expect::PasswordPrompt if challenged => match self.password.take() {
                Some(password) => {
                    self.state = Expect::LoginResult;
                    Next::Send(Outgoing {
                        wire: format!("{}\r\n", b64(&password)),
                        shown: REDACTED.into(),
                    })
                }
                None => self.cancel(),
            },
            Expect::PlainResult | Expect::LoginResult if challenged => self.cancel(),
            Expect::Cancelled if challenged => {
                Next::Done(Err(Failed::smtp(SmtpCommand::Auth, reply.text()).detail(
                    "the server asked for more after the exchange was cancelled",
                )))
            }
            _ => Next::Done(result(reply)),
        }
    }

    fn cancel(&mut self) -> Next {
        self.state = Expect::Cancelled;
        self.password = None;
        Next::Send(Outgoing {
            wire: "*\r\n".into(),
            shown: "*".into(),
        })
    }
}

fn result(reply: Reply) -> Result<(), Failed> {
    if reply.code == 235 {
        Ok(())
    } else {
        Err(Failed::smtp(SmtpCommand::Auth, reply.text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![format!("{code} {text}")],
        }
    }

    fn mechanisms(m: &[&str]) -> Vec<String> {
        m.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Runs the exchange against scripted replies; returns every write and the outcome.
    fn script(offered: &[&str], replies: &[Reply]) -> (Vec<Outgoing>, Result<(), Failed>) {
        let (mut auth, first) =
            Auth::start(&mechanisms(offered), "jo", &Secret::new("pw")).unwrap();
        let mut sent = vec![first];
        for r in replies {
            match auth.on_reply(r.clone()) {
                Next::Send(out) => sent.push(out),
                Next::Done(outcome) => return (sent, outcome),
            }
        }
        panic!("the script ended before the exchange did");
    }

    fn password_writes(sent: &[Outgoing]) -> usize {
        let pw = [b64("pw"), b64("\0jo\0pw")];
        sent.iter()
            .filter(|o| pw.iter().any(|p| o.wire.contains(p.as_str())))
            .count()
    }

    #[test]
    fn plain_takes_one_round_trip() {
        let (sent, outcome) = script(&["LOGIN", "PLAIN"], &[reply(235, "2.7.0 ok")]);
        assert!(outcome.is_ok());
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].shown, format!("AUTH PLAIN {REDACTED}"));
        assert_eq!(password_writes(&sent), 1);
    }

    #[test]
    fn login_sends_the_name_then_the_password() {
        let (sent, outcome) = script(
            &["LOGIN"],
            &[
                reply(334, "VXNlcm5hbWU6"),
                reply(334, "UGFzc3dvcmQ6"),
                reply(535, "5.7.8 Authentication failed"),
            ],
        );
        let failed = outcome.unwrap_err();
        assert_eq!(
            failed.server_reply(),
            Some("535 5.7.8 Authentication failed")
        );
        assert_eq!(sent[1].wire, format!("{}\r\n", b64("jo")));
        assert_eq!(sent[2].shown, REDACTED);
        assert_eq!(password_writes(&sent), 1);
    }

    #[test]
    fn a_server_that_keeps_asking_gets_the_password_once_then_a_cancel() {
        for offered in [&["PLAIN"][..], &["LOGIN"][..]] {
            let asks: Vec<Reply> = (0..5).map(|_| reply(334, "")).collect();
            let mut replies = asks.clone();
            replies.push(reply(501, "5.7.0 cancelled"));
            let (sent, outcome) = script(offered, &replies);
            assert_eq!(password_writes(&sent), 1, "{offered:?}");
            assert_eq!(sent.last().unwrap().wire, "*\r\n");
            assert!(outcome.is_err());
        }
    }

    #[test]
    fn no_usable_mechanism_is_named() {
        let Err(f) = Auth::start(&mechanisms(&["CRAM-MD5"]), "jo", &Secret::new("pw")) else {
            panic!("CRAM-MD5 alone is not usable with our mechanisms");
        };
        assert_eq!(f.observation, Observation::NoAuthMechanism);
        assert_eq!(f.detail.as_deref(), Some("offered: CRAM-MD5"));
        let Err(f) = Auth::start(&[], "jo", &Secret::new("pw")) else {
            panic!("nothing offered");
        };
        assert_eq!(
            f.detail.as_deref(),
            Some("the server offers no AUTH on this connection")
        );
    }
}
