// The embeddable widget's loader. A help center adds:
//   <div data-inbox-doctor data-relay="https://relay.example.com" data-lang="de"></div>
//   <script type="module" src="https://relay.example.com/widget.js"></script>
// It loads the UI from the relay (next to this file) and mounts it into every such element.
const base = new URL('.', import.meta.url);
const ui = await import(new URL('inbox-doctor-web.js', base).href);
await ui.default({ module_or_path: new URL('inbox-doctor-web_bg.wasm', base) });
