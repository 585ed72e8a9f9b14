//! JSON for the wire types of `inbox_doctor_errors`.
//!
//! Decoding is a small parser of our own, straight into serde, whose error carries no text: the
//! page only needs to know that a message was not what it expected, and serde's error messages
//! would bring float and debug formatting into the wasm. It refuses numbers with a fraction or
//! an exponent where a value is wanted (no wire type has one), lone surrogates, unescaped
//! control characters, trailing text and nesting deeper than [`MAX_DEPTH`].
//!
//! Encoding (one message, the start of a run) goes through the browser's `JSON.stringify`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::Serialize;

/// Decodes `text` into `T`; `None` when it is not JSON or not a `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut d = Decoder {
        text,
        at: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut d).ok()?;
    d.skip_space();
    (d.at == text.len()).then_some(value)
}

/// Encodes `value` as JSON text.
pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// Arrays and objects nested deeper than this are refused (a report nests eight deep).
pub const MAX_DEPTH: usize = 32;

/// The text is not JSON, or not the JSON of the type asked for. Deliberately without detail.
#[derive(Debug)]
pub struct Malformed;

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed JSON")
    }
}

impl std::error::Error for Malformed {}

impl de::Error for Malformed {
    fn custom<M: fmt::Display>(_: M) -> Malformed {
        Malformed
    }
}

type Result<T> = std::result::Result<T, Malformed>;

/// The start of a value, as [`Decoder::token`] reads it.
enum Token<'de> {
    Null,
    Bool(bool),
    Str(Cow<'de, str>),
    Unsigned(u64),
    Signed(i64),
    /// `[` or `{`, consumed: the items follow.
    Array,
    Object,
}

struct Decoder<'de> {
    text: &'de str,
    at: usize,
    depth: usize,
}

