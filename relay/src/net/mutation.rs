//! Server input for the property tests of every parser that reads it: real lines and
//! documents (each parser's committed seeds), damaged by a few edits, and arbitrary text.
//!
//! Random text alone is refused by a parser at its first byte; a real greeting with a piece
//! cut out, a brace put in or its case flipped reaches the code that could go wrong. The edits
//! keep strings valid UTF-8 (they work on characters), so every `&str` parser sees them.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;

/// `default` cases per property: few enough that the suite stays within seconds in a debug
/// build, as CI runs it. `PROPTEST_CASES` replaces the number for a longer local run (with an
/// explicit count, proptest itself would ignore the variable).
pub fn config(default: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

/// Seed lines from a committed file: one per line; `#` starts a comment and `[…]` a section,
/// blank lines are left out.
pub fn seed_lines(file: &'static str) -> Vec<&'static str> {
    file.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
        .collect()
}

/// One edit of a seed.
#[derive(Clone, Debug)]
enum Edit {
    /// Removes up to this many characters from the position on.
    Cut(Index, usize),
    Insert(Index, String),
    /// Repeats the characters from the position on, up to this many, this many times.
    Repeat(Index, usize, usize),
    /// Flips the ASCII case of up to this many characters.
    FlipCase(Index, usize),
    /// Keeps only the characters before the position.
    Truncate(Index),
}

/// What edits put in: the punctuation the parsers split on, digits, line ends, characters
/// outside ASCII and anything at all.
fn insertion() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ \\[\\](){}<>\"\\\\*+=.:;/@%&#0-9-]{1,4}",
        2 => "[ -~]{1,12}",
        1 => "\\{[0-9]{1,22}\\+?\\}",
        1 => prop::sample::select(vec!["\r", "\n", "\0", "\t", "ø", "😀", "\u{fffd}", "\u{202e}", "İ", "ß"])
            .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => (any::<Index>(), 1..8usize).prop_map(|(at, n)| Edit::Cut(at, n)),
        3 => (any::<Index>(), insertion()).prop_map(|(at, s)| Edit::Insert(at, s)),
        1 => (any::<Index>(), 1..16usize, 1..8usize).prop_map(|(at, n, k)| Edit::Repeat(at, n, k)),
        1 => (any::<Index>(), 1..32usize).prop_map(|(at, n)| Edit::FlipCase(at, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        let len = chars.len();
        let at = |i: &Index| i.index(len + 1);
        match edit {
            Edit::Cut(i, n) => {
                let from = at(i);
                chars.drain(from..(from + n).min(len));
            }
            Edit::Insert(i, s) => {
                let from = at(i);
                chars.splice(from..from, s.chars());
            }
            Edit::Repeat(i, n, k) => {
                let from = at(i);
                let piece: Vec<char> = chars[from..(from + n).min(len)].to_vec();
                let copies: Vec<char> = piece
                    .iter()
                    .copied()
                    .cycle()
                    .take(piece.len() * k)
                    .collect();
                chars.splice(from..from, copies);
            }
            Edit::FlipCase(i, n) => {
                let from = at(i);
                for c in &mut chars[from..(from + n).min(len)] {
                    *c = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                }
            }
            Edit::Truncate(i) => chars.truncate(at(i)),
        }
    }
    chars.into_iter().collect()
}

/// A seed with up to four edits (none at times: the seed itself is a case too).
pub fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit(), 0..4),
    )
        .prop_map(|(seed, edits)| apply(&seed, &edits))
}

/// Mostly damaged seeds, sometimes arbitrary text.
pub fn server_text(seeds: &[&str]) -> impl Strategy<Value = String> {
    let seeds: Vec<String> = seeds.iter().map(|s| (*s).to_owned()).collect();
    prop_oneof![
        4 => mutated(seeds),
        1 => any::<String>(),
        1 => "[ -~]{0,80}",
    ]
}

/// One edit of binary input (DER, TLS records).
#[derive(Clone, Debug)]
enum ByteEdit {
    FlipBit(Index, u8),
    Set(Index, u8),
    Cut(Index, usize),
    Insert(Index, Vec<u8>),
    Truncate(Index),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        3 => (any::<Index>(), 0..8u8).prop_map(|(at, bit)| ByteEdit::FlipBit(at, bit)),
        3 => (any::<Index>(), prop_oneof![Just(0u8), Just(0x7f), Just(0x80), Just(0xff), any::<u8>()])
            .prop_map(|(at, b)| ByteEdit::Set(at, b)),
        1 => (any::<Index>(), 1..64usize).prop_map(|(at, n)| ByteEdit::Cut(at, n)),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| ByteEdit::Insert(at, b)),
        1 => any::<Index>().prop_map(ByteEdit::Truncate),
    ]
}

fn apply_bytes(seed: &[u8], edits: &[ByteEdit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |i: &Index| i.index(len + 1);
        let within = |i: &Index| (len > 0).then(|| i.index(len));
        match edit {
            ByteEdit::FlipBit(i, bit) => {
                if let Some(at) = within(i) {
                    bytes[at] ^= 1 << bit;
                }
            }
            ByteEdit::Set(i, b) => {
                if let Some(at) = within(i) {
                    bytes[at] = *b;
                }
            }
            ByteEdit::Cut(i, n) => {
                let from = at(i);
                bytes.drain(from..(from + n).min(len));
            }
            ByteEdit::Insert(i, b) => {
                let from = at(i);
                bytes.splice(from..from, b.iter().copied());
            }
            ByteEdit::Truncate(i) => bytes.truncate(at(i)),
        }
    }
    bytes
}

/// A binary seed with up to four edits.
pub fn mutated_bytes(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(byte_edit(), 0..4),
    )
        .prop_map(|(seed, edits)| apply_bytes(&seed, &edits))
}
