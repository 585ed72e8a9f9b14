//! Autoconfig documents (`clientConfig` version 1.1, the XML mail clients read): reading one
//! into candidates. Fetching is in [`super::https`].

use inbox_doctor_errors::{Security, Side};

/// The most a document may weigh. Real ones are a few KB.
pub const MAX_BYTES: usize = 64 * 1024;

/// A server an autoconfig document names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offered {
    pub side: Side,
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// What a document says for one address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub servers: Vec<Offered>,
    /// The IMAP login name, when it is not the address itself.
    pub username: Option<String>,
    /// The same as written, placeholders unfilled, to fill for another address
    /// ([`username_for`]).
    pub username_template: Option<String>,
    /// A host name is built from the address's local part (`%EMAILLOCALPART%`,
    /// `%EMAILADDRESS%`): the servers differ from one address to the next.
    pub hosts_use_local_part: bool,
    /// Entries we skipped (POP3, unknown socket types…), for the report.
    pub notes: Vec<String>,
}

/// Why a document was not usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// Not well-formed XML (or it carries a DTD, which we refuse).
    #[error("not well-formed XML: {0}")]
    Malformed(String),
    /// Well-formed, but not a `clientConfig`.
    #[error("the document is <{0}>, not an autoconfig <clientConfig>")]
    NotClientConfig(String),
    /// A `clientConfig` without a usable IMAP or SMTP server.
    #[error("the document names no IMAP or SMTP server")]
    NoServers,
}

/// Reads `xml` for `email`, filling in the `%EMAILADDRESS%`-style placeholders.
pub fn parse(xml: &str, email: &str) -> Result<Config, Invalid> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 10_000,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(xml, options)
        .map_err(|e| Invalid::Malformed(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "clientConfig" {
        return Err(Invalid::NotClientConfig(root.tag_name().name().to_owned()));
    }
    let mut config = Config::default();
    let servers = root
        .children()
        .filter(|n| n.has_tag_name("emailProvider"))
        .flat_map(|p| p.children())
        .filter(|n| n.has_tag_name("incomingServer") || n.has_tag_name("outgoingServer"));
    for server in servers {
        let kind = server.attribute("type").unwrap_or("");
        let side = match kind {
            "imap" => Side::Imap,
            "smtp" => Side::Smtp,
            other => {
                config.notes.push(format!("skipped a {other} server"));
                continue;
            }
        };
        let raw = |tag: &str| {
            server
                .children()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.text())
                .map(str::trim)
        };
        let text = |tag: &str| raw(tag).and_then(|t| fill(t, email));
        let (Some(host), Some(port)) = (text("hostname"), text("port")) else {
            config
                .notes
                .push(format!("skipped a {kind} server without hostname or port"));
            continue;
        };
        let Ok(port) = port.parse::<u16>() else {
            config
                .notes
                .push(format!("skipped {host}: port {port:?} is not a number"));
            continue;
        };
        let security = match text("socketType").as_deref() {
            Some("SSL") | Some("TLS") => Security::Tls,
            Some("STARTTLS") => Security::Starttls,
            Some("plain") => Security::Plain,
            other => {
                config.notes.push(format!(
                    "skipped {host}:{port}: socket type {:?} is unknown",
                    other.unwrap_or("")
                ));
                continue;
            }
        };
        if !valid_host(&host) {
            config
                .notes
                .push(format!("skipped {host:?}: not a host name"));
            continue;
        }
        if side == Side::Imap && config.username.is_none() {
            config.username = raw("username").and_then(|t| username_for(t, email));
            if config.username.is_some() {
                config.username_template = raw("username").map(str::to_owned);
            }
        }
        if raw("hostname").is_some_and(uses_local_part) {
            config.hosts_use_local_part = true;
        }
        let offered = Offered {
            side,
            host: host.to_ascii_lowercase(),
            port,
            security,
        };
        if !config.servers.contains(&offered) {
            config.servers.push(offered);
        }
    }
    if config.servers.is_empty() {
        return Err(Invalid::NoServers);
    }
    Ok(config)
}

/// The login name `template` (a document's `<username>`) gives `email`, when it is not the
/// address itself.
pub fn username_for(template: &str, email: &str) -> Option<String> {
    fill(template, email).filter(|u| u != email && !u.is_empty())
}

/// Whether `text` names the address or its local part.
fn uses_local_part(text: &str) -> bool {
    text.contains("%EMAILADDRESS%") || text.contains("%EMAILLOCALPART%")
}

