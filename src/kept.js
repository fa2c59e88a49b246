// Kept loader. One script tag mounts the widget right after it:
//   <script type="module" src=".../kept.js" data-endpoint=... data-order=... data-token=...></script>
// or into every <kept-checkout endpoint=... order=... token=...> element on the page.
// It adds one global, `Kept`: Kept.mount(element, config) and Kept.submit(host?).
// The build gives the files it loads content-hashed names (cached for good) and writes them in
// here; this file keeps its name and a short cache.
const here = import.meta.url;
// Both downloads start at once, the wasm beside the glue code that instantiates it.
const wasm = fetch(new URL('kept-widget_bg.wasm', here));
wasm.catch(() => {});
// A browser without what the widget needs (README, "Browsers") gets a notice with the shop's
// contact links in its place, from a module fetched only then; it speaks the glue's interface.
// (Wasm without reference types or bulk memory fails to start, which ends in the same notice.)
const old = !(document.adoptedStyleSheets && CSS.supports('container-type:inline-size') && Intl.RelativeTimeFormat);
const glue = import(old ? './kept-notice.js' : './kept-widget.js');
// The glue imports the module that links the wasm chunks: fetched now beside it, not after it.
const link = document.createElement('link');
link.rel = 'modulepreload';
link.href = new URL('./kept-chunks.js', here);
document.head.append(link);
// On an order-status page the chat is the first screen, so its code is fetched now too (the
// chunk loader then takes it from the HTTP cache); on a checkout it comes after the step.
if (document.querySelector('[data-mode="status"], kept-checkout[mode="status"]')) {
  fetch(new URL('kept-chat.wasm', here)).catch(() => {});
}
// The customer's texts: a catalog per locale, and the chat's part of it (`chat-<tag>`). The build
// writes their content-hashed names here; only the customer's locale is ever fetched.
const catalogs = /*catalogs*/{};
const asked = new Map();
function words(name) {
  if (!asked.has(name)) {
    const file = catalogs[name];
    const answer = file
      ? fetch(new URL(file, here)).then((r) => {
        if (!r.ok) throw new Error(`${file}: HTTP ${r.status}`);
        return r.json();
      })
      : Promise.reject(new Error(`Kept has no texts named ${name}`));
    // A failed fetch is forgotten, so that "try again" fetches again.
    answer.catch(() => asked.delete(name));
    asked.set(name, answer);
  }
  return asked.get(name);
}

// The widget's own choice, made early: the element's locale, else the browser's first language
// Kept speaks, else English (the widget decides the same way; if they ever differ, it asks for
// its own catalog and nothing is lost but this head start).
function localeOf(tag) {
  const tags = tag ? [tag] : (navigator.languages ?? []);
  for (const t of tags) {
    const primary = t.trim().split(/[-_]/)[0].toLowerCase();
    if (Object.hasOwn(catalogs, primary)) return primary;
  }
  return tag ? null : 'en';
}

function askWords(get) {
  const locale = localeOf(get('locale'));
  if (!locale) return;
  words(locale).catch(() => {});
  // The browser loads a locale's number data the first time a formatter asks for it (12-16 ms,
  // 50-80 ms at 4x CPU throttling): done now, in a task of its own while the files travel, it is
  // no longer part of the step's first build, the boot's longest task.
  setTimeout(() => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(1));
  if (get('mode') === 'status') words(`chat-${locale}`).catch(() => {});
}

let api;
let started;
const ready = new Promise((resolve) => { started = resolve; });
const hosts = [];

// A widget's settings by name: an element's `data-<name>` or `<name>` attribute, or a key of the
// object given to Kept.mount ('' when absent; something other than text is only "set").
const attrOf = (el) => (n) => (el.getAttribute(`data-${n}`) ?? el.getAttribute(n) ?? '').trim();
const keyOf = (config) => (n) => {
  const v = config?.[n];
  return typeof v === 'string' ? v.trim() : v == null ? '' : 'set';
};