impl<'de> Decoder<'de> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte after white space, consumed when it is `byte`.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        self.eat(byte).then_some(()).ok_or(Malformed)
    }

    fn word(&mut self, word: &str) -> Result<()> {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        if !rest.starts_with(word.as_bytes()) {
            return Err(Malformed);
        }
        self.at += word.len();
        Ok(())
    }

    /// Opens an array or an object (its first byte is next).
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        self.at += 1;
        (self.depth <= MAX_DEPTH).then_some(()).ok_or(Malformed)
    }

    #[inline(never)]
    fn leave(&mut self, close: u8) -> Result<()> {
        self.depth -= 1;
        self.expect(close)
    }

    /// A string; borrowed from the text unless it has escapes.
    fn string(&mut self) -> Result<Cow<'de, str>> {
        self.expect(b'"')?;
        let mut owned: Option<String> = None;
        let mut run = self.at;
        loop {
            let byte = self.peek().ok_or(Malformed)?;
            // Both delimiters are ASCII: at either, `run..at` is whole characters.
            let plain = || self.text.get(run..self.at).ok_or(Malformed);
            match byte {
                b'"' => {
                    let plain = plain()?;
                    self.at += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(plain),
                        Some(mut s) => {
                            s.push_str(plain);
                            Cow::Owned(s)
                        }
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(plain()?);
                    self.at += 1;
                    let escaped = self.peek().ok_or(Malformed)?;
                    self.at += 1;
                    s.push(match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(Malformed),
                    });
                    run = self.at;
                }
                0..=0x1f => return Err(Malformed),
                _ => self.at += 1,
            }
        }
    }

    /// The character of `\uXXXX` (the `\u` already read), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                self.word("\\u")?;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(Malformed);
                }
                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(Malformed),
            _ => first,
        };
        char::from_u32(code).ok_or(Malformed)
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(Malformed)?;
        self.at += 4;
        digits.chars().try_fold(0, |n, c| {
            c.to_digit(16).map(|d| n * 16 + d).ok_or(Malformed)
        })
    }

    /// The next value's start: a whole scalar, or the opening of an array or an object.
    /// Not generic, so the parsing is here once rather than in every visitor's copy of
    /// `deserialize_any`.
    #[inline(never)]
    fn token(&mut self) -> Result<Token<'de>> {
        self.skip_space();
        Ok(match self.peek().ok_or(Malformed)? {
            b'n' => self.word("null").map(|()| Token::Null)?,
            b't' => self.word("true").map(|()| Token::Bool(true))?,
            b'f' => self.word("false").map(|()| Token::Bool(false))?,
            b'"' => Token::Str(self.string()?),
            b'[' => self.enter().map(|()| Token::Array)?,
            b'{' => self.enter().map(|()| Token::Object)?,
            _ => self.integer()?,
        })
    }

    /// Consumes a `null` when one is next.
    #[inline(never)]
    fn null(&mut self) -> Result<bool> {
        self.skip_space();
        let null = self.peek() == Some(b'n');
        if null {
            self.word("null")?;
        }
        Ok(null)
    }

    /// An integer: the only kind of number the wire types carry.
    fn integer(&mut self) -> Result<Token<'de>> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
                .ok_or(Malformed)?;
            self.at += 1;
        }
        if self.at == start || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(Malformed);
        }
        Ok(if negative {
            Token::Signed(0i64.checked_sub_unsigned(n).ok_or(Malformed)?)
        } else {
            Token::Unsigned(n)
        })
    }

    /// Steps over one value of any kind (a field the page does not know).
    fn skip_value(&mut self) -> Result<()> {
        self.skip_space();
        match self.peek().ok_or(Malformed)? {
            b'"' => self.string().map(drop),
            b't' => self.word("true"),
            b'f' => self.word("false"),
            b'n' => self.word("null"),
            open @ (b'[' | b'{') => {
                let close = if open == b'[' { b']' } else { b'}' };
                self.enter()?;
                let mut first = true;
                while !self.eat(close) {
                    if !first {
                        self.expect(b',')?;
                    }
                    first = false;
                    if open == b'{' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    self.skip_value()?;
                }
                self.depth -= 1;
                Ok(())
            }
            _ => {
                let start = self.at;
                while matches!(
                    self.peek(),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                ) {
                    self.at += 1;
                }
                (self.at > start).then_some(()).ok_or(Malformed)
            }
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = Malformed;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.token()? {
            Token::Null => visitor.visit_unit(),
            Token::Bool(b) => visitor.visit_bool(b),
            Token::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Token::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Token::Unsigned(n) => visitor.visit_u64(n),
            Token::Signed(n) => visitor.visit_i64(n),
            Token::Array => {
                let value = visitor.visit_seq(Items::new(self))?;
                self.leave(b']')?;
                Ok(value)
            }
            Token::Object => {
                let value = visitor.visit_map(Items::new(self))?;
                self.leave(b'}')?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if self.null()? {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// Externally tagged: `"variant"`, or `{"variant": content}`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.skip_space();
        if self.peek() == Some(b'"') {
            let name: Cow<'de, str> = self.string()?;
            return visitor.visit_enum(IntoDeserializer::<Malformed>::into_deserializer(name));
        }
        self.skip_space();
        if self.peek() != Some(b'{') {
            return Err(Malformed);
        }
        self.enter()?;
        let value = visitor.visit_enum(Variant { d: self })?;
        self.leave(b'}')?;
        Ok(value)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// The elements of an array, or the entries of an object.
struct Items<'a, 'de> {
    d: &'a mut Decoder<'de>,
    first: bool,
}

impl<'a, 'de> Items<'a, 'de> {
    fn new(d: &'a mut Decoder<'de>) -> Items<'a, 'de> {
        Items { d, first: true }
    }

    /// Whether another item follows (its separator consumed).
    #[inline(never)]
    fn more(&mut self, close: u8) -> Result<bool> {
        self.d.skip_space();
        if self.d.peek() == Some(close) {
            return Ok(false);
        }
        if !self.first {
            self.d.expect(b',')?;
        }
        self.first = false;
        Ok(true)
    }
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = Malformed;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.d).map(Some)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = Malformed;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        self.d.skip_space();
        if self.d.peek() != Some(b'"') {
            return Err(Malformed);
        }
        let key = seed.deserialize(&mut *self.d)?;
        self.d.expect(b':')?;
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.d)
    }
}

/// The one entry of `{"variant": content}`.
struct Variant<'a, 'de> {
    d: &'a mut Decoder<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Malformed;
    type Variant = Variant<'a, 'de>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        self.d.skip_space();
        if self.d.peek() != Some(b'"') {
            return Err(Malformed);
        }
        let variant = seed.deserialize(&mut *self.d)?;
        self.d.expect(b':')?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Malformed;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(self.d)
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.d)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(self.d, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(self.d, visitor)
    }
}

// Property tests need proptest, which the browser build leaves out.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties;

#[cfg(test)]
pub(crate) mod tests {
    use inbox_doctor_errors::{
        Discovery, DomainRecord, Lang, RelayInfo, ServerMessage, StepEvent, TextBundle,
    };
    use serde::de::DeserializeOwned;

    use super::*;

    /// The same value as serde_json's, which must accept the text.
    fn same<T: DeserializeOwned + PartialEq + fmt::Debug>(text: &str) -> T {
        let expected: T = serde_json::from_str(text).expect("a valid sample");
        let got = decode::<T>(text).expect("decoded");
        assert_eq!(got, expected);
        got
    }

    /// A report message with every field and variant (the result and component tests read it
    /// too).
    pub(crate) const REPORT: &str = include_str!("../tests/report-message.json");

    #[test]
    fn every_message_the_page_reads_decodes_as_serde_json_does() {
        let m: ServerMessage = same(REPORT);
        let ServerMessage::Event(StepEvent::Report(r)) = m else {
            panic!("a report")
        };
        assert_eq!(
            r.steps[0].failure.as_ref().unwrap().explanation,
            "\"Quoted\" \\ back/slash æ 😀"
        );
        same::<ServerMessage>(r#"{"event":{"started":{"step":"imap.connect","started_ms":3}}}"#);
        same::<ServerMessage>(r#" { "cancelled" : { } } "#);
        same::<ServerMessage>(r#"{"error":{"code":"busy","message":"Try again."}}"#);
        same::<RelayInfo>(
            r#"{"protocol_version":2,"test_recipients_allowed":true,"token_required":false}"#,
        );
        same::<RelayInfo>(
            r#"{"protocol_version":3,"test_recipients_allowed":false,"token_required":false,"origin_allowed":false}"#,
        );
        same::<DomainRecord>(
            r#"{"domain":"example.com","settings":{"imap":{"host":"i","port":993},
            "smtp":{"host":"s","port":465,"security":"tls"}},"updated_at":"t","updated_by":"u"}"#,
        );
        same::<Discovery>(
            r#"{"email":"a@example.com","domain":"example.com","imap":null,
            "smtp":{"side":"smtp","host":"s","port":465,"security":"tls","sources":["srv"],"outcome":"confirmed"},
            "username":"a","candidates":[],"sources":[{"source":"srv","status":"found","elapsed_ms":4,"notes":["n"]}],
            "offline":false,"elapsed_ms":9}"#,
        );
    }

    #[test]
    fn the_relays_text_bundles_decode() {
        for lang in Lang::ALL {
            let bundle = TextBundle::of(lang);
            let text = serde_json::to_string(&bundle).unwrap();
            assert_eq!(decode::<TextBundle>(&text), Some(bundle), "{lang:?}");
        }
    }

    #[test]
    fn malformed_text_is_refused_without_a_panic() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        for bad in [
            "",
            "{",
            r#"{"cancelled":{}} x"#,
            r#"{"cancelled":{},}"#,
            r#"{"error":{"code":"busy","message":"a"#,
            r#"{"error":{"code":"busy","message":"\q"}}"#,
            r#"{"error":{"code":"busy","message":"\ud83d"}}"#,
            r#"{"error":{"code":"busy","message":"\udc00"}}"#,
            r#"{"error":{"code":"busy","message":"\u00g0"}}"#,
            "{\"error\":{\"code\":\"busy\",\"message\":\"tab\there\"}}",
            r#"{"error":{"code":"no_such_code","message":"a"}}"#,
            r#"{"event":{"started":{"step":"imap.connect","started_ms":1.5}}}"#,
            r#"{"event":{"started":{"step":"imap.connect","started_ms":-1}}}"#,
            r#"{"event":{"started":{"step":"imap.connect","started_ms":99999999999999999999}}}"#,
            r#"{"event":{"started":{"step":"imap.connect"}}}"#,
            r#"{"event":{"started":{"step":"imap.connect","started_ms":1},"x":1}}"#,
            r#"["cancelled"]"#,
            r#"{"cancelled":{}, "a_skipped_field": [[[ }"#,
            &deep,
        ] {
            assert_eq!(decode::<ServerMessage>(bad), None, "{bad}");
        }
        let nested_skip = format!(
            r#"{{"cancelled":{{"x":{}{}}}}}"#,
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(decode::<ServerMessage>(&nested_skip), None);
    }
}