/// The longest value a filled-in placeholder may give: a host name, a port, a login name. A
/// document repeating `%EMAILADDRESS%` could otherwise grow one field a thousandfold.
const MAX_FILLED: usize = 256;

/// Fills in the placeholders the format defines; `None` when the result is longer than any
/// real value.
fn fill(text: &str, email: &str) -> Option<String> {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    if text.len() > MAX_FILLED {
        return None;
    }
    let filled = text
        .replace("%EMAILADDRESS%", email)
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain);
    (filled.len() <= MAX_FILLED).then_some(filled)
}

/// A DNS name or an IP literal, nothing that could smuggle a path or a port.
pub fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn repeated_placeholders_cannot_grow_a_field() {
        let email = format!("{}@example.com", "j".repeat(60));
        let doc = GOOD.replace(
            "<username>%EMAILLOCALPART%</username>",
            &format!("<username>{}</username>", "%EMAILADDRESS%".repeat(4000)),
        );
        let c = parse(&doc, &email).unwrap();
        assert_eq!(c.username, None, "an overlong login name is no login name");
        let doc = GOOD.replace("imap.%EMAILDOMAIN%", &"%EMAILADDRESS%.".repeat(10));
        let c = parse(&doc, &email).unwrap();
        assert!(c.servers.iter().all(|s| s.host.len() <= MAX_FILLED));
        assert!(
            c.notes.iter().all(|n| n.len() < 2 * MAX_FILLED),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn a_document_becomes_candidates() {
        let c = parse(GOOD, "jo@example.com").unwrap();
        assert_eq!(
            c.servers,
            vec![
                Offered {
                    side: Side::Imap,
                    host: "imap.example.com".into(),
                    port: 993,
                    security: Security::Tls
                },
                Offered {
                    side: Side::Smtp,
                    host: "smtp.example.com".into(),
                    port: 587,
                    security: Security::Starttls
                },
            ]
        );
        assert_eq!(c.username.as_deref(), Some("jo"));
        assert_eq!(c.username_template.as_deref(), Some("%EMAILLOCALPART%"));
        assert_eq!(
            username_for("%EMAILLOCALPART%", "ola@example.com").as_deref(),
            Some("ola")
        );
        assert_eq!(username_for("%EMAILADDRESS%", "ola@example.com"), None);
        assert!(!c.hosts_use_local_part);
        assert_eq!(c.notes, vec!["skipped a pop3 server".to_owned()]);
        let per_user = GOOD.replace("imap.%EMAILDOMAIN%", "%EMAILLOCALPART%.imap.example.com");
        let c = parse(&per_user, "jo@example.com").unwrap();
        assert_eq!(c.servers[0].host, "jo.imap.example.com");
        assert!(c.hosts_use_local_part);
    }

    #[test]
    fn unusable_documents_say_why() {
        type Expect = fn(&Invalid) -> bool;
        let cases: &[(&str, Expect)] = &[
            ("<clientConfig><emailProvider>", |e| matches!(e, Invalid::Malformed(_))),
            ("", |e| matches!(e, Invalid::Malformed(_))),
            ("<html><body>Not found</body></html>", |e| {
                matches!(e, Invalid::NotClientConfig(r) if r == "html")
            }),
            ("<clientConfig version=\"1.1\"/>", |e| *e == Invalid::NoServers),
            // Entity expansion is refused outright.
            (
                "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><clientConfig>&b;</clientConfig>",
                |e| matches!(e, Invalid::Malformed(_)),
            ),
        ];
        for (xml, expected) in cases {
            let got = parse(xml, "jo@example.com").unwrap_err();
            assert!(expected(&got), "{xml}: {got:?}");
        }
    }

    #[test]
    fn bad_entries_are_skipped_with_a_note() {
        let xml = r#"<clientConfig><emailProvider>
            <incomingServer type="imap"><hostname>imap.example.com/evil</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
            <incomingServer type="imap"><hostname>imap.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
            <incomingServer type="imap"><hostname>imap.example.com</hostname><port>143</port><socketType>weird</socketType></incomingServer>
            <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
        </emailProvider></clientConfig>"#;
        let c = parse(xml, "jo@example.com").unwrap();
        assert_eq!(c.servers.len(), 1);
        assert_eq!(c.notes.len(), 3, "{:?}", c.notes);
    }
}
