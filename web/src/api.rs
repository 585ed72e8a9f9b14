//! Reading the relay's small JSON API (info, texts, domain settings, discovery, sign-in) with
//! the browser's own `fetch`: a few lines instead of an HTTP client library in the wasm.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long the relay may take to answer: the page would otherwise wait for its words, or a
/// form's pre-filling, with no end.
const ANSWER_WITHIN_MS: u32 = 10_000;

/// GETs `url` and decodes its JSON; `None` on any failure, a status other than 200 or no
/// answer within [`ANSWER_WITHIN_MS`] (the callers treat all of these as "nothing to show":
/// `204` is the relay's "none stored").
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Option<T> {
    crate::json::from_js(fetch_json(url).await?)
}

/// POSTs `body` as JSON to `url` and decodes the JSON answer, as [`get_json`] does.
pub async fn post_json<B: serde::Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Option<T> {
    let body = crate::json::encode(body)?;
    crate::json::from_js(fetch_with(url, Some(&body)).await?)
}

/// The fetching half of [`get_json`], not generic: one state machine for every type asked for.
async fn fetch_json(url: &str) -> Option<wasm_bindgen::JsValue> {
    fetch_with(url, None).await
}

/// GETs `url`, or POSTs `body` (JSON) to it.
async fn fetch_with(url: &str, body: Option<&str>) -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    let init = web_sys::RequestInit::new();
    if let Some(body) = body {
        init.set_method("POST");
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
        let headers = web_sys::Headers::new().ok()?;
        headers.set("content-type", "application/json").ok()?;
        init.set_headers(&headers);
    }
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
        ANSWER_WITHIN_MS,
    )));
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    JsFuture::from(response.json().ok()?).await.ok()
}
