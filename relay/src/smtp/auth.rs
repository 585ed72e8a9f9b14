//! SMTP AUTH as a state machine without IO: PLAIN with an initial response (one round trip),
//! else LOGIN; an access token with XOAUTH2 or OAUTHBEARER ([`crate::sasl`]). The secret is
//! written at most once: a server that asks again gets `*` (the SASL cancel) and its answer is
//! the failure. A token mechanism's error challenge is answered once, as the mechanism asks,
//! and kept as evidence.

use base64::Engine as _;
use inbox_doctor_errors::{Credential, Observation, SmtpCommand};

use super::reply::Reply;
use crate::net::conn::Outgoing;
use crate::net::transcript::REDACTED;
use crate::net::Failed;
use crate::sasl::{self, TokenMechanism};

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
    /// `AUTH <token mechanism> <initial response>` sent.
    TokenResult(TokenMechanism),
    /// The error challenge answered; the refusal is due.
    TokenRefusal,
    /// The server asked again after the password: `*` sent.
    Cancelled,
}

/// One AUTH exchange. Holds the password until it has been sent; no `Debug`.
pub struct Auth {
    state: Expect,
    username: String,
    password: Option<String>,
    /// A token mechanism's error challenge (its base64).
    challenge: Option<String>,
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

impl Auth {
    /// Chooses the mechanism from the offered ones and returns the first command.
    pub fn start(
        mechanisms: &[String],
        username: &str,
        credential: Credential,
    ) -> Result<(Auth, Outgoing), Failed> {
        let offered = |m: &str| mechanisms.iter().any(|x| x == m);
        let auth = |state, password| Auth {
            state,
            username: username.to_owned(),
            password,
            challenge: None,
        };
        let nothing_offered = || {
            if mechanisms.is_empty() {
                "the server offers no AUTH on this connection".to_owned()
            } else {
                format!("offered: {}", mechanisms.join(" "))
            }
        };
        let password = match credential {
            Credential::Password(password) => password,
            Credential::Token { token, mechanism } => {
                let names: Vec<&str> = mechanisms.iter().map(String::as_str).collect();
                let Some(m) = TokenMechanism::choose(&names, mechanism) else {
                    return Err(
                        Failed::new(Observation::NoOauthMechanism).detail(nothing_offered())
                    );
                };
                let blob = m.initial_response(username, token.expose());
                let out = Outgoing {
                    wire: format!("AUTH {} {blob}\r\n", m.name()),
                    shown: format!("AUTH {} {REDACTED}", m.name()),
                };
                return Ok((auth(Expect::TokenResult(m), None), out));
            }
        };
        if offered("PLAIN") {
            let blob = b64(&format!("\0{username}\0{}", password.expose()));
            let out = Outgoing {
                wire: format!("AUTH PLAIN {blob}\r\n"),
                shown: format!("AUTH PLAIN {REDACTED}"),
            };
            return Ok((auth(Expect::PlainResult, None), out));
        }
        if offered("LOGIN") {
            let out = Outgoing {
                wire: "AUTH LOGIN\r\n".into(),
                shown: "AUTH LOGIN".into(),
            };
            let secret = Some(password.expose().to_owned());
            return Ok((auth(Expect::UsernamePrompt, secret), out));
        }
        let names: Vec<&str> = mechanisms.iter().map(String::as_str).collect();
        if TokenMechanism::choose(&names, inbox_doctor_errors::OauthMechanism::Auto).is_some() {
            return Err(Failed::new(Observation::OnlyOauthOffered).detail(format!(
                "the server offers only OAuth logins: {}",
                mechanisms.join(" ")
            )));
        }
        Err(Failed::new(Observation::NoAuthMechanism).detail(nothing_offered()))
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
            Expect::TokenResult(m) if challenged => {
                self.challenge = reply
                    .lines
                    .first()
                    .map(|l| l.get(4..).unwrap_or("").to_owned());
                self.state = Expect::TokenRefusal;
                let answer = m.error_answer();
                Next::Send(Outgoing {
                    wire: format!("{answer}\r\n"),
                    shown: answer.to_owned(),
                })
            }
            Expect::TokenResult(_) | Expect::TokenRefusal if reply.code != 235 && !challenged => {
                Next::Done(Err(sasl::token_refused(
                    reply.text(),
                    self.challenge.as_deref(),
                )))
            }
            Expect::PlainResult | Expect::LoginResult | Expect::TokenRefusal if challenged => {
                self.cancel()
            }
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
    use inbox_doctor_errors::{OauthMechanism, SaslStatus, Secret};

    fn token_exchange(offered: &[&str], replies: &[Reply]) -> (Vec<Outgoing>, Result<(), Failed>) {
        let token = Secret::new("tok");
        let credential = Credential::Token {
            token: &token,
            mechanism: OauthMechanism::Auto,
        };
        exchange(offered, credential, replies)
    }

    #[test]
    fn a_token_takes_one_round_trip_when_accepted() {
        let (sent, outcome) =
            token_exchange(&["PLAIN", "XOAUTH2"], &[reply(235, "2.7.0 Accepted")]);
        assert!(outcome.is_ok());
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].shown, format!("AUTH XOAUTH2 {REDACTED}"));
        let blob = TokenMechanism::Xoauth2.initial_response("jo", "tok");
        assert_eq!(sent[0].wire, format!("AUTH XOAUTH2 {blob}\r\n"));
    }

