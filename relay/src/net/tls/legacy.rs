//! Asks a server whether it would let a legacy client in: a hand-made TLS 1.1 ClientHello and
//! the version in the ServerHello. rustls cannot speak TLS 1.0/1.1, by design; this tells a
//! legacy-only server from other handshake failures, and a modern server that also accepts
//! legacy versions.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::net::conn::BoxIo;

/// Offers at most TLS 1.1 with the ciphers old servers speak and returns the version the server
/// chose (`TLSv1.0`, `TLSv1.1`, `SSLv3`), or `None` if it refused. The connection is useless
/// afterwards; it only answers "would a legacy client get in".
pub async fn legacy_version(mut io: BoxIo, host: &str, deadline: Instant) -> Option<&'static str> {
    let hello = legacy_client_hello(host);
    let probe = async {
        io.write_all(&hello).await.ok()?;
        let mut head = [0u8; 11];
        io.read_exact(&mut head).await.ok()?;
        server_hello_version(&head)
    };
    tokio::time::timeout_at(deadline, probe)
        .await
        .ok()
        .flatten()
}

/// The legacy version a ServerHello chose, from the first 11 bytes of the server's answer: the
/// record header (type handshake), the handshake header (type ServerHello), its version.
/// Anything else (an alert, a modern version) is `None`.
pub(super) fn server_hello_version(head: &[u8; 11]) -> Option<&'static str> {
    if head[0] != 0x16 || head[5] != 0x02 {
        return None;
    }
    match (head[9], head[10]) {
        (3, 0) => Some("SSLv3"),
        (3, 1) => Some("TLSv1.0"),
        (3, 2) => Some("TLSv1.1"),
        _ => None,
    }
}

/// A TLS 1.1 ClientHello with the cipher suites old servers speak and, for a name, SNI.
pub(super) fn legacy_client_hello(host: &str) -> Vec<u8> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let mut body = vec![0x03, 0x02]; // highest version offered: TLS 1.1
    let mut random = [0u8; 32];
    let _ = getrandom::fill(&mut random);
    body.extend_from_slice(&random);
    body.push(0); // no session id
    let suites: [u16; 9] = [
        0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a,
    ];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // null compression
    let mut ext = Vec::new();
    if host.parse::<std::net::IpAddr>().is_err() && !host.is_empty() && host.len() < 250 {
        let name = host.as_bytes();
        let list_len = (name.len() + 3) as u16;
        ext.extend_from_slice(&[0x00, 0x00]);
        ext.extend_from_slice(&(list_len + 2).to_be_bytes());
        ext.extend_from_slice(&list_len.to_be_bytes());
        ext.push(0);
        ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
        ext.extend_from_slice(name);
    }
    // supported_groups: secp256r1, secp384r1, x25519
    ext.extend_from_slice(&[
        0x00, 0x0a, 0x00, 0x08, 0x00, 0x06, 0x00, 0x17, 0x00, 0x18, 0x00, 0x1d,
    ]);
    // ec_point_formats: uncompressed
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // renegotiation_info: empty
    ext.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks the hello: record header, handshake header, then the body up to the extensions.
    fn parts(hello: &[u8]) -> (u16, Vec<u16>, Vec<u8>) {
        assert_eq!(
            &hello[..3],
            &[0x16, 0x03, 0x01],
            "handshake record, TLS 1.0 framing"
        );
        let record_len = u16::from_be_bytes([hello[3], hello[4]]) as usize;
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01, "ClientHello");
        let body_len = u32::from_be_bytes([0, hello[6], hello[7], hello[8]]) as usize;
        assert_eq!(body_len, hello.len() - 9);
        let body = &hello[9..];
        let version = u16::from_be_bytes([body[0], body[1]]);
        assert_eq!(body[34], 0, "no session id");
        let suites_len = u16::from_be_bytes([body[35], body[36]]) as usize;
        let suites = body[37..37 + suites_len]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let rest = &body[37 + suites_len..];
        assert_eq!(&rest[..2], &[1, 0], "null compression only");
        let ext_len = u16::from_be_bytes([rest[2], rest[3]]) as usize;
        assert_eq!(ext_len, rest.len() - 4);
        (version, suites, rest[4..].to_vec())
    }

    #[test]
    fn the_hello_offers_tls_1_1_at_most_with_old_ciphers_and_names_the_host() {
        let hello = legacy_client_hello("mail.example.com");
        let (version, suites, ext) = parts(&hello);
        assert_eq!(version, 0x0302);
        assert!(suites.contains(&0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
        assert!(
            !suites.iter().any(|s| (0x1301..=0x1305).contains(s)),
            "no TLS 1.3 suites"
        );
        assert_eq!(&ext[..2], &[0, 0], "server_name first");
        let name_len = u16::from_be_bytes([ext[7], ext[8]]) as usize;
        assert_eq!(&ext[9..9 + name_len], b"mail.example.com");
    }

    #[test]
    fn addresses_get_no_server_name() {
        for host in ["192.0.2.1", "[2001:db8::1]", "2001:db8::1"] {
            let (_, _, ext) = parts(&legacy_client_hello(host));
            assert_ne!(&ext[..2], &[0, 0], "{host}");
        }
    }

    #[test]
    fn the_server_hello_version_is_read_from_the_right_bytes() {
        let hello = |version: [u8; 2]| {
            [
                0x16, 3, 1, 0, 0x4a, 0x02, 0, 0, 0x46, version[0], version[1],
            ]
        };
        assert_eq!(server_hello_version(&hello([3, 0])), Some("SSLv3"));
        assert_eq!(server_hello_version(&hello([3, 1])), Some("TLSv1.0"));
        assert_eq!(server_hello_version(&hello([3, 2])), Some("TLSv1.1"));
        assert_eq!(
            server_hello_version(&hello([3, 3])),
            None,
            "TLS 1.2 is not legacy"
        );
        // An alert record (protocol_version) instead of a ServerHello.
        let alert = [0x15, 3, 1, 0, 2, 2, 70, 0, 0, 0, 0];
        assert_eq!(server_hello_version(&alert), None);
        // Another handshake message first.
        let mut other = hello([3, 1]);
        other[5] = 0x0b;
        assert_eq!(server_hello_version(&other), None);
    }
}
