//! The bundled table of mail providers (`providers.toml`): their servers, and what they ask of
//! mail programs (app passwords, OAuth, an IMAP switch). Looked up by the address's domain, or
//! by the domain's MX hosts so that custom domains hosted at a provider are recognised too.

use std::sync::OnceLock;

use inbox_doctor_errors::{AdminNote, AppPassword, Provider, ProviderOauth, Security, Side};
use serde::Deserialize;

/// One provider as the table writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub name: String,
    /// Exact address domains, lowercase.
    pub domains: Vec<String>,
    /// MX host suffixes: `google.com` matches `aspmx.l.google.com` and `google.com`.
    pub mx: Vec<String>,
    /// Servers, best first.
    pub imap: Vec<Server>,
    pub smtp: Vec<Server>,
    pub username: Username,
    pub app_password: AppPassword,
    pub app_password_url: Option<String>,
    pub oauth_only: bool,
    /// How its mailboxes log in with OAuth: the relay's sign-in for it and the scopes.
    #[serde(default)]
    pub oauth: Option<Oauth>,
    pub imap_switch_url: Option<String>,
    pub admin_note: Option<AdminNote>,
    pub help_url: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Oauth {
    pub sign_in: String,
    pub imap_scope: String,
    pub smtp_scope: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// The login name the provider wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Username {
    /// The whole address.
    Address,
    /// The part before the `@`.
    LocalPart,
    /// Something the provider assigns (Proton Bridge, some hosting companies).
    Other,
}

#[derive(Deserialize)]
struct Table {
    provider: Vec<Entry>,
}

/// The parsed table. It is part of the binary, and a test parses it, so a bad edit fails the
/// tests rather than a user's run.
pub fn table() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(include_str!("providers.toml"))
            .map(|t| t.provider)
            .unwrap_or_else(|e| panic!("providers.toml does not parse: {e}"))
    })
}

/// The provider of an address's domain.
pub fn by_domain(domain: &str) -> Option<&'static Entry> {
    let domain = domain.to_ascii_lowercase();
    table().iter().find(|p| p.domains.contains(&domain))
}

/// The provider whose MX hosts these are (`exchanges` as DNS names, trailing dot or not).
pub fn by_mx<'a>(exchanges: impl IntoIterator<Item = &'a str>) -> Option<&'static Entry> {
    let hosts: Vec<String> = exchanges
        .into_iter()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    table().iter().find(|p| {
        p.mx.iter().any(|suffix| {
            hosts
                .iter()
                .any(|h| h == suffix || h.ends_with(&format!(".{suffix}")))
        })
    })
}

/// The provider with this `id`.
pub fn by_id(id: &str) -> Option<&'static Entry> {
    table().iter().find(|p| p.id == id)
}

/// A recognised provider written as its id and how it was recognised (`domain` or `mx`), for
/// findings kept outside the process: read back, they point into this binary's table again.
pub mod reference {
    use super::Entry;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Recognised = Option<(&'static Entry, &'static str)>;

    pub fn serialize<S: Serializer>(value: &Recognised, s: S) -> Result<S::Ok, S::Error> {
        value.map(|(p, by)| (p.id.as_str(), by)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Recognised, D::Error> {
        let Some((id, by)) = Option::<(String, String)>::deserialize(d)? else {
            return Ok(None);
        };
        let entry = super::by_id(&id)
            .ok_or_else(|| D::Error::custom(format!("no provider {id:?} in this table")))?;
        let by = match by.as_str() {
            "domain" => "domain",
            "mx" => "mx",
            other => return Err(D::Error::custom(format!("recognised by {other:?}?"))),
        };
        Ok(Some((entry, by)))
    }
}

impl Entry {
    pub fn servers(&self, side: Side) -> &[Server] {
        match side {
            Side::Imap => &self.imap,
            Side::Smtp => &self.smtp,
        }
    }

    /// The login name for `email`, when it is not the address itself.
    pub fn username_for(&self, email: &str) -> Option<String> {
        match self.username {
            Username::LocalPart => email.split('@').next().map(str::to_owned),
            Username::Address | Username::Other => None,
        }
    }

    /// The wire form, saying how the provider was recognised.
    pub fn to_wire(&self, matched_by: &str) -> Provider {
        Provider {
            id: self.id.clone(),
            name: self.name.clone(),
            matched_by: matched_by.to_owned(),
            app_password: self.app_password,
            app_password_url: self.app_password_url.clone(),
            oauth_only: self.oauth_only,
            oauth: self.oauth.as_ref().map(|o| ProviderOauth {
                sign_in: o.sign_in.clone(),
                imap_scope: o.imap_scope.clone(),
                smtp_scope: o.smtp_scope.clone(),
            }),
            imap_switch_url: self.imap_switch_url.clone(),
            admin_note: self.admin_note,
            help_url: self.help_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn oauth_names_a_sign_in_the_relay_knows_and_every_oauth_only_provider_has_one() {
        for p in table() {
            if let Some(o) = &p.oauth {
                assert!(
                    crate::oauth::providers::OauthProvider::known(&o.sign_in).is_some(),
                    "{}: no built-in sign-in {:?}",
                    p.id,
                    o.sign_in
                );
            }
            if p.oauth_only {
                assert!(
                    p.oauth.is_some(),
                    "{} takes only OAuth but says not how",
                    p.id
                );
            }
        }
        let gmail = by_domain("gmail.com").unwrap().to_wire("domain");
        assert_eq!(gmail.oauth.unwrap().imap_scope, "https://mail.google.com/");
    }

    #[test]
    fn the_table_parses_and_is_consistent() {
        let table = table();
        assert!(table.len() >= 30, "{}", table.len());
        let mut ids = HashSet::new();
        let mut domains = HashSet::new();
        for p in table {
            assert!(ids.insert(&p.id), "duplicate id {}", p.id);
            assert!(
                !p.imap.is_empty() && !p.smtp.is_empty(),
                "{} has no servers",
                p.id
            );
            for d in p.domains.iter().chain(&p.mx) {
                assert_eq!(*d, d.to_ascii_lowercase(), "{}", p.id);
            }
            for d in &p.domains {
                assert!(domains.insert(d), "{d} is listed twice");
            }
            for s in p.imap.iter().chain(&p.smtp) {
                assert_ne!(
                    s.security,
                    Security::Auto,
                    "{}: say tls, starttls or plain",
                    p.id
                );
            }
            for url in [&p.app_password_url, &p.imap_switch_url, &p.help_url]
                .into_iter()
                .flatten()
            {
                assert!(url.starts_with("https://"), "{}: {url}", p.id);
            }
        }
    }

    #[test]
    fn providers_are_found_by_domain_and_by_mx() {
        assert_eq!(by_domain("GMail.com").map(|p| p.id.as_str()), Some("gmail"));
        assert_eq!(by_domain("example.com").map(|p| &p.id), None);
        let m365 = by_mx(["contoso-com.mail.protection.outlook.com."]).expect("m365");
        assert_eq!(m365.id, "microsoft365");
        assert_eq!(m365.admin_note, Some(AdminNote::M365SmtpAuth));
        assert_eq!(
            by_mx(["aspmx.l.google.com", "alt1.aspmx.l.google.com"]).map(|p| p.id.as_str()),
            Some("gmail")
        );
        // A suffix matches whole labels only.
        assert_eq!(by_mx(["mx.notgoogle.com"]).map(|p| &p.id), None);
    }
}
