//! How much one discovery may probe. A domain's SRV records, MX hosts and autoconfig document
//! are written by whoever controls the domain: without bounds, one request could make the relay
//! probe hundreds of hosts and report what each said. Pure, so the rule is table-tested.

/// At most this many candidates from one source. The bundled table's largest entry names 4
/// servers, a real domain's SRV records one per service (4), a real autoconfig document a few
/// IMAP and SMTP servers, our own guesses 8; so a real provider's settings are never cut.
pub const MAX_PER_SOURCE: usize = 8;

/// At most this many candidates in one discovery: a backstop under the per-source caps. With
/// today's sources those keep a discovery below it (four network sources of at most 8, stored
/// settings 2, the table 4: 38); it still holds if a source is added or a cap raised.
pub const MAX_CANDIDATES: usize = 40;

/// At most this many probes at once in one discovery: a burst of connections to one stranger's
/// hosts stays small, and the candidates that outrank the others are probed first.
pub const MAX_PROBES_IN_FLIGHT: usize = 6;

/// The three bounds, as [`super::DiscoverConfig`] carries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    pub per_source: usize,
    pub total: usize,
    pub in_flight: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            per_source: MAX_PER_SOURCE,
            total: MAX_CANDIDATES,
            in_flight: MAX_PROBES_IN_FLIGHT,
        }
    }
}

impl Caps {
    /// How many new candidates a source may add when `used` are known and `pending_higher`
    /// sources that outrank it have not reported yet: its own cap, within what the total
    /// leaves once each of those is kept a full cap's worth. So a source never takes the
    /// places of one that outranks it, and none waits for another to report.
    pub fn room(&self, used: usize, pending_higher: usize) -> usize {
        let reserved = pending_higher.saturating_mul(self.per_source);
        self.per_source
            .min(self.total.saturating_sub(used.saturating_add(reserved)))
    }
}

/// What a source was not allowed, for its notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Beyond the source's own cap: (how many it named, how many were kept).
    pub over_source: Option<(usize, usize)>,
    /// New candidates left out because the discovery's total was reached.
    pub over_total: usize,
}

impl Dropped {
    /// The notes that say what was left out, and why.
    pub fn notes(&self, caps: &Caps) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some((named, kept)) = self.over_source {
            notes.push(format!(
                "named {named} servers; only the first {kept} were probed (at most {} from one source)",
                caps.per_source
            ));
        }
        if self.over_total > 0 {
            notes.push(format!(
                "{} more servers were not probed (at most {} in one discovery)",
                self.over_total, caps.total
            ));
        }
        notes
    }
}

/// At most this many notes from one source, each cut like any other server text.
pub const MAX_NOTES: usize = 20;

/// `notes` bounded: the first [`MAX_NOTES`], each cut at the evidence bound, and a last one
/// saying how many more there were.
pub fn bound_notes(notes: Vec<String>) -> Vec<String> {
    let total = notes.len();
    let mut out: Vec<String> = notes
        .into_iter()
        .take(MAX_NOTES)
        .map(|n| crate::net::transcript::cut_evidence(&n))
        .collect();
    if total > MAX_NOTES {
        out.push(format!("… and {} more notes", total - MAX_NOTES));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_gets_its_cap_within_what_the_total_leaves() {
        let caps = Caps::default();
        // (used, pending sources that outrank it) → room
        let cases = [
            ((0, 0), 8),
            ((0, 3), 8),
            ((6, 3), 8),  // the table and stored settings, then the guesses first of all
            ((10, 3), 6), // entered settings too: the guesses leave room for SRV, autoconfig, MX
            ((30, 0), 8),
            ((36, 0), 4),
            ((40, 0), 0),
            ((45, 0), 0),
            ((20, 3), 0),
        ];
        for ((used, pending), room) in cases {
            assert_eq!(
                caps.room(used, pending),
                room,
                "used {used}, pending {pending}"
            );
        }
        // Every source admitted within its room never passes the total, in any order.
        let mut used = 0;
        for pending in [3, 0, 2, 1, 0, 0, 0] {
            used += caps.room(used, pending);
            assert!(used <= caps.total);
        }
    }

    #[test]
    fn what_was_left_out_is_said() {
        let caps = Caps::default();
        assert!(Dropped::default().notes(&caps).is_empty());
        let notes = Dropped {
            over_source: Some((500, 8)),
            over_total: 3,
        }
        .notes(&caps);
        assert_eq!(
            notes,
            vec![
                "named 500 servers; only the first 8 were probed (at most 8 from one source)",
                "3 more servers were not probed (at most 40 in one discovery)",
            ]
        );
    }

    #[test]
    fn notes_are_bounded_in_number_and_length() {
        let many: Vec<String> = (0..500)
            .map(|i| format!("skipped a pop3 server {i}"))
            .collect();
        let bounded = bound_notes(many);
        assert_eq!(bounded.len(), MAX_NOTES + 1);
        assert_eq!(bounded.last().unwrap(), "… and 480 more notes");
        let long = bound_notes(vec!["x".repeat(100_000)]);
        assert!(long[0].len() < 5000, "{}", long[0].len());
    }
}
