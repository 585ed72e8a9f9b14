//! JSON through the browser's own `JSON.parse`/`JSON.stringify` and serde-wasm-bindgen, so
//! the wasm carries no JSON parser of its own.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes `text` into `T`; `None` when it is not JSON or not a `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Encodes `value` as JSON text.
pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}
