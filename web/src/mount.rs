//! Starting the UI. The page (`index.html`) and the widget both put an element with
//! `data-inbox-doctor` into the document, and both start through the loader `widget.js`, which
//! knows the origin it was loaded from and calls [`mount_all`] with it. The widget mounts into
//! a shadow root with its own styles, so it neither breaks nor inherits the host page.
//!
//! Attributes: `data-relay` (the relay's URL; default: the loader's origin), `data-lang`
//! (`en`, `de`, `nb`, `pl`; default: the browser's), `data-page` (a full page: no shadow root).
//!
//! An element is mounted on its own only when its relay is the loader's origin. A help center
//! that lets its users write `data-*` attributes would otherwise show, in our look, a password
//! form that sends to whatever relay a user wrote there. A host page that means another relay
//! says so from its own script: `mount(element, { relay })`, exported by `widget.js`, which
//! calls [`mount`] with the relay given.

use inbox_doctor_errors::{Label, Lang, TextBundle};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::get_json;
use crate::app::{Root, Settings};

/// The styles, shipped inside the wasm so the widget needs no second request.
pub const STYLE: &str = include_str!("../style.css");

fn browser_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|l| Lang::from_tag(&l))
        .unwrap_or_default()
}

/// The relay `host` names for itself when it may be mounted without the host page's word:
/// `data-relay` absent (the loader's origin) or on the loader's origin, as the browser's own
/// URL parser reads it (so `https://relay.example@evil.example` is evil.example's). `Err` with
/// what it named otherwise.
fn own_relay(host: &web_sys::HtmlElement, loader_origin: &str) -> Result<String, String> {
    let Some(named) = host.get_attribute("data-relay") else {
        return Ok(loader_origin.to_owned());
    };
    match web_sys::Url::new(&named) {
        Ok(url) if url.origin() == loader_origin => Ok(named.trim_end_matches('/').to_owned()),
        _ => Err(named),
    }
}

/// Says in the console why `host` got no app.
fn warn_foreign(named: &str, loader_origin: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!(
        "Inbox Doctor: not mounted: data-relay {named:?} is not on {loader_origin}, where the \
         widget was loaded from. A page that means another relay mounts the widget from its own \
         script: mount(element, {{ relay }}), exported by widget.js."
    )));
}

/// Mounts an app into every `[data-inbox-doctor]` element that has none yet and whose relay is
/// `loader_origin` (the origin `widget.js` came from); warns about the others.
#[wasm_bindgen(js_name = mountAll)]
pub fn mount_all(loader_origin: String) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(nodes) = document.query_selector_all("[data-inbox-doctor]:not([data-mounted])") else {
        return;
    };
    for i in 0..nodes.length() {
        let Some(el) = nodes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            continue;
        };
        match own_relay(&el, &loader_origin) {
            Ok(relay) => start(el, relay, None),
            Err(named) => warn_foreign(&named, &loader_origin),
        }
    }
}

/// Mounts the app into `host` on the host page's word: with `relay` when given (any origin:
/// the page's own script chose it), else as [`mount_all`] would. Exported for `widget.js`'s
/// `mount(element, { relay, lang })`.
#[wasm_bindgen(js_name = mountInboxDoctor)]
pub fn mount(
    host: web_sys::HtmlElement,
    loader_origin: String,
    relay: Option<String>,
    lang: Option<String>,
) {
    let relay = match relay.filter(|r| !r.is_empty()) {
        Some(relay) => relay.trim_end_matches('/').to_owned(),
        None => match own_relay(&host, &loader_origin) {
            Ok(relay) => relay,
            Err(named) => return warn_foreign(&named, &loader_origin),
        },
    };
    start(host, relay, lang);
}

/// Adds [`STYLE`] to a document's or a shadow root's adopted sheets (`current`, given back
/// through `set`). A constructed sheet is not inline markup, so neither the page's
/// Content-Security-Policy nor a host page's needs `'unsafe-inline'` for it.
fn adopt_styles(current: &js_sys::Array, set: impl FnOnce(&JsValue)) {
    let Ok(sheet) = web_sys::CssStyleSheet::new() else {
        return;
    };
    if sheet.replace_sync(STYLE).is_err() {
        return;
    }
    let sheets = current.slice(0, current.length());
    sheets.push(&sheet);
    set(&sheets);
}

