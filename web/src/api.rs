//! Reading the relay's small JSON API (info, texts, domain settings, discovery) with the
//! browser's own `fetch`: a few lines instead of an HTTP client library in the wasm.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// GETs `url` and decodes its JSON; `None` on any failure or a status other than 200 (the
/// callers treat all of these as "nothing to show": `204` is the relay's "none stored").
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Option<T> {
    let window = web_sys::window()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    crate::json::from_js(JsFuture::from(response.json().ok()?).await.ok()?)
}
