// Loads the UI (the widget's, and the relay's own page's) from next to this file. Automatic
// mounting only where the relay is this file's origin (data-relay absent or on it): a data-*
// attribute alone must not put our password form in front of another relay (README, "Embed").
// A page that means another relay calls mount(element, { relay }) from its own script.
const base = new URL('.', import.meta.url);
const ui = await import(new URL('inbox-doctor-web.js', base).href);
await ui.default({ module_or_path: new URL('inbox-doctor-web_bg.wasm', base) });
ui.mountAll(base.origin);

// options: relay (any origin; default: as the automatic mounting), lang (default: data-lang).
export function mount(element, { relay, lang } = {}) {
  ui.mountInboxDoctor(element, base.origin, relay ?? undefined, lang ?? undefined);
}
