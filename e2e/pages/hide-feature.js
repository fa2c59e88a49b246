// Makes this browser look like an older one for the page it is on: the feature named by ?hide=
// is gone. Every error and unhandled rejection the page sees is kept in window.keptErrors.
window.keptErrors = [];
addEventListener('error', (e) => window.keptErrors.push(String(e.message)));
addEventListener('unhandledrejection', (e) => window.keptErrors.push(String(e.reason)));
const hide = new URLSearchParams(location.search).get('hide');
if (hide === 'stylesheets') {
  // As Safari before 16.4: no constructable stylesheets.
  delete Document.prototype.adoptedStyleSheets;
  delete ShadowRoot.prototype.adoptedStyleSheets;
  delete CSSStyleSheet.prototype.replaceSync;
}
if (hide === 'container') {
  // As Firefox before 110: no container queries.
  const supports = CSS.supports.bind(CSS);
  CSS.supports = (...args) => !args.join(':').includes('container') && supports(...args);
}
if (hide === 'intl') {
  // As browsers before 2020: no relative time formatting.
  delete Intl.RelativeTimeFormat;
}
if (hide === 'wasm') {
  // As an engine without wasm reference types and bulk memory: such a module does not compile.
  const refuse = () => Promise.reject(new WebAssembly.CompileError('reference types are not supported'));
  WebAssembly.validate = () => false;
  WebAssembly.instantiate = refuse;
  WebAssembly.instantiateStreaming = refuse;
  WebAssembly.compile = refuse;
  WebAssembly.compileStreaming = refuse;
}
