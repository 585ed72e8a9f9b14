//! Ranking candidates, and the guesses we make from a name. Pure, so the order is table-tested.

use inbox_doctor_errors::{Candidate, ProbeOutcome, Security, Side, Source};

use super::Proposed;

/// Lower is more trusted: what administrators stored, then the provider table, then what the
/// domain itself publishes (SRV, autoconfig), then guesses.
pub fn precedence(source: Source) -> u8 {
    match source {
        Source::Stored => 0,
        Source::Provider => 1,
        Source::Ispdb => 2,
        Source::Srv => 3,
        Source::Autoconfig => 4,
        Source::Mx => 5,
        Source::Guess => 6,
        Source::Entered => 7,
        _ => 8,
    }
}

fn outcome_rank(o: ProbeOutcome) -> u8 {
    match o {
        ProbeOutcome::Confirmed => 0,
        ProbeOutcome::CertificateInvalid => 1,
        ProbeOutcome::NotProbed => 2,
        ProbeOutcome::NoStarttls => 3,
        ProbeOutcome::TlsFailed | ProbeOutcome::WrongProtocol => 4,
        ProbeOutcome::TimedOut | ProbeOutcome::EgressRefused => 5,
        ProbeOutcome::Refused => 6,
        _ => 7,
    }
}

fn security_rank(s: Security) -> u8 {
    match s {
        Security::Tls => 0,
        Security::Starttls => 1,
        _ => 2,
    }
}

/// Best first: confirmed over unconfirmed; among equals, what administrators stored; then
/// implicit TLS over STARTTLS over plain; then the more trusted source. Stable, so a source's
/// own order (SRV priority, the table's order) breaks the remaining ties.
pub fn sort(candidates: &mut [Candidate]) {
    candidates.sort_by_key(|c| {
        let best_source = c
            .sources
            .iter()
            .map(|s| precedence(*s))
            .min()
            .unwrap_or(u8::MAX);
        (
            outcome_rank(c.outcome),
            best_source != precedence(Source::Stored),
            security_rank(c.security),
            best_source,
        )
    });
}

/// The names and ports mail clients try for a domain.
pub fn guesses_for(domain: &str) -> Vec<Proposed> {
    let mut out = Vec::new();
    for prefix in ["imap", "mail"] {
        let host = format!("{prefix}.{domain}");
        out.push(Proposed::new(Side::Imap, &host, 993, Security::Tls));
        out.push(Proposed::new(Side::Imap, &host, 143, Security::Starttls));
    }
    for prefix in ["smtp", "mail"] {
        let host = format!("{prefix}.{domain}");
        out.push(Proposed::new(Side::Smtp, &host, 465, Security::Tls));
        out.push(Proposed::new(Side::Smtp, &host, 587, Security::Starttls));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(port: u16, security: Security, sources: &[Source], outcome: ProbeOutcome) -> Candidate {
        Candidate {
            side: Side::Imap,
            host: "h".into(),
            port,
            security,
            sources: sources.to_vec(),
            outcome,
            detail: None,
        }
    }

    #[test]
    fn candidates_rank_as_documented() {
        use ProbeOutcome::*;
        use Security::*;
        use Source::*;
        // (candidates in input order, expected order of ports)
        let table: &[(Vec<Candidate>, Vec<u16>)] = &[
            // Confirmed beats unconfirmed, whatever the mode.
            (
                vec![
                    c(993, Tls, &[Provider], Refused),
                    c(143, Starttls, &[Guess], Confirmed),
                ],
                vec![143, 993],
            ),
            // Implicit TLS over STARTTLS over plain.
            (
                vec![
                    c(110, Plain, &[Srv], Confirmed),
                    c(143, Starttls, &[Srv], Confirmed),
                    c(993, Tls, &[Guess], Confirmed),
                ],
                vec![993, 143, 110],
            ),
            // What administrators stored wins among the confirmed.
            (
                vec![
                    c(993, Tls, &[Guess], Confirmed),
                    c(143, Starttls, &[Stored], Confirmed),
                ],
                vec![143, 993],
            ),
            // …but not over a confirmed server when it does not answer.
            (
                vec![
                    c(143, Starttls, &[Stored], TimedOut),
                    c(993, Tls, &[Guess], Confirmed),
                ],
                vec![993, 143],
            ),
            // Same mode and outcome: the more trusted source.
            (
                vec![
                    c(1, Tls, &[Guess], Confirmed),
                    c(2, Tls, &[Srv, Guess], Confirmed),
                ],
                vec![2, 1],
            ),
            // A bad certificate ranks below a good one, above a refusal.
            (
                vec![
                    c(1, Tls, &[Srv], Refused),
                    c(2, Tls, &[Srv], CertificateInvalid),
                    c(3, Starttls, &[Srv], Confirmed),
                ],
                vec![3, 2, 1],
            ),
            // Ties keep their order (SRV priority order).
            (
                vec![c(1, Tls, &[Srv], Confirmed), c(2, Tls, &[Srv], Confirmed)],
                vec![1, 2],
            ),
        ];
        for (input, expected) in table {
            let mut sorted = input.clone();
            sort(&mut sorted);
            let ports: Vec<u16> = sorted.iter().map(|c| c.port).collect();
            assert_eq!(&ports, expected, "{input:?}");
        }
    }

    #[test]
    fn guesses_cover_the_usual_names_and_ports() {
        let g = guesses_for("example.org");
        assert!(g.contains(&Proposed::new(
            Side::Imap,
            "imap.example.org",
            993,
            Security::Tls
        )));
        assert!(g.contains(&Proposed::new(
            Side::Smtp,
            "mail.example.org",
            587,
            Security::Starttls
        )));
        assert_eq!(g.len(), 8);
    }
}
