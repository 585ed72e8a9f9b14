//! Property tests of what discovery reads from web servers: the autoconfig document
//! ([`super::autoconfig`]) and, before it, the HTTP answer and a redirect's URL
//! ([`super::https`]): any bytes, real ones damaged, and real ones changed in ways the format
//! says do not matter.
//!
//! The seeds in `seeds/`: Thunderbird's ISPDB documents for Gmail, Microsoft 365 and Posteo as
//! published (github.com/thunderbird/autoconfig, `ispdb/`; Posteo's with its CRLF line ends),
//! and nginx 1.22's answers to an HTTP/1.0 GET (200 with the Gmail document, 301, 404) as
//! captured from the nginx the discovery tests run.

use inbox_doctor_errors::{Security, Side};
use proptest::prelude::*;

use super::autoconfig::{parse, valid_host, Config, Invalid, Offered, MAX_BYTES};
use super::https::{answer, Answer, FetchError, Url};
use crate::net::mutation::{config, mutated, mutated_bytes};

const GMAIL: &str = include_str!("seeds/googlemail.com.xml");
const MICROSOFT_365: &str = include_str!("seeds/office365.com.xml");
const POSTEO: &str = include_str!("seeds/posteo.de.xml");
const SEEDS: [&str; 3] = [GMAIL, MICROSOFT_365, POSTEO];
const ANSWERS: [&[u8]; 3] = [
    include_bytes!("seeds/nginx-200.http"),
    include_bytes!("seeds/nginx-301.http"),
    include_bytes!("seeds/nginx-404.http"),
];

/// Characters XML carries as text, escaped.
fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The placeholders filled in as `parse` does.
fn fill(text: &str, email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    text.replace("%EMAILADDRESS%", email)
        .replace("%EMAILLOCALPART%", local)
        .replace("%EMAILDOMAIN%", domain)
}

fn email() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}",
        1 => "[a-z]{1,64}@[a-z]{180,189}\\.example",
        1 => any::<String>(),
    ]
}

/// What a reading promises for any document.
fn read(xml: &str, email: &str) -> Result<(), TestCaseError> {
    let entries = xml.matches("incomingServer").count() + xml.matches("outgoingServer").count();
    match parse(xml, email) {
        Ok(config) => {
            prop_assert!(!config.servers.is_empty());
            prop_assert!(config.servers.len() + config.notes.len() <= entries);
            for (i, s) in config.servers.iter().enumerate() {
                prop_assert!(valid_host(&s.host), "{:?}", s.host);
                prop_assert_eq!(&s.host, &s.host.to_ascii_lowercase());
                prop_assert!(!config.servers[..i].contains(s), "{s:?} twice");
            }
            if let Some(u) = &config.username {
                prop_assert!(!u.is_empty() && u != email);
            }
            // Placeholders may fill in the address, once per place in the document: nothing
            // grows past that.
            let most = xml.len() * email.len().max(1) + 200;
            for text in config.notes.iter().chain(&config.username) {
                prop_assert!(
                    text.len() <= most,
                    "{} bytes from {} of XML",
                    text.len(),
                    xml.len()
                );
            }
        }
        Err(Invalid::NotClientConfig(root)) => prop_assert_ne!(root, "clientConfig"),
        Err(Invalid::Malformed(_) | Invalid::NoServers) => {}
    }
    Ok(())
}

/// A document with one server, one of its parts replaced.
fn one_server(kind: &str, hostname: &str, port: &str, socket: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\"><emailProvider id=\"example.com\">\
         <incomingServer type=\"{}\"><hostname>{}</hostname><port>{}</port>\
         <socketType>{}</socketType><username>%EMAILLOCALPART%</username></incomingServer>\
         </emailProvider></clientConfig>",
        xml_text(kind),
        xml_text(hostname),
        xml_text(port),
        xml_text(socket)
    )
}

