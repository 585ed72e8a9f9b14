//! Named admin tokens: who may change domain settings, and the name the audit trail records.
//!
//! Whoever holds one can point every user of a domain at a server of their choosing, so the
//! configuration keeps only each token's SHA-256 (`[[domains.admin_tokens]] name, sha256`): a
//! leaked file or backup lets no one in. The tokens are 256-bit random values made by
//! `inbox-doctor admin-token NAME`, not passwords a person picked, so a plain SHA-256 is enough:
//! a slow password-hashing function only helps against guessing a low-entropy secret, and a
//! random 256-bit one cannot be guessed however fast each try is. The presented token is hashed
//! once and compared with every configured hash in constant time.
//!
//! The older single `domains.admin_token` (kept in plain text) still works, as the token named
//! `admin`; the relay warns at start that it is deprecated.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::DomainsConfig;

/// The name the plain `domains.admin_token` stands for in the audit trail.
pub const LEGACY_NAME: &str = "admin";

/// Failed admin attempts a client may make in [`FAILURE_WINDOW`] before it is refused without
/// its token being looked at (`domains.max_failed_admin_attempts`).
pub const DEFAULT_MAX_FAILURES: u32 = 5;

/// The window [`DomainsConfig::max_failed_admin_attempts`] counts over.
pub const FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// One `[[domains.admin_tokens]]` entry, as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminTokenEntry {
    /// Who holds the token (a person or a system); the audit trail records it.
    pub name: String,
    /// The token's SHA-256 in hex, as `inbox-doctor admin-token NAME` prints it.
    pub sha256: String,
}

/// A token's SHA-256.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// The form the configuration holds: 64 lower-case hex digits.
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

/// Hashes are not secret, but they need not fill logs either.
impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

/// Why the admin tokens of a configuration cannot be used. The messages never quote what was
/// written in a `sha256` field: it may be a token pasted there by mistake.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdminTokenError {
    #[error(
        "domains.admin_tokens: {name:?} is not a usable name: use 1 to 64 letters, digits, \
         '.', '_', '-' or '@'"
    )]
    Name { name: String },
    #[error(
        "domains.admin_tokens: the name {name:?} is given twice (the audit trail could not \
         tell them apart)"
    )]
    DuplicateName { name: String },
    #[error(
        "domains.admin_tokens {name:?}: sha256 must be 64 hex digits (the token's SHA-256), \
         but it has {length} characters{hint}. Only the hash belongs in the configuration: \
         `inbox-doctor admin-token {name}` makes a new token and prints the line"
    )]
    NotAHash {
        name: String,
        length: usize,
        /// A guess at what went wrong, without the text itself.
        hint: &'static str,
    },
    #[error(
        "domains.admin_tokens {name:?} and {other:?} have the same hash: give each holder a \
         token of their own"
    )]
    SameToken { name: String, other: String },
    #[error("domains.admin_token must be at least 16 characters")]
    LegacyTooShort,
    #[error("domains.max_failed_admin_attempts is {0}; it must be from 1 to 1000")]
    MaxFailures(u32),
}

/// The configured tokens, parsed: each holder's name and hash.
#[derive(Clone, Debug, Default)]
pub struct AdminTokens {
    tokens: Vec<(String, TokenHash)>,
}

impl AdminTokens {
    /// Reads `domains.admin_tokens` and the legacy `domains.admin_token`.
    pub fn from_config(config: &DomainsConfig) -> Result<AdminTokens, AdminTokenError> {
        if !(1..=1000).contains(&config.max_failed_admin_attempts) {
            return Err(AdminTokenError::MaxFailures(
                config.max_failed_admin_attempts,
            ));
        }
        let mut tokens: Vec<(String, TokenHash)> = Vec::new();
        if let Some(legacy) = &config.admin_token {
            if legacy.len() < 16 {
                return Err(AdminTokenError::LegacyTooShort);
            }
            tokens.push((LEGACY_NAME.to_owned(), TokenHash::of(legacy)));
        }
        for entry in &config.admin_tokens {
            let name = valid_name(&entry.name)?;
            let hash = parse_hash(&entry.sha256).ok_or_else(|| AdminTokenError::NotAHash {
                name: name.clone(),
                length: entry.sha256.chars().count(),
                hint: if entry.sha256.len() == 64 {
                    ", and some are not hex digits"
                } else {
                    " (is it the token itself?)"
                },
            })?;
            if let Some((other, _)) = tokens.iter().find(|(n, _)| *n == name) {
                return Err(AdminTokenError::DuplicateName {
                    name: other.clone(),
                });
            }
            if let Some((other, _)) = tokens.iter().find(|(_, h)| *h == hash) {
                return Err(AdminTokenError::SameToken {
                    name,
                    other: other.clone(),
                });
            }
            tokens.push((name, hash));
        }
        Ok(AdminTokens { tokens })
    }

    /// Whether any token is configured (without one, domain settings are read-only).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The name of the holder of `presented`, if it is one of the tokens. Every configured
    /// hash is compared, each in constant time: how long this takes says nothing about how
    /// close a guess came (a hash's prefix would not help find a token anyway; this is the
    /// second line of defence).
    pub fn holder(&self, presented: &str) -> Option<&str> {
        let presented = TokenHash::of(presented);
        let mut holder = None;
        for (name, hash) in &self.tokens {
            let same: bool = hash.0.ct_eq(&presented.0).into();
            if same && holder.is_none() {
                holder = Some(name.as_str());
            }
        }
        holder
    }
}

