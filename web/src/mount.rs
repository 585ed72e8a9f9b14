//! Starting the UI. The page (`index.html`) and the widget both put an element with
//! `data-inbox-doctor` into the document; every such element gets an app. The widget mounts into
//! a shadow root with its own styles, so it neither breaks nor inherits the host page.
//!
//! Attributes: `data-relay` (the relay's URL; default: this page's origin), `data-lang`
//! (`en`, `de`, `nb`, `pl`; default: the browser's), `data-page` (a full page: no shadow root).

use inbox_doctor_errors::Lang;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::{App, Settings};

/// The styles, shipped inside the wasm so the widget needs no second request.
pub const STYLE: &str = include_str!("../style.css");

fn browser_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|l| Lang::from_tag(&l))
        .unwrap_or_default()
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Mounts an app into every `[data-inbox-doctor]` element that has none yet.
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(nodes) = document.query_selector_all("[data-inbox-doctor]:not([data-mounted])") else {
        return;
    };
    for i in 0..nodes.length() {
        if let Some(el) = nodes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        {
            mount(el, None, None);
        }
    }
}

/// Mounts the app into `host`. Exported for hosts that create the element themselves.
#[wasm_bindgen(js_name = mountInboxDoctor)]
pub fn mount(host: web_sys::HtmlElement, relay: Option<String>, lang: Option<String>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let _ = host.set_attribute("data-mounted", "");
    let relay = relay
        .or_else(|| host.get_attribute("data-relay"))
        .map(|r| r.trim_end_matches('/').to_owned())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(origin);
    let lang = lang
        .or_else(|| host.get_attribute("data-lang"))
        .and_then(|l| Lang::from_tag(&l))
        .unwrap_or_else(browser_lang);
    let settings = Settings { relay, lang };
    let style = document.create_element("style").ok();
    if let Some(s) = &style {
        s.set_text_content(Some(STYLE));
    }
    let target: web_sys::HtmlElement = if host.has_attribute("data-page") {
        if let (Some(s), Some(head)) = (style, document.head()) {
            let _ = head.append_child(&s);
        }
        host
    } else {
        let Ok(shadow) =
            host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        else {
            return;
        };
        if let Some(s) = style {
            let _ = shadow.append_child(&s);
        }
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
    leptos::mount::mount_to(target, move || view! { <App settings=settings.clone() /> }).forget();
    // For the speed measurement: the form is on screen and handlers are attached.
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("inbox-doctor-interactive");
    }
}
