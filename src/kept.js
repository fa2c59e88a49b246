// Kept loader: <script type="module" src=".../kept.js" data-endpoint=... data-order=... data-token=...>
// Instantiates the widget once and mounts one instance after each script tag that loaded this file.
// The page gets one global, `Kept`; `Kept.submit(host?)` submits like the widget's own button.
import init, { boot, submit } from './kept-widget.js';

const here = import.meta.url;
const tags = Array.from(document.querySelectorAll('script[type="module"][src]'))
  .filter((s) => new URL(s.getAttribute('src'), document.baseURI).href === here);
const hosts = [];
let started;
const ready = new Promise((resolve) => { started = resolve; });

globalThis.Kept = Object.freeze({
  /** A promise of the receipt, or a rejection with { problems } or { error }. */
  submit: async (host) => {
    await ready;
    return submit(host ?? hosts[0]);
  },
});

try {
  await init({ module_or_path: new URL('kept-widget_bg.wasm', here) });
  for (const tag of tags) {
    const host = boot(tag);
    if (host) hosts.push(host);
  }
} catch (err) {
  console.error('Kept: the widget could not start', err);
} finally {
  started();
}