/// A holder's name: short, printable, safe in a log line and an audit row.
pub fn valid_name(name: &str) -> Result<String, AdminTokenError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(AdminTokenError::Name {
            name: name.chars().take(64).collect(),
        })
    }
}

fn parse_hash(text: &str) -> Option<TokenHash> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut bytes).ok()?;
    Some(TokenHash(bytes))
}

/// A new token: 32 random bytes, URL-safe base64 (43 characters), from the operating system.
pub fn new_token() -> Result<String, getrandom::Error> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(entries: &[(&str, &str)], legacy: Option<&str>) -> DomainsConfig {
        DomainsConfig {
            admin_token: legacy.map(str::to_owned),
            admin_tokens: entries
                .iter()
                .map(|(name, sha256)| AdminTokenEntry {
                    name: (*name).to_owned(),
                    sha256: (*sha256).to_owned(),
                })
                .collect(),
            ..DomainsConfig::default()
        }
    }

    #[test]
    fn a_token_is_known_by_its_hash_and_named_by_its_holder() {
        let helpdesk = new_token().unwrap();
        let ci = new_token().unwrap();
        assert_eq!(helpdesk.len(), 43);
        assert_ne!(helpdesk, ci);
        let tokens = AdminTokens::from_config(&config(
            &[
                ("helpdesk", &TokenHash::of(&helpdesk).to_hex()),
                ("ci-pipeline", &TokenHash::of(&ci).to_hex().to_uppercase()),
            ],
            Some("a-plain-legacy-token"),
        ))
        .unwrap();
        assert_eq!(tokens.holder(&helpdesk), Some("helpdesk"));
        assert_eq!(tokens.holder(&ci), Some("ci-pipeline"));
        assert_eq!(tokens.holder("a-plain-legacy-token"), Some(LEGACY_NAME));
        assert_eq!(tokens.holder(&TokenHash::of(&helpdesk).to_hex()), None);
        assert_eq!(tokens.holder(""), None);
        assert!(AdminTokens::from_config(&config(&[], None))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_token_where_its_hash_belongs_is_refused_without_being_quoted() {
        let token = "my-secret-admin-token-1234";
        let e = AdminTokens::from_config(&config(&[("helpdesk", token)], None)).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, AdminTokenError::NotAHash { .. }), "{text}");
        assert!(
            text.contains("helpdesk") && text.contains("token itself"),
            "{text}"
        );
        assert!(!text.contains(token), "{text}");
        let not_hex = "z".repeat(64);
        let e = AdminTokens::from_config(&config(&[("helpdesk", &not_hex)], None)).unwrap_err();
        assert!(e.to_string().contains("not hex digits"), "{e}");
        assert!(!e.to_string().contains(&not_hex));
    }

    #[test]
    fn names_are_plain_and_distinct_and_tokens_not_shared() {
        let h = TokenHash::of("one-token-of-many").to_hex();
        let h2 = TokenHash::of("another-token-here").to_hex();
        for bad in ["", "two words", "new\nline", &"x".repeat(65)] {
            let e = AdminTokens::from_config(&config(&[(bad, &h)], None)).unwrap_err();
            assert!(matches!(e, AdminTokenError::Name { .. }), "{bad:?}: {e}");
        }
        let e = AdminTokens::from_config(&config(&[("ops", &h), ("ops", &h2)], None)).unwrap_err();
        assert!(matches!(e, AdminTokenError::DuplicateName { .. }), "{e}");
        // The legacy token is "admin": a named one may not take that name too.
        let e = AdminTokens::from_config(&config(&[("admin", &h)], Some("legacy-token-0123456")))
            .unwrap_err();
        assert!(matches!(e, AdminTokenError::DuplicateName { .. }), "{e}");
        let e = AdminTokens::from_config(&config(&[("a", &h), ("b", &h)], None)).unwrap_err();
        assert!(matches!(e, AdminTokenError::SameToken { .. }), "{e}");
        let e = AdminTokens::from_config(&config(&[], Some("short"))).unwrap_err();
        assert_eq!(e, AdminTokenError::LegacyTooShort);
    }

    #[test]
    fn no_token_reaches_a_debug_print() {
        let c = config(
            &[(
                "helpdesk",
                &TokenHash::of("named-token-0123456789").to_hex(),
            )],
            Some("legacy-plain-token-0123456789"),
        );
        let printed = format!("{c:?}");
        assert!(!printed.contains("legacy-plain-token"), "{printed}");
        let tokens = format!("{:?}", AdminTokens::from_config(&c).unwrap());
        assert!(tokens.contains("helpdesk"), "{tokens}");
        assert!(!tokens.contains(&TokenHash::of("named-token-0123456789").to_hex()));
    }

    #[test]
    fn the_failure_limit_has_a_range() {
        let mut c = config(&[], None);
        c.max_failed_admin_attempts = 0;
        assert_eq!(
            AdminTokens::from_config(&c).unwrap_err(),
            AdminTokenError::MaxFailures(0)
        );
    }
}