#[wasm_bindgen]
extern "C" {
    /// An element, for [`HtmlTarget::try_assign_html`].
    type HtmlTarget;
    /// The probe's one assignment of HTML (an empty string, to a `<template>`), reporting a
    /// refusal instead of throwing through the wasm. The UI renders nothing this way; like
    /// Leptos's own template filling, its glue goes through the Trusted Types policy
    /// `inbox-doctor` where the browser has one (`scripts/trusted-types-glue`).
    #[wasm_bindgen(method, catch, setter = innerHTML)]
    fn try_assign_html(this: &HtmlTarget, html: &str) -> Result<(), JsValue>;
}

/// Whether the page lets the renderer assign HTML (Leptos fills `<template>` elements through
/// `innerHTML`): not when it enforces Trusted Types and does not allow the policy `inbox-doctor`.
fn html_allowed(document: &web_sys::Document) -> bool {
    document
        .create_element("template")
        .is_ok_and(|t| t.unchecked_ref::<HtmlTarget>().try_assign_html("").is_ok())
}

/// What `target` shows, and the console says, on a page whose Trusted Types refuse the renderer:
/// a clear reason instead of an empty box, in the reader's language once its words are in.
fn refuse_trusted_types(
    document: &web_sys::Document,
    target: &web_sys::HtmlElement,
    settings: Settings,
) {
    web_sys::console::error_1(&JsValue::from_str(
        "Inbox Doctor: not mounted: this page enforces Trusted Types (require-trusted-types-for \
         'script') and does not allow the policy the widget renders through. Add \
         `trusted-types inbox-doctor` to the page's Content-Security-Policy (README, \"Embed the \
         widget\").",
    ));
    let (Ok(wrap), Ok(p)) = (document.create_element("div"), document.create_element("p")) else {
        return;
    };
    // Inside `.idr`, where the widget's styles for an error card apply.
    let _ = wrap.set_attribute("class", "idr");
    let _ = wrap.set_attribute("lang", "en");
    let _ = p.set_attribute("class", "idr-card idr-error");
    let _ = p.set_attribute("role", "alert");
    let _ = p.set_attribute("id", "idr-trusted-types-refused");
    // English until the reader's words arrive (text, not markup: no HTML is assigned here).
    p.set_text_content(Some(
        "Inbox Doctor cannot start on this page: the page's security policy (Trusted Types) does \
         not allow it. The site's operator can allow the policy \"inbox-doctor\".",
    ));
    let _ = wrap.append_child(&p);
    let _ = target.append_child(&wrap);
    let url = format!("{}/api/texts/{}", settings.relay, settings.lang.code());
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(words) = get_json::<TextBundle>(&url).await {
            let _ = wrap.set_attribute("lang", settings.lang.code());
            p.set_text_content(Some(words.label(Label::TrustedTypesRefused)));
        }
    });
}

/// Starts an app for `relay` in `host`.
fn start(host: web_sys::HtmlElement, relay: String, lang: Option<String>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if host.has_attribute("data-mounted") {
        return;
    }
    let _ = host.set_attribute("data-mounted", "");
    let lang = lang
        .or_else(|| host.get_attribute("data-lang"))
        .and_then(|l| Lang::from_tag(&l))
        .unwrap_or_else(browser_lang);
    let page = host.has_attribute("data-page");
    let settings = Settings { relay, lang, page };
    let target: web_sys::HtmlElement = if page {
        adopt_styles(&document.adopted_style_sheets(), |sheets| {
            document.set_adopted_style_sheets(sheets)
        });
        host
    } else {
        let Ok(shadow) =
            host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        else {
            return;
        };
        adopt_styles(&shadow.adopted_style_sheets(), |sheets| {
            shadow.set_adopted_style_sheets(sheets)
        });
        let Some(root) = document
            .create_element("div")
            .ok()
            .and_then(|d| d.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let _ = root.set_attribute("class", "idr-root");
        let _ = shadow.append_child(&root);
        root
    };
    if !html_allowed(&document) {
        return refuse_trusted_types(&document, &target, settings);
    }
    leptos::mount::mount_to(target, move || view! { <Root settings /> }).forget();
}
