/* Python only from the page as its site wrote it: code added to the page later is refused.
 *
 * PyScript runs every <script type="py"> and <py-script> element, including ones inserted
 * after the page started: it watches the document. Such an element is not JavaScript, so no
 * Content-Security-Policy governs it, and an HTML-injection bug anywhere on the site (text
 * from a server put into the page as markup) would become Python with the same access to
 * the visitor's session as the site's own code. PyScript has no setting against it, but its
 * plugin hooks run before any element's code: this guard remembers the Python elements the
 * page held when Python started and makes PyScript refuse every other one, with a console
 * error that names it.
 *
 * fast-start.mjs installs it on every page that uses it as PyScript's interpreter. A site
 * whose own JavaScript adds Python elements on purpose turns it off by name:
 * `interpreter = "./fast-start.mjs?added-python=allow"`.
 *
 * What it does not cover: a `py-*` event attribute (`py-click="name"`) on added markup can
 * still call a function the page's own Python defined at top level, with the event as its
 * only argument; and code in a Python worker, which cannot read Web Storage.
 */

export const PYTHON_ELEMENTS = 'script[type="py"], py-script, script[type="mpy"], mpy-script';

/** Refuse Python elements that `root` did not hold when this was called. Returns the set of
 * the page's own elements. `hooks` is PyScript's (`import { hooks } from ".../core.js"`). */
export function guardAddedPython(hooks, root, { report = console.error } = {}) {
  const own = new Set(root.querySelectorAll(PYTHON_ELEMENTS));
  hooks.main.onReady.add((_wrap, element) => {
    if (own.has(element)) return;
    const what = describe(element);
    report(`Speckle login: refused Python added to the page after it started (${what}). ` +
           "If the site adds Python elements on purpose, load fast-start.mjs?added-python=allow.");
    throw new Error("refused Python added after start: " + what);
  });
  return own;
}

function describe(element) {
  try {
    const html = element.cloneNode(false).outerHTML;
    return html.length > 120 ? html.slice(0, 117) + "..." : html;
  } catch (e) {
    return String(element && element.tagName);
  }
}
