//! JSON for the wire types of `inbox_doctor_errors`: the browser's own `JSON.parse` and
//! `JSON.stringify`, with serde-wasm-bindgen between them and the types. The relay's messages
//! are bounded by the relay; what is not the type asked for is `None`, and the caller says so.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Decodes `text` into `T`; `None` when it is not JSON or not a `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(js_sys::JSON::parse(text).ok()?)
}

/// A value the browser parsed (a `fetch` response's `json()`) as `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(value).ok()
}

/// Encodes `value` as JSON text.
pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}
