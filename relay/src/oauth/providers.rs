//! OAuth providers (`[oauth.providers.NAME]`): what their mail servers take, to explain why
//! one refused a token, and the client the relay signs users in with, when the operator
//! registered one. For `microsoft` and `google` the endpoints and scopes are known: a client
//! id (and for Google its secret) is all an operator writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::claims::{self, Expectation};

/// The providers, by name (the name is the sign-in button's `provider` and the CLI's
/// `--oauth-provider`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OauthConfig {
    pub providers: BTreeMap<String, OauthProvider>,
}

/// One provider. Every field is optional; what is missing for `microsoft` and `google` comes
/// from [`OauthProvider::known`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OauthProvider {
    /// The name people know it by, on the sign-in button ("Microsoft").
    pub label: Option<String>,
    /// How its tokens' `iss` begins, the `aud` values its mail servers take, and the scope
    /// each side needs: what a refused token's claims are compared with.
    pub issuer: Option<String>,
    pub audiences: Vec<String>,
    pub imap_scope: Option<String>,
    pub smtp_scope: Option<String>,
    /// The client registered with the provider for the relay. Without it, no sign-in.
    pub client_id: Option<String>,
    /// For providers that want one even with PKCE (Google's web clients). Kept in the relay:
    /// browsers never see it.
    pub client_secret: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    /// RFC 8628's device authorization endpoint, for the command line.
    pub device_url: Option<String>,
    /// What sign-in asks for: the mail scopes (and `offline_access` where wanted).
    pub scopes: Vec<String>,
    /// Where the provider may send the browser back to: the page's addresses, exactly as
    /// registered with the provider. A sign-in names one of them, or is refused.
    pub redirect_uris: Vec<String>,
}

impl OauthProvider {
    /// The endpoints, scopes and label of a provider everyone knows, by name.
    pub fn known(name: &str) -> Option<OauthProvider> {
        match name {
            "microsoft" => Some(OauthProvider {
                label: Some("Microsoft".into()),
                authorize_url: Some(
                    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize".into(),
                ),
                token_url: Some(
                    "https://login.microsoftonline.com/common/oauth2/v2.0/token".into(),
                ),
                device_url: Some(
                    "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode".into(),
                ),
                scopes: vec![
                    "offline_access".into(),
                    "https://outlook.office.com/IMAP.AccessAsUser.All".into(),
                    "https://outlook.office.com/SMTP.Send".into(),
                ],
                ..OauthProvider::default()
            }),
            "google" => Some(OauthProvider {
                label: Some("Google".into()),
                authorize_url: Some("https://accounts.google.com/o/oauth2/v2/auth".into()),
                token_url: Some("https://oauth2.googleapis.com/token".into()),
                device_url: Some("https://oauth2.googleapis.com/device/code".into()),
                scopes: vec!["https://mail.google.com/".into()],
                ..OauthProvider::default()
            }),
            _ => None,
        }
    }

    /// This provider with what it leaves out filled in from [`OauthProvider::known`].
    pub fn completed(&self, name: &str) -> OauthProvider {
        let Some(known) = OauthProvider::known(name) else {
            return self.clone();
        };
        let or = |mine: &Option<String>, theirs: Option<String>| mine.clone().or(theirs);
        let list = |mine: &Vec<String>, theirs: Vec<String>| {
            if mine.is_empty() {
                theirs
            } else {
                mine.clone()
            }
        };
        OauthProvider {
            label: or(&self.label, known.label),
            issuer: or(&self.issuer, known.issuer),
            audiences: list(&self.audiences, known.audiences),
            imap_scope: or(&self.imap_scope, known.imap_scope),
            smtp_scope: or(&self.smtp_scope, known.smtp_scope),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            authorize_url: or(&self.authorize_url, known.authorize_url),
            token_url: or(&self.token_url, known.token_url),
            device_url: or(&self.device_url, known.device_url),
            scopes: list(&self.scopes, known.scopes),
            redirect_uris: self.redirect_uris.clone(),
        }
    }
}

