// Kept's notice for a browser the widget cannot run in, loaded by kept.js only then (never
// part of what a supported browser fetches). It takes the widget's place in every host with a
// sentence in the customer's language and the shop's contact links, so an old browser never
// gets a blank box or an exception in the page. It speaks the widget's interface (boot,
// mount_with, submit, destroy, catalogs), so the loader hands it the hosts as it would the wasm.
const TEXTS = {
  en: {
    old: 'Your browser is too old to show the checkout options here. Please update it, or contact the shop:',
    failed: 'The checkout options could not be loaded. Please reload the page, or contact the shop:',
    phone: 'Call', email: 'Email', site: 'Contact page',
  },
  ru: {
    old: 'Ваш браузер слишком старый, чтобы показать здесь настройки заказа. Обновите его или свяжитесь с магазином:',
    failed: 'Не удалось загрузить настройки заказа. Обновите страницу или свяжитесь с магазином:',
    phone: 'Позвонить', email: 'Написать', site: 'Страница контактов',
  },
  pl: {
    old: 'Twoja przeglądarka jest zbyt stara, by pokazać tu opcje zamówienia. Zaktualizuj ją lub skontaktuj się ze sklepem:',
    failed: 'Nie udało się wczytać opcji zamówienia. Odśwież stronę lub skontaktuj się ze sklepem:',
    phone: 'Zadzwoń', email: 'Napisz', site: 'Strona kontaktowa',
  },
  uk: {
    old: 'Ваш браузер застарий, щоб показати тут налаштування замовлення. Оновіть його або зверніться до магазину:',
    failed: 'Не вдалося завантажити налаштування замовлення. Оновіть сторінку або зверніться до магазину:',
    phone: 'Зателефонувати', email: 'Написати', site: 'Сторінка контактів',
  },
  de: {
    old: 'Ihr Browser ist zu alt, um die Bestelloptionen hier zu zeigen. Bitte aktualisieren Sie ihn oder kontaktieren Sie den Shop:',
    failed: 'Die Bestelloptionen konnten nicht geladen werden. Bitte laden Sie die Seite neu oder kontaktieren Sie den Shop:',
    phone: 'Anrufen', email: 'E-Mail', site: 'Kontaktseite',
  },
};

// What the widget needs of the browser (README, "Browsers"): constructable stylesheets,
// container queries, wasm with reference types and bulk memory, Intl's plural rules and
// relative time. A module using memory.copy and ref.null, the two proposals' instructions.
const WASM_FEATURES = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1,
  10, 17, 1, 15, 0, 65, 0, 65, 0, 65, 0, 252, 10, 0, 0, 208, 112, 26, 11,
]);

/** Whether this browser has everything the widget uses. */
export function supported() {
  try {
    return Boolean(
      'adoptedStyleSheets' in Document.prototype
        && typeof CSSStyleSheet.prototype.replaceSync === 'function'
        && globalThis.CSS?.supports?.('container-type: inline-size')
        && typeof Intl.PluralRules === 'function'
        && typeof Intl.RelativeTimeFormat === 'function'
        && WebAssembly.validate(WASM_FEATURES),
    );
  } catch {
    return false;
  }
}

function localeOf(tag) {
  for (const t of tag ? [tag] : (navigator.languages ?? [])) {
    const primary = String(t).trim().split(/[-_]/)[0].toLowerCase();
    if (Object.hasOwn(TEXTS, primary)) return primary;
  }
  return 'en';
}

// A link of the shop's, when its address is one a link can carry (never script: URLs).
function link(doc, kind, value, words) {
  const v = String(value ?? '').trim();
  let href = '';
  if (kind === 'phone' && /^\+?[0-9 ()-]{5,20}$/.test(v)) href = `tel:${v.replace(/[^+0-9]/g, '')}`;
  if (kind === 'email' && /^[^\s@<>]+@[^\s@<>]+$/.test(v)) href = `mailto:${v}`;
  if (kind === 'site' && /^https:\/\//i.test(v)) href = v;
  if (!href) return null;
  const a = doc.createElement('a');
  a.href = href;
  a.textContent = kind === 'site' ? words.site : `${words[kind]}: ${v}`;
  a.style.cssText = 'display:inline-flex;align-items:center;min-height:44px;margin-inline-end:16px';
  return a;
}

function show(host, get) {
  const words = TEXTS[localeOf(get('locale'))];
  const doc = host.ownerDocument;
  const box = doc.createElement('div');
  box.setAttribute('role', 'status');
  box.setAttribute('data-testid', 'kept-unsupported');
  box.setAttribute('lang', localeOf(get('locale')));
  box.style.cssText = 'font:16px/1.5 system-ui,sans-serif;padding:16px;border:1px solid currentColor;border-radius:8px';
  const p = doc.createElement('p');
  p.textContent = supported() ? words.failed : words.old;
  p.style.margin = '0 0 8px';
  box.append(p);
  for (const kind of ['phone', 'email', 'site']) {
    const a = link(doc, kind, get(`contact-${kind}`), words);
    if (a) box.append(a);
  }
  host.style.minHeight = '';
  host.replaceChildren(box);
}

const attrOf = (el) => (n) => (el.getAttribute(`data-${n}`) ?? el.getAttribute(n) ?? '').trim();

export default async function start() {}
export function catalogs() {}
export function boot(host, source) {
  show(host, attrOf(source));
}
export function mount_with(host, config) {
  show(host, (n) => String(config?.[n] ?? '').trim());
}
export function submit() {
  return Promise.reject({ error: 'unsupported' });
}
export function destroy(host) {
  host.replaceChildren();
}