// The shop and the order are asked for now, while the wasm downloads, however the widget is
// embedded; the widget takes these answers (same URL, same token) instead of asking again.
function prefetch(attr) {
  // Checked as written (`/`, the page's own origin, is an endpoint), then without the trailing
  // slash, as the widget joins paths to it.
  const written = attr('endpoint');
  const endpoint = written.replace(/\/+$/, '');
  const order = attr('order');
  const token = attr('token');
  const early = [];
  askWords(attr);
  if (!/^(https?:\/\/|\/)/.test(written) || !order || !token) return early;
  const get = (path, headers) => {
    const answer = fetch(endpoint + path, { headers });
    answer.catch(() => {});
    early.push(`${token} ${endpoint}${path}`, answer);
  };
  if (!attr('shop')) get('/v1/shop', {});
  if (!attr('items')) get(`/v1/orders/${encodeURIComponent(order)}`, { Authorization: `Bearer ${token}` });
  return early;
}

// The widget's box is reserved before the wasm arrives, so the page does not jump.
// (CSSOM, not a style attribute: it works under a strict style-src.)
function reserve(host) {
  host.classList.add('kept-host');
  // The widget wears the page's colours: the colour scheme the page declares where it sits (the
  // CSS color-scheme, else the meta tag). Light when it declares none, even on a dark OS; the
  // OS's when it allows both (data-theme, read by the widget, still wins).
  const css = getComputedStyle(host).colorScheme;
  const declared = css && css !== 'normal' ? css : (document.querySelector('meta[name="color-scheme"]')?.content ?? '');
  const dark = declared.includes('dark');
  host.setAttribute('data-kept-theme', dark && declared.includes('light') ? 'auto' : dark ? 'dark' : 'light');
  if (getComputedStyle(host).display === 'inline') host.style.display = 'block';
  if (!host.style.minHeight) host.style.minHeight = '480px';
  hosts.push(host);
  return host;
}

function handle(host) {
  return Object.freeze({
    element: host,
    submit: () => ready.then(() => api.submit(host)),
    destroy: () => ready.then(() => api.destroy(host)),
    /** Subscribes to 'change' or 'submitted'; returns the unsubscribe function. */
    on(name, listener) {
      const l = (e) => listener(e.detail);
      host.addEventListener(`kept:${name}`, l);
      return () => host.removeEventListener(`kept:${name}`, l);
    },
  });
}

for (const tag of document.querySelectorAll('script[type="module"][src]')) {
  if (new URL(tag.getAttribute('src'), document.baseURI).href !== here) continue;
  // In the page first: the page's colour scheme is read where the widget sits.
  const host = document.createElement('div');
  tag.after(host);
  reserve(host);
  const early = prefetch(attrOf(tag));
  ready.then(() => api.boot(host, tag, early));
}

if (!customElements.get('kept-checkout')) {
  customElements.define('kept-checkout', class extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      reserve(this);
      const early = prefetch(attrOf(this));
      ready.then(() => api.boot(this, this, early));
    }
  });
}

globalThis.Kept = Object.freeze({
  /** Mounts a widget into `element` with `{ endpoint, order, token, locale, mode, theme, strings, shop, items }`. */
  mount(element, config) {
    reserve(element);
    const early = prefetch(keyOf(config));
    ready.then(() => api.mount_with(element, config, early));
    return handle(element);
  },
  /** A promise of the receipt, or a rejection with { problems } or { error }. */
  submit: (host) => ready.then(() => api.submit(host ?? hosts[0])),
});

// Started without a top-level await: a page module that imports this file runs on at once (and
// its Kept.mount gets the head start above) instead of waiting for the wasm.
(async () => {
  api = await glue;
  await api.default({ module_or_path: wasm });
  api.catalogs(words);
  started();
})().catch(async (err) => {
  console.error('Kept: the widget could not start', err);
  api = await import('./kept-notice.js');
  started();
});