/// An endpoint the relay may call: HTTPS, or HTTP on loopback (a provider run for tests).
fn endpoint_ok(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

impl OauthConfig {
    /// The providers with the known ones' defaults filled in.
    pub fn providers(&self) -> BTreeMap<String, OauthProvider> {
        self.providers
            .iter()
            .map(|(name, p)| (name.clone(), p.completed(name)))
            .collect()
    }

    /// The built-in expectations (Microsoft's), then those of configured providers that say
    /// what their mail servers take.
    pub fn expectations(&self) -> Vec<Expectation> {
        let mut all = claims::microsoft();
        for p in self.providers().values() {
            if let (Some(issuer), Some(imap_scope), Some(smtp_scope)) =
                (&p.issuer, &p.imap_scope, &p.smtp_scope)
            {
                all.push(Expectation {
                    issuer: issuer.clone(),
                    audiences: p.audiences.clone(),
                    imap_scope: imap_scope.clone(),
                    smtp_scope: smtp_scope.clone(),
                });
            }
        }
        all
    }

    /// What would make a sign-in fail later, said at start.
    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in self.providers() {
            let at = |field: &str| format!("oauth.providers.{name}.{field}");
            let name_ok = !name.is_empty()
                && name.len() <= 32
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !name_ok {
                return Err(format!(
                    "oauth.providers.{name}: a provider's name is 1–32 of a–z, 0–9 and -"
                ));
            }
            if p.client_id.is_none() {
                continue;
            }
            for (field, url) in [
                ("authorize_url", &p.authorize_url),
                ("token_url", &p.token_url),
            ] {
                match url {
                    Some(u) if endpoint_ok(u) => {}
                    Some(u) => return Err(format!("{}: {u:?} is not an https:// URL", at(field))),
                    None => return Err(format!("{} is needed with a client_id", at(field))),
                }
            }
            if let Some(u) = p.device_url.as_ref().filter(|u| !endpoint_ok(u)) {
                return Err(format!(
                    "{}: {u:?} is not an https:// URL",
                    at("device_url")
                ));
            }
            for uri in &p.redirect_uris {
                if url::Url::parse(uri).is_err() {
                    return Err(format!("{}: {uri:?} is not a URL", at("redirect_uris")));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml_text: &str) -> OauthConfig {
        #[derive(Deserialize)]
        struct File {
            oauth: OauthConfig,
        }
        toml::from_str::<File>(toml_text).expect("parses").oauth
    }

    #[test]
    fn a_known_provider_needs_only_its_client() {
        let c = config("[oauth.providers.microsoft]\nclient_id = \"abc\"\nredirect_uris = [\"https://relay.example/\"]\n");
        assert_eq!(c.validate(), Ok(()));
        let p = &c.providers()["microsoft"];
        assert_eq!(p.label.as_deref(), Some("Microsoft"));
        assert!(p
            .token_url
            .as_deref()
            .unwrap()
            .starts_with("https://login.microsoftonline.com/"));
        assert!(p.scopes.iter().any(|s| s.ends_with("SMTP.Send")));
    }

    #[test]
    fn an_unknown_provider_with_a_client_needs_its_endpoints() {
        let c = config("[oauth.providers.corp]\nclient_id = \"abc\"\n");
        assert_eq!(
            c.validate(),
            Err("oauth.providers.corp.authorize_url is needed with a client_id".into())
        );
        let c = config(
            "[oauth.providers.corp]\nclient_id = \"abc\"\nauthorize_url = \"http://idp.example/a\"\ntoken_url = \"https://idp.example/t\"\n",
        );
        assert!(c.validate().unwrap_err().contains("not an https:// URL"));
        let c = config("[oauth.providers.Corp]\nissuer = \"x\"\n");
        assert!(c.validate().unwrap_err().contains("a provider's name"));
    }

    #[test]
    fn configured_expectations_come_after_microsofts() {
        let c = config(
            "[oauth.providers.corp]\nissuer = \"https://idp.example/\"\naudiences = [\"mail\"]\nimap_scope = \"imap\"\nsmtp_scope = \"smtp\"\n",
        );
        let all = c.expectations();
        assert_eq!(all.len(), claims::microsoft().len() + 1);
        assert_eq!(all.last().unwrap().issuer, "https://idp.example/");
    }
}