/// `xml` with whitespace around the values of `tag` and, for a host name, its letters upper
/// case: both change nothing (values are trimmed, host names compared in lower case).
fn loosened(xml: &str, tag: &str, space: &str, upper: bool) -> String {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = String::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let Some(end) = rest[start..].find(&close).map(|e| start + e) else {
            break;
        };
        let value = &rest[start + open.len()..end];
        let value = if upper {
            value.to_ascii_uppercase()
        } else {
            value.to_owned()
        };
        out.push_str(&rest[..start]);
        out.push_str(&format!("{open}{space}{value}{space}{close}"));
        rest = &rest[end + close.len()..];
    }
    out.push_str(rest);
    out
}

/// What reading an HTTP answer promises for any bytes.
fn http_answer(data: &[u8], max: usize) -> Result<(), TestCaseError> {
    let body_at = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    match answer(data, max) {
        Ok(Answer::Body(body)) => {
            prop_assert!(data.starts_with(b"HTTP/1."));
            prop_assert!(body.len() <= max);
            prop_assert_eq!(
                Some(&data[data.len() - body.len()..]),
                body_at.map(|at| &data[at..])
            );
        }
        Ok(Answer::Redirect(location)) => {
            prop_assert!(data.starts_with(b"HTTP/1.") && body_at.is_some());
            prop_assert_eq!(location.trim(), location.as_str());
        }
        Err(FetchError::Status(status)) => prop_assert!(status < 1000 && status != 200),
        Err(FetchError::Malformed(_) | FetchError::TooLarge(_)) => {}
        Err(other) => prop_assert!(false, "{other:?} from reading an answer"),
    }
    Ok(())
}

