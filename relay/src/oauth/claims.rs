//! What an access token says about itself. Many providers' tokens are JWTs (Microsoft's,
//! most identity servers'); their claims are read here for evidence only: decoded, never
//! verified, never trusted to decide anything but which words explain a refusal the server
//! already made. Opaque tokens (Google's `ya29.…`) say nothing, and that is fine.

use base64::Engine as _;
use inbox_doctor_errors::{Side, TokenFacts};
use serde::Deserialize;

/// The claims that explain a refusal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    pub issuer: Option<String>,
    /// Seconds since the epoch.
    pub expires: Option<i64>,
    pub audiences: Vec<String>,
    pub scopes: Vec<String>,
    /// Whom the token is for: `upn`, `email`, `preferred_username` or `unique_name`.
    pub user: Option<String>,
}

/// What a provider's mail servers take, to compare a token's claims with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// How the provider's tokens begin their `iss` (a prefix: tenants differ).
    pub issuer: String,
    /// The `aud` values its mail servers take.
    pub audiences: Vec<String>,
    /// The scope IMAP needs, and the one SMTP needs (as the token lists it, or its last part
    /// after `/`).
    pub imap_scope: String,
    pub smtp_scope: String,
}

/// Microsoft's issuers, mail resource and scopes (Exchange Online's IMAP and SMTP AUTH).
pub fn microsoft() -> Vec<Expectation> {
    let audiences = vec![
        "https://outlook.office.com".to_owned(),
        "https://outlook.office365.com".to_owned(),
        "00000002-0000-0ff1-ce00-000000000000".to_owned(),
    ];
    [
        "https://sts.windows.net/",
        "https://login.microsoftonline.com/",
    ]
    .iter()
    .map(|issuer| Expectation {
        issuer: (*issuer).to_owned(),
        audiences: audiences.clone(),
        imap_scope: "IMAP.AccessAsUser.All".to_owned(),
        smtp_scope: "SMTP.Send".to_owned(),
    })
    .collect()
}

/// The most of a token we decode (a JWT of any provider is far shorter).
const MAX_TOKEN: usize = 16 * 1024;

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Payload {
    iss: Option<String>,
    exp: Option<serde_json::Number>,
    aud: Option<OneOrMany>,
    scp: Option<String>,
    scope: Option<String>,
    upn: Option<String>,
    email: Option<String>,
    preferred_username: Option<String>,
    unique_name: Option<String>,
}

impl Claims {
    /// The claims of a JWT (`header.payload.signature`, base64url); `None` for anything else.
    pub fn of(token: &str) -> Option<Claims> {
        if token.len() > MAX_TOKEN {
            return None;
        }
        let mut parts = token.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let p: Payload = serde_json::from_slice(&bytes).ok()?;
        let words = |s: Option<String>| -> Vec<String> {
            s.map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let mut scopes = words(p.scp);
        scopes.extend(words(p.scope));
        Some(Claims {
            issuer: p.iss,
            // Bounded to the years a token can name (0 to 9999), so arithmetic on it cannot
            // overflow whatever the token says.
            expires: p
                .exp
                .and_then(|n| n.as_f64())
                .map(|n| n.clamp(0.0, 253_402_300_799.0) as i64),
            audiences: match p.aud {
                Some(OneOrMany::One(a)) => vec![a],
                Some(OneOrMany::Many(a)) => a,
                None => Vec::new(),
            },
            scopes,
            user: p.upn.or(p.email).or(p.preferred_username).or(p.unique_name),
        })
    }

    /// What the claims show for a login as `username` on `side` at `now` (seconds since the
    /// epoch), against the expectation of the provider that issued the token, if known.
    pub fn facts(
        &self,
        expected: &[Expectation],
        side: Side,
        username: &str,
        now: i64,
    ) -> TokenFacts {
        let provider = self
            .issuer
            .as_deref()
            .and_then(|iss| expected.iter().find(|e| iss.starts_with(e.issuer.as_str())));
        let has_scope = |wanted: &str| {
            self.scopes.iter().any(|s| {
                s.eq_ignore_ascii_case(wanted)
                    || s.rsplit('/')
                        .next()
                        .is_some_and(|last| last.eq_ignore_ascii_case(wanted))
            })
        };
        TokenFacts {
            expired: self.expires.map(|exp| exp <= now),
            audience_ok: provider
                .filter(|_| !self.audiences.is_empty())
                .map(|p| self.audiences.iter().any(|a| p.audiences.contains(a))),
            scope_ok: provider.filter(|_| !self.scopes.is_empty()).map(|p| {
                has_scope(match side {
                    Side::Imap => &p.imap_scope,
                    Side::Smtp => &p.smtp_scope,
                })
            }),
            user_ok: self.user.as_deref().map(|user| same_user(user, username)),
            status: None,
        }
    }

    /// The evidence line: the claims, as the token states them.
    pub fn evidence(&self, now: i64) -> String {
        let mut said = Vec::new();
        if let Some(exp) = self.expires {
            let when = time::OffsetDateTime::from_unix_timestamp(exp)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| exp.to_string());
            let ago = now.saturating_sub(exp);
            let relation = if ago >= 0 {
                format!("expired {} ago", span(ago))
            } else {
                format!("valid {} more", span(ago.saturating_neg()))
            };
            said.push(format!("exp {when} ({relation})"));
        }
        if !self.audiences.is_empty() {
            said.push(format!("aud {}", self.audiences.join(" ")));
        }
        if !self.scopes.is_empty() {
            said.push(format!("scopes {}", self.scopes.join(" ")));
        }
        if let Some(user) = &self.user {
            said.push(format!("user {user}"));
        }
        if let Some(iss) = &self.issuer {
            said.push(format!("iss {iss}"));
        }
        format!(
            "the token's claims (decoded, not verified): {}",
            said.join("; ")
        )
    }
}