    #[test]
    fn a_refused_token_has_its_error_challenge_answered_once_and_kept() {
        // nodemailer/nodemailer#114's shape: the error as a 334 challenge, then the refusal.
        let json = r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
        let challenge = b64(json);
        let (sent, outcome) = token_exchange(
            &["XOAUTH2"],
            &[
                reply(334, &challenge),
                reply(535, "5.7.8 Username and Password not accepted."),
            ],
        );
        assert_eq!(
            sent[1].wire, "\r\n",
            "XOAUTH2 answers with an empty response"
        );
        let failed = outcome.unwrap_err();
        let Observation::TokenRefused { text, facts } = &failed.observation else {
            panic!("{:?}", failed.observation);
        };
        assert_eq!(text, "535 5.7.8 Username and Password not accepted.");
        assert_eq!(facts.status, Some(SaslStatus::InvalidRequest));
        assert!(failed.detail.as_deref().unwrap_or("").contains(json));
        // A server that challenges again after the answer is cancelled, not answered forever.
        let (sent, outcome) = token_exchange(
            &["OAUTHBEARER"],
            &[
                reply(334, &challenge),
                reply(334, ""),
                reply(501, "5.7.0 cancelled"),
            ],
        );
        let wires: Vec<&str> = sent.iter().map(|o| o.wire.as_str()).collect();
        assert_eq!(wires[1..], ["AQ==\r\n", "*\r\n"]);
        assert!(outcome.is_err());
    }

    #[test]
    fn a_token_is_not_sent_where_no_token_mechanism_is_offered() {
        let token = Secret::new("tok");
        let credential = Credential::Token {
            token: &token,
            mechanism: OauthMechanism::Auto,
        };
        let Err(f) = Auth::start(&mechanisms(&["PLAIN", "LOGIN"]), "jo", credential) else {
            panic!("no token mechanism");
        };
        assert_eq!(f.observation, Observation::NoOauthMechanism);
        assert_eq!(f.detail.as_deref(), Some("offered: PLAIN LOGIN"));
    }

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code,
            lines: vec![format!("{code} {text}")],
        }
    }

    fn mechanisms(m: &[&str]) -> Vec<String> {
        m.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Runs the password exchange against scripted replies; returns every write and the
    /// outcome.
    fn script(offered: &[&str], replies: &[Reply]) -> (Vec<Outgoing>, Result<(), Failed>) {
        exchange(offered, Credential::Password(&Secret::new("pw")), replies)
    }

    fn exchange(
        offered: &[&str],
        credential: Credential,
        replies: &[Reply],
    ) -> (Vec<Outgoing>, Result<(), Failed>) {
        let (mut auth, first) = Auth::start(&mechanisms(offered), "jo", credential).unwrap();
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
    fn a_password_where_only_oauth_is_offered_is_password_login_switched_off() {
        let pw = Secret::new("pw");
        let offered = mechanisms(&["XOAUTH2", "OAUTHBEARER"]);
        let Err(f) = Auth::start(&offered, "jo", Credential::Password(&pw)) else {
            panic!("no password mechanism");
        };
        assert_eq!(f.observation, Observation::OnlyOauthOffered);
    }

    #[test]
    fn no_usable_mechanism_is_named() {
        let pw = Secret::new("pw");
        let Err(f) = Auth::start(&mechanisms(&["CRAM-MD5"]), "jo", Credential::Password(&pw))
        else {
            panic!("CRAM-MD5 alone is not usable with our mechanisms");
        };
        assert_eq!(f.observation, Observation::NoAuthMechanism);
        assert_eq!(f.detail.as_deref(), Some("offered: CRAM-MD5"));
        let Err(f) = Auth::start(&[], "jo", Credential::Password(&pw)) else {
            panic!("nothing offered");
        };
        assert_eq!(
            f.detail.as_deref(),
            Some("the server offers no AUTH on this connection")
        );
    }
}
