// Kept loader: <script type="module" src=".../kept.js" data-endpoint=... data-order=... data-token=...>
// Instantiates the widget once and mounts one instance after each script tag that loaded this file.
import init, { boot } from './kept-widget.js';

const here = import.meta.url;
const tags = Array.from(document.querySelectorAll('script[type="module"][src]'))
  .filter((s) => new URL(s.getAttribute('src'), document.baseURI).href === here);

try {
  await init({ module_or_path: new URL('kept-widget_bg.wasm', here) });
  for (const tag of tags) boot(tag);
} catch (err) {
  console.error('Kept: the widget could not start', err);
}