/// The token's user is the login name: the same address, or, for a login name without a
/// domain, the same local part.
fn same_user(token_user: &str, username: &str) -> bool {
    if token_user.eq_ignore_ascii_case(username) {
        return true;
    }
    !username.contains('@')
        && token_user
            .split_once('@')
            .is_some_and(|(local, _)| local.eq_ignore_ascii_case(username))
}

fn span(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JWT with this payload (header and signature are not read).
    pub(crate) fn jwt(payload: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256"}"#),
            b64(payload),
            b64("sig")
        )
    }

    const NOW: i64 = 1_800_000_000;

    fn microsoft_token(exp: i64, aud: &str, scp: &str, upn: &str) -> Claims {
        Claims::of(&jwt(&format!(
            r#"{{"iss":"https://sts.windows.net/72f988bf-0000/","exp":{exp},"aud":"{aud}","scp":"{scp}","upn":"{upn}"}}"#
        )))
        .expect("a JWT")
    }

    #[test]
    fn a_good_microsoft_token_shows_nothing_wrong() {
        let c = microsoft_token(
            NOW + 3600,
            "https://outlook.office.com",
            "IMAP.AccessAsUser.All SMTP.Send",
            "Jo@Example.com",
        );
        let f = c.facts(&microsoft(), Side::Smtp, "jo@example.com", NOW);
        assert_eq!(
            f,
            TokenFacts {
                expired: Some(false),
                audience_ok: Some(true),
                scope_ok: Some(true),
                user_ok: Some(true),
                status: None
            }
        );
    }

    #[test]
    fn each_wrong_claim_shows() {
        let ms = microsoft();
        let expired = microsoft_token(
            NOW - 10,
            "https://outlook.office.com",
            "SMTP.Send",
            "jo@example.com",
        );
        assert_eq!(
            expired
                .facts(&ms, Side::Imap, "jo@example.com", NOW)
                .expired,
            Some(true)
        );
        assert!(
            expired.evidence(NOW).contains("expired 10 s ago"),
            "{}",
            expired.evidence(NOW)
        );
        let graph = microsoft_token(
            NOW + 60,
            "https://graph.microsoft.com",
            "Mail.Read",
            "jo@example.com",
        );
        let f = graph.facts(&ms, Side::Imap, "jo@example.com", NOW);
        assert_eq!((f.audience_ok, f.scope_ok), (Some(false), Some(false)));
        // IMAP's scope, not SMTP's; written as a full URL.
        let imap_only = microsoft_token(
            NOW + 60,
            "https://outlook.office.com",
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "jo@example.com",
        );
        assert_eq!(
            imap_only
                .facts(&ms, Side::Imap, "jo@example.com", NOW)
                .scope_ok,
            Some(true)
        );
        assert_eq!(
            imap_only
                .facts(&ms, Side::Smtp, "jo@example.com", NOW)
                .scope_ok,
            Some(false)
        );
        let other = microsoft_token(
            NOW + 60,
            "https://outlook.office.com",
            "SMTP.Send",
            "ola@example.com",
        );
        assert_eq!(
            other.facts(&ms, Side::Smtp, "jo@example.com", NOW).user_ok,
            Some(false)
        );
        assert_eq!(other.facts(&ms, Side::Smtp, "ola", NOW).user_ok, Some(true));
    }

    #[test]
    fn any_exp_a_token_names_is_read_without_overflow() {
        for exp in [
            "-1e300",
            "1e300",
            "-9223372036854775808",
            "18446744073709551615",
            "0.5",
        ] {
            let c = Claims::of(&jwt(&format!(r#"{{"exp":{exp}}}"#))).expect("a JWT");
            let f = c.facts(&[], Side::Imap, "jo", NOW);
            assert!(f.expired.is_some(), "{exp}");
            assert!(c.evidence(NOW).contains("exp "), "{exp}");
        }
    }

    #[test]
    fn an_unknown_issuer_says_nothing_of_audience_and_scope() {
        let c = Claims::of(&jwt(
            r#"{"iss":"https://idp.example","aud":["mail"],"scope":"imap","exp":1}"#,
        ))
        .unwrap();
        let f = c.facts(&microsoft(), Side::Imap, "jo", NOW);
        assert_eq!((f.audience_ok, f.scope_ok, f.user_ok), (None, None, None));
        assert_eq!(f.expired, Some(true));
    }

    #[test]
    fn what_is_not_a_jwt_has_no_claims() {
        for token in [
            "ya29.a0AfH6SMBx",
            "a.b",
            "a.b.c.d",
            "e30.bm90IGpzb24.c2ln",
            &format!("{}.e30.x", "a".repeat(MAX_TOKEN)),
        ] {
            assert_eq!(Claims::of(token), None, "{token}");
        }
        assert_eq!(Claims::of(&jwt("{}")), Some(Claims::default()));
    }
}