/// What reading a URL promises for any text: only HTTPS to a host name on port 443, written
/// the one way it is read back.
fn url(text: &str) -> Result<(), TestCaseError> {
    if let Ok(url) = Url::parse(text) {
        let shown = url.text();
        let rest = shown.strip_prefix("https://").unwrap_or_default();
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        prop_assert!(valid_host(host) && !host.contains(':') && host == host.to_ascii_lowercase());
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path.bytes().any(|b| b.is_ascii_control() || b == b' '));
        prop_assert_eq!(Url::parse(&shown), Ok(url));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_http_answer_is_read_or_refused(
        data in prop_oneof![
            3 => mutated_bytes(ANSWERS.iter().map(|a| a.to_vec()).collect()),
            1 => prop::collection::vec(any::<u8>(), 0..64),
        ],
        max in prop_oneof![Just(MAX_BYTES), 0..4096usize],
    ) {
        http_answer(&data, max)?;
    }

    /// An answer as servers write it: the status decides, header names in any case, values
    /// with any spacing; a body is taken whole and within the limit.
    #[test]
    fn an_http_answer_reads_back(
        status in prop::sample::select(vec![200u16, 301, 302, 303, 307, 308, 404, 500, 204]),
        minor in prop::sample::select(vec!["0", "1"]),
        name in prop::sample::select(vec!["Content-Length", "content-length", "CONTENT-LENGTH"]),
        location in prop::sample::select(vec!["Location", "location", "LOCATION"]),
        space in "[ \t]{0,3}",
        target in "https://[a-z]{1,12}\\.example/[a-z/.-]{0,20}",
        body in prop::collection::vec(any::<u8>(), 0..256),
        declared in prop_oneof![Just(None), (0..300usize).prop_map(Some)],
        max in 0..300usize,
    ) {
        let mut head = format!("HTTP/1.{minor} {status} Whatever\r\nServer: nginx/1.22.1\r\n");
        if let Some(n) = declared {
            head.push_str(&format!("{name}:{space}{n}{space}\r\n"));
        }
        head.push_str(&format!("{location}:{space}{target}{space}\r\n\r\n"));
        let data = [head.as_bytes(), &body].concat();
        let expected = match status {
            200 if body.len() > max => Err(FetchError::TooLarge(max)),
            200 if declared.is_some_and(|n| body.len() < n) => {
                prop_assert!(matches!(answer(&data, max), Err(FetchError::Malformed(_))));
                return Ok(());
            }
            200 => Ok(Answer::Body(body.clone())),
            301 | 302 | 303 | 307 | 308 => Ok(Answer::Redirect(target.clone())),
            other => Err(FetchError::Status(other)),
        };
        prop_assert_eq!(answer(&data, max), expected);
        http_answer(&data, max)?;
    }

    #[test]
    fn any_url_is_read_or_refused(
        text in prop_oneof![
            2 => mutated(vec![
                "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=jo%40example.com".to_owned(),
                "https://example.com/.well-known/autoconfig/mail/config-v1.1.xml".to_owned(),
                "https://autoconfig.thunderbird.net/v1.1/example.com".to_owned(),
            ]),
            1 => any::<String>(),
        ],
    ) {
        url(&text)?;
    }

    #[test]
    fn an_https_url_to_a_host_reads_back(
        host in "[a-zA-Z0-9]([a-zA-Z0-9-]{0,12}\\.){0,3}[a-zA-Z]{2,8}",
        port in prop::sample::select(vec!["", ":443"]),
        path in "(/[a-zA-Z0-9._?=&%-]{0,12}){0,4}",
    ) {
        let parsed = Url::parse(&format!("https://{host}{port}{path}"));
        let path = if path.is_empty() { "/".to_owned() } else { path };
        prop_assert_eq!(parsed.map(|u| u.text()), Ok(format!("https://{}{path}", host.to_ascii_lowercase())));
    }

    #[test]
    fn any_document_is_read_or_refused(
        xml in prop_oneof![
            4 => mutated(SEEDS.iter().map(|s| (*s).to_owned()).collect()),
            1 => any::<String>(),
        ],
        email in email(),
    ) {
        read(&xml, &email)?;
    }

    /// One server entry: taken exactly when its type is IMAP or SMTP, its host name (filled
    /// in) a host, its port a number and its socket type one the format names.
    #[test]
    fn a_server_is_taken_only_when_every_part_is_usable(
        kind in prop_oneof![Just("imap".to_owned()), Just("smtp".to_owned()), "[a-zA-Z0-9 ]{0,8}"],
        hostname in prop_oneof![
            "[ \t\n]{0,2}[a-zA-Z0-9.-]{1,30}[ \t\n]{0,2}",
            Just("imap.%EMAILDOMAIN%".to_owned()),
            "\\PC{0,30}",
        ],
        port in prop_oneof![(0..70_000u32).prop_map(|p| format!(" {p}\n")), "\\PC{0,8}"],
        socket in prop_oneof![
            prop::sample::select(vec!["SSL", "TLS", "STARTTLS", "plain", " SSL ", "ssl", "Plain", "none"]).prop_map(str::to_owned),
            "\\PC{0,10}",
        ],
        email in email(),
    ) {
        let xml = one_server(&kind, &hostname, &port, &socket);
        let side = match kind.as_str() {
            "imap" => Some(Side::Imap),
            "smtp" => Some(Side::Smtp),
            _ => None,
        };
        let host = fill(hostname.trim(), &email);
        let security = match socket.trim() {
            "SSL" | "TLS" => Some(Security::Tls),
            "STARTTLS" => Some(Security::Starttls),
            "plain" => Some(Security::Plain),
            _ => None,
        };
        let expected = match (side, port.trim().parse::<u16>().ok(), security) {
            (Some(side), Some(port), Some(security)) if valid_host(&host) => Some(Offered {
                side,
                host: host.to_ascii_lowercase(),
                port,
                security,
            }),
            _ => None,
        };
        match (parse(&xml, &email), expected) {
            (Ok(Config { servers, notes, .. }), Some(offered)) => {
                prop_assert_eq!(servers, vec![offered]);
                prop_assert!(notes.is_empty());
            }
            (Err(Invalid::NoServers), None) => {}
            (got, expected) => prop_assert!(false, "{xml}: {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn whitespace_comments_and_host_case_change_nothing(
        seed in prop::sample::select(SEEDS.to_vec()),
        space in "[ \t\n]{0,3}",
        comment in "[a-zA-Z0-9 .]{0,20}",
        upper in any::<bool>(),
        email in "[a-z0-9._+-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}",
    ) {
        let mut xml = loosened(seed, "hostname", &space, upper);
        for tag in ["port", "socketType"] {
            xml = loosened(&xml, tag, &space, false);
        }
        let xml = xml.replace("</port>", &format!("</port>{space}<!--{comment}-->"));
        prop_assert_eq!(parse(&xml, &email), parse(seed, &email));
    }

    #[test]
    fn host_names_and_addresses_are_hosts_and_nothing_else_is(
        name in "[a-z0-9]([a-z0-9-]{0,20}\\.){0,4}[a-z]{2,10}",
        ip in any::<std::net::IpAddr>(),
        smuggled in prop::sample::select(vec!['/', ' ', '@', '?', '#', '%', '\\', '\n', '\0', 'ø']),
        at in any::<prop::sample::Index>(),
    ) {
        prop_assert!(valid_host(&name));
        let (bare, bracketed) = (ip.to_string(), format!("[{ip}]"));
        prop_assert!(valid_host(&bare) && valid_host(&bracketed));
        let mut bad: Vec<char> = name.chars().collect();
        bad.insert(at.index(bad.len() + 1), smuggled);
        prop_assert!(!valid_host(&bad.into_iter().collect::<String>()));
        let long = format!("{name}.{}", "a".repeat(253));
        prop_assert!(!valid_host(&long));
    }
}

/// The seeds, read as what they name.
#[test]
fn every_seed_is_read_as_published() {
    let offered = |side, host: &str, port, security| Offered {
        side,
        host: host.into(),
        port,
        security,
    };
    let cases = [
        (
            GMAIL,
            vec![
                offered(Side::Imap, "imap.gmail.com", 993, Security::Tls),
                offered(Side::Smtp, "smtp.gmail.com", 587, Security::Starttls),
                offered(Side::Smtp, "smtp.gmail.com", 465, Security::Tls),
            ],
            1,
        ),
        (
            MICROSOFT_365,
            vec![
                offered(Side::Imap, "outlook.office365.com", 993, Security::Tls),
                offered(Side::Smtp, "smtp.office365.com", 587, Security::Starttls),
            ],
            5,
        ),
        (
            POSTEO,
            vec![
                offered(Side::Imap, "posteo.de", 993, Security::Tls),
                offered(Side::Imap, "posteo.de", 143, Security::Starttls),
                offered(Side::Smtp, "posteo.de", 465, Security::Tls),
                offered(Side::Smtp, "posteo.de", 587, Security::Starttls),
            ],
            2,
        ),
    ];
    for (xml, servers, notes) in cases {
        let config = parse(xml, "jo@example.com").expect("a usable document");
        assert_eq!(config.servers, servers);
        assert_eq!(config.notes.len(), notes, "{:?}", config.notes);
        assert_eq!(
            config.username, None,
            "%EMAILADDRESS% is the address itself"
        );
        read(xml, "jo@example.com").unwrap_or_else(|e| panic!("{e}"));
    }
}

/// nginx's answers, read as what they are.
#[test]
fn every_seed_answer_is_read() {
    assert!(matches!(answer(ANSWERS[0], MAX_BYTES), Ok(Answer::Body(b)) if b == GMAIL.as_bytes()));
    assert_eq!(
        answer(ANSWERS[1], MAX_BYTES),
        Ok(Answer::Redirect(
            "https://autoconfig.example.com/mail/config-v1.1.xml".into()
        ))
    );
    assert_eq!(answer(ANSWERS[2], MAX_BYTES), Err(FetchError::Status(404)));
}

/// The bounds of a document: past 10 000 nodes it is refused, and one at the size limit full
/// of server entries is read in one go.
#[test]
fn a_document_is_bounded() {
    let entry = "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>";
    let many = |n: usize| {
        format!(
            "<clientConfig><emailProvider>{}</emailProvider></clientConfig>",
            entry.repeat(n)
        )
    };
    assert!(matches!(
        parse(&many(2_000), "jo@example.com"),
        Err(Invalid::Malformed(_))
    ));
    let fits = many((MAX_BYTES - 100) / entry.len());
    assert!(fits.len() <= MAX_BYTES);
    let config = parse(&fits, "jo@example.com").expect("a usable document");
    assert_eq!(config.servers.len(), 1, "one server, named many times");
}
