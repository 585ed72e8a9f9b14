//! The SASL mechanisms that carry an OAuth 2.0 access token, shared by IMAP (`AUTHENTICATE`)
//! and SMTP (`AUTH`): XOAUTH2 (Google's, also Microsoft's) and OAUTHBEARER (RFC 7628).
//!
//! Both send the token in the initial response. A server that refuses it first sends its
//! reasons as a challenge (base64 JSON: `status`, `scope`, …) and waits for the client's
//! answer before it sends its final refusal: XOAUTH2 wants an empty response, OAUTHBEARER a
//! single `%x01` (RFC 7628 §3.2.3). Answering with the cancel `*` instead would lose the
//! refusal, so the exchange answers the error challenge once and keeps it as evidence.

use base64::Engine as _;
use inbox_doctor_errors::{Credential, OauthMechanism, Observation, SaslStatus, TokenFacts};

use crate::net::Failed;
use serde::Deserialize;

/// A mechanism that carries a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenMechanism {
    Xoauth2,
    Oauthbearer,
}

/// The most of an error challenge kept as evidence.
const MAX_CHALLENGE: usize = 2048;

impl TokenMechanism {
    pub const ALL: [TokenMechanism; 2] = [TokenMechanism::Oauthbearer, TokenMechanism::Xoauth2];

    /// The name as servers advertise it.
    pub fn name(self) -> &'static str {
        match self {
            TokenMechanism::Xoauth2 => "XOAUTH2",
            TokenMechanism::Oauthbearer => "OAUTHBEARER",
        }
    }

    /// The mechanism to use: the one `wanted`, or with `auto` the standard one before
    /// XOAUTH2; only among those `offered` (names, any case). `None`: none fits.
    pub fn choose(offered: &[&str], wanted: OauthMechanism) -> Option<TokenMechanism> {
        let offers = |m: TokenMechanism| offered.iter().any(|o| o.eq_ignore_ascii_case(m.name()));
        let candidates: &[TokenMechanism] = match wanted {
            OauthMechanism::Auto => &TokenMechanism::ALL,
            OauthMechanism::Xoauth2 => &[TokenMechanism::Xoauth2],
            OauthMechanism::Oauthbearer => &[TokenMechanism::Oauthbearer],
        };
        candidates.iter().copied().find(|&m| offers(m))
    }

    /// The initial client response, base64: the login name and the token.
    pub fn initial_response(self, username: &str, token: &str) -> String {
        let raw = match self {
            TokenMechanism::Xoauth2 => format!("user={username}\x01auth=Bearer {token}\x01\x01"),
            // RFC 7628 §3.1: a GS2 header naming the user (`,` and `=` escaped), then the
            // key-value pairs.
            TokenMechanism::Oauthbearer => {
                let name = username.replace('=', "=3D").replace(',', "=2C");
                format!("n,a={name},\x01auth=Bearer {token}\x01\x01")
            }
        };
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    /// The answer to the server's error challenge, after which it sends its refusal.
    pub fn error_answer(self) -> &'static str {
        match self {
            TokenMechanism::Xoauth2 => "",
            TokenMechanism::Oauthbearer => "AQ==",
        }
    }
}

/// Every SASL blob a login with `credential` may send: the secret inside base64 of more than
/// itself, which the transcript must forbid besides the secret's own spellings.
pub fn blobs(username: &str, credential: Credential) -> Vec<String> {
    let secret = credential.secret().expose();
    if secret.is_empty() {
        return Vec::new();
    }
    match credential {
        Credential::Password(_) => {
            vec![base64::engine::general_purpose::STANDARD.encode(format!("\0{username}\0{secret}"))]
        }
        Credential::Token { .. } => TokenMechanism::ALL
            .iter()
            .map(|m| m.initial_response(username, secret))
            .collect(),
    }
}

/// The server's error challenge, decoded: what it says about the refused token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaslError {
    pub status: Option<String>,
    /// The scope the server wants.
    pub scope: Option<String>,
    /// The JSON as sent (cut), for the evidence.
    pub json: String,
}

#[derive(Deserialize)]
struct ErrorJson {
    status: Option<String>,
    scope: Option<String>,
}

impl SaslError {
    /// Decodes a challenge (its base64, without the `+ ` or `334 `). `None` when it is not a
    /// base64 JSON object: then it is no error challenge and nothing is taken from it.
    pub fn parse(challenge: &str) -> Option<SaslError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(challenge.trim())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let parsed: ErrorJson = serde_json::from_str(text.trim()).ok()?;
        Some(SaslError {
            status: parsed.status,
            scope: parsed.scope,
            json: crate::net::transcript::cut(text.trim(), MAX_CHALLENGE),
        })
    }

    pub fn status(&self) -> Option<SaslStatus> {
        self.status.as_deref().map(SaslStatus::from_status)
    }

    /// The evidence line: what the server said inside the exchange.
    pub fn evidence(&self) -> String {
        format!("the server's SASL error: {}", self.json)
    }
}

/// A refused token: the server's final reply, with the status of its error challenge and the
/// challenge itself as evidence.
pub fn token_refused(reply: String, challenge: Option<&str>) -> Failed {
    let error = challenge.and_then(SaslError::parse);
    let facts = TokenFacts {
        status: error.as_ref().and_then(|e| e.status()),
        ..Default::default()
    };
    let failed = Failed::new(Observation::TokenRefused { text: reply, facts });
    match error {
        Some(e) => failed.detail(e.evidence()),
        None => failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(b64: &str) -> String {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_standard_mechanism_comes_first_unless_one_is_asked_for() {
        let both = ["PLAIN", "xoauth2", "OAUTHBEARER"];
        use OauthMechanism::*;
        assert_eq!(
            TokenMechanism::choose(&both, Auto),
            Some(TokenMechanism::Oauthbearer)
        );
        assert_eq!(
            TokenMechanism::choose(&both, Xoauth2),
            Some(TokenMechanism::Xoauth2)
        );
        assert_eq!(
            TokenMechanism::choose(&["PLAIN", "XOAUTH2"], Oauthbearer),
            None
        );
        assert_eq!(TokenMechanism::choose(&["PLAIN", "LOGIN"], Auto), None);
    }

    #[test]
    fn initial_responses_carry_the_user_and_the_token() {
        let x = TokenMechanism::Xoauth2.initial_response("jo@example.com", "tok");
        assert_eq!(
            decoded(&x),
            "user=jo@example.com\x01auth=Bearer tok\x01\x01"
        );
        let o = TokenMechanism::Oauthbearer.initial_response("a,b=c", "tok");
        assert_eq!(decoded(&o), "n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01");
    }

    #[test]
    fn an_error_challenge_is_read_and_anything_else_is_not() {
        // Google's example of an XOAUTH2 error (its XOAUTH2 protocol page).
        let google = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K";
        let e = SaslError::parse(google).expect("an error");
        assert_eq!(e.status.as_deref(), Some("401"));
        assert_eq!(e.status(), Some(SaslStatus::InvalidToken));
        assert_eq!(e.scope.as_deref(), Some("https://mail.google.com/"));
        assert!(
            e.evidence().contains("\"status\":\"401\""),
            "{}",
            e.evidence()
        );
        assert_eq!(SaslError::parse("VXNlcm5hbWU6"), None, "a LOGIN prompt");
        assert_eq!(SaslError::parse("not base64!"), None);
        assert_eq!(SaslError::parse(""), None);
    }
}
