//! Filling in the servers for an address: the domain's stored settings when its administrator
//! set some; otherwise what discovery finds, first from the relay's tables (at once), then
//! confirmed by probing. Never over what the reader typed.

use inbox_doctor_errors::{Discovery, DomainRecord, Label, ServerSettings};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::get_json;
use crate::form::FormState;

/// The domain of `address` when it is one the page may ask about: ASCII letters, digits, dots
/// and hyphens; any non-ASCII character is left to the relay's IDNA check (internationalised
/// domains), which keeps Unicode's tables out of the page.
pub fn domain_of(address: &str) -> Option<&str> {
    let (_, domain) = address.rsplit_once('@')?;
    let fine = |c: char| !c.is_ascii() || c.is_ascii_alphanumeric() || c == '.' || c == '-';
    (!domain.is_empty() && domain.chars().all(fine)).then_some(domain)
}

/// Looks up the servers for the address in `form` and fills them in.
pub fn prefill(relay: &str, form: FormState) {
    let address = form.email.get_untracked().trim().to_owned();
    let Some(domain) = domain_of(&address) else {
        return;
    };
    let encode = |s: &str| String::from(js_sys::encode_uri_component(s));
    let stored_url = format!("{relay}/api/domains/{}", encode(domain));
    let discover_url = format!("{relay}/api/discover?email={}", encode(&address));
    spawn_local(async move {
        if let Some(record) = get_json::<DomainRecord>(&stored_url).await {
            form.imap.fill(&record.settings.imap);
            form.smtp.fill(&record.settings.smtp);
            form.allow_insecure.set(record.settings.allow_insecure_cert);
            form.prefilled.set(Some(Label::Prefilled));
            return;
        }
        form.prefilled.set(Some(Label::LookingUp));
        let mut filled = false;
        for url in [format!("{discover_url}&offline=true"), discover_url] {
            let Some(found) = get_json::<Discovery>(&url).await else {
                continue;
            };
            // The reader moved on, or typed servers of their own meanwhile.
            if form.email.get_untracked().trim() != address
                || (!filled && !form.imap.host.get_untracked().trim().is_empty())
            {
                form.prefilled.set(None);
                return;
            }
            for (fields, best) in [(form.imap, &found.imap), (form.smtp, &found.smtp)] {
                if let Some(c) = best {
                    fields.fill(&ServerSettings {
                        host: c.host.clone(),
                        port: c.port,
                        security: c.security,
                    });
                    filled = true;
                }
            }
            if let Some(u) = &found.username {
                if form.username.get_untracked().is_empty() {
                    form.username.set(u.clone());
                }
            }
        }
        form.prefilled.set(filled.then_some(Label::Discovered));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_domain_is_looked_up() {
        assert_eq!(domain_of("a@example.com"), Some("example.com"));
        assert_eq!(domain_of("a@b@münchen.de"), Some("münchen.de"));
        for no in ["example.com", "a@", "a@exa mple.com", "a@x/y", "a@x?y"] {
            assert_eq!(domain_of(no), None, "{no}");
        }
    }
}
