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
    let answer = call("POST", url, Some(&body), None).await?;
    (answer.status == 200)
        .then_some(answer.json)
        .flatten()
        .and_then(crate::json::from_js)
}

/// The fetching half of [`get_json`], not generic: one state machine for every type asked for.
async fn fetch_json(url: &str) -> Option<wasm_bindgen::JsValue> {
    let answer = call("GET", url, None, None).await?;
    (answer.status == 200).then_some(answer.json).flatten()
}

/// What the relay answered: the status, and the body when it was JSON.
pub struct Answer {
    pub status: u16,
    pub json: Option<wasm_bindgen::JsValue>,
}

/// One request to the relay: `method` with an optional JSON `body`, with `Authorization:
/// Bearer` when a `bearer` token is given (the admin view's: in a header, never in the URL).
/// `None` when nothing came back within [`ANSWER_WITHIN_MS`].
pub async fn call(
    method: &str,
    url: &str,
    body: Option<&str>,
    bearer: Option<&str>,
) -> Option<Answer> {
    let window = web_sys::window()?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().ok()?;
    if let Some(body) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
        headers.set("content-type", "application/json").ok()?;
    }
    if let Some(token) = bearer {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .ok()?;
    }
    init.set_headers(&headers);
    init.set_signal(Some(&web_sys::AbortSignal::timeout_with_u32(
        ANSWER_WITHIN_MS,
    )));
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let status = response.status();
    let json = match response.json() {
        Ok(p) => JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    Some(Answer { status, json })
}
