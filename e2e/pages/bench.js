// Benchmark instrumentation (bench pages only): the script-start mark, long tasks during boot,
// "interactive" when the widget says it is ready, the chat usable, the moment its message list is filled, and
// for each new message the time from its arrival to the next paint.
performance.mark('kept:script-start');
window.__bench = { longtasks: [], arrived: {}, painted: [], inserted: [] };
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch (e) { /* no long task timing here */ }
// The widget's own stream: this listener is added first, so it sees each message arrive.
const NativeEventSource = window.EventSource;
window.EventSource = class extends NativeEventSource {
  constructor(url, init) {
    super(url, init);
    this.addEventListener('message', (e) => {
      try { window.__bench.arrived[JSON.parse(e.data).message.id] = performance.now(); } catch (err) { /* not ours */ }
    });
  }
};
document.addEventListener('kept:ready', (ev) => {
  performance.mark('kept:interactive');
  const root = ev.target.shadowRoot || document.querySelector('.kept-host')?.shadowRoot;
  if (!root) return;
  // The chat can be used once its composer is there (its code arrives after the step is ready).
  const chatReady = () => {
    if (root.querySelector('[data-testid="composer"]') && !performance.getEntriesByName('kept:chat').length) {
      performance.mark('kept:chat');
    }
  };
  chatReady();
  new MutationObserver((records) => {
    chatReady();
    if (root.querySelector('[data-testid="messages"] li') && !performance.getEntriesByName('kept:messages').length) {
      performance.mark('kept:messages');
    }
    for (const r of records) {
      for (const n of r.addedNodes) {
        const at = n.dataset && window.__bench.arrived[n.dataset.id];
        if (at !== undefined) {
          delete window.__bench.arrived[n.dataset.id];
          window.__bench.inserted.push(performance.now() - at);
          requestAnimationFrame(() => setTimeout(() => window.__bench.painted.push(performance.now() - at), 0));
        }
      }
    }
  }).observe(root, { childList: true, subtree: true });
}, { once: true });
// For the peers' pages: "interactive" once an element matching `selector` is in the page.
window.markInteractiveWhen = (selector) => {
  new MutationObserver((_, obs) => {
    if (document.querySelector(selector)) {
      performance.mark('kept:interactive');
      obs.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true });
};
