// node --test: loading.js before Python - where a framed page stops, what it disarms, and the
// browsers it turns away. The script runs in a fresh context with a small fake document.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const SOURCE = readFileSync(new URL("../../loading.js", import.meta.url), "utf8");
const SITE = "https://site.example";

class Element {
  constructor(tag, attributes = {}) {
    this.tagName = tag.toUpperCase();
    this.attributes = { ...attributes };
    this.children = [];
    this.parentNode = null;
    this.hidden = false;
    this.className = "";
    this.textContent = "";
  }
  getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  get type() { return this.getAttribute("type"); }
  set type(value) { this.setAttribute("type", value); }
  get firstChild() { return this.children[0] || null; }
  get lastChild() { return this.children[this.children.length - 1] || null; }
  appendChild(child) { child.parentNode = this; this.children.push(child); return child; }
  removeChild(child) { this.children = this.children.filter((c) => c !== child); return child; }
  querySelector() { return null; }
  get text() { return [this.textContent, ...this.children.map((c) => c.text)].join(" "); }
}

function pageIn({ top = "self", topOrigin = SITE, wasm = true, lang = "en", languages = [],
                  words = {} } = {}) {
  const body = new Element("body", { "data-state": "loading" });
  const form = body.appendChild(new Element("form", { id: "login-form" }));
  const button = form.appendChild(new Element("button", { "data-word": "login-button" }));
  button.textContent = "Log in with Speckle";
  const loading = body.appendChild(new Element("div", { id: "loading", ...words }));
  const script = body.appendChild(new Element("script", { type: "py" }));
  const widget = body.appendChild(new Element("py-script"));
  const errors = [];
  const document = {
    body, referrer: "https://framer.example/page.html", title: "",
    getElementById: (id) => ({ loading, "login-form": form })[id] || null,
    createElement: (tag) => new Element(tag),
    documentElement: { lang },
    querySelectorAll: (selector) => selector === "[data-word]" ? [button]
      : selector === "[data-word-label]" ? []
        : [script, widget].filter((el) => el.parentNode),
  };
  const console = { error: (line) => errors.push(line) };
  const window = { console };
  window.self = window;
  if (top === "self") window.top = window;
  else if (top === "same-origin") window.top = { location: { origin: topOrigin } };
  else window.top = { get location() { throw new Error("SecurityError: cross-origin"); } };
  const context = {
    window, document, console,
    location: { origin: SITE, href: `${SITE}/index.html` },
    addEventListener() {}, setTimeout: () => 1, clearTimeout() {},
    Number, String, navigator: { languages },
  };
  // A fresh context has its own WebAssembly global: hide it to play an old browser.
  if (!wasm) context.WebAssembly = undefined;
  document.createElement = (tag) => {
    const el = new Element(tag);
    if (tag === "script") el.noModule = false;
    return el;
  };
  vm.runInNewContext(SOURCE, context);
  return { body, form, button, loading, script, widget, errors };
}

test("framed by another site: Python is disarmed and the page says where it works", () => {
  const page = pageIn({ top: "cross-origin" });
  assert.equal(page.script.type, "text/plain");  // PyScript, which runs next, finds nothing
  assert.ok(!page.body.children.includes(page.widget));
  assert.equal(page.body.getAttribute("data-state"), "runtime-error");
  assert.match(page.loading.text, /Open this page in its own tab/);
  assert.doesNotMatch(page.loading.text, /framer\.example/);  // the console's detail only
  assert.equal(page.form.hidden, true);  // no sign-in form it cannot use here
  const link = page.loading.children.find((c) => c.tagName === "A");
  assert.equal(link.href, `${SITE}/index.html`);
  assert.equal(link.target, "_blank");
  assert.equal(link.rel, "noopener");
  assert.deepEqual(page.errors,
                   ["Not started: the page is framed by https://framer.example/page.html"]);
});

test("framed by a page of its own origin, or not framed, it starts as usual", () => {
  for (const top of ["same-origin", "self"]) {
    const page = pageIn({ top });
    assert.equal(page.script.type, "py", top);
    assert.ok(page.body.children.includes(page.widget), top);
    assert.equal(page.body.getAttribute("data-state"), "loading", top);
    assert.equal(page.form.hidden, false, top);
    assert.deepEqual(page.errors, [], top);
  }
});

test("a top window of another origin that can be read is still another site", () => {
  const page = pageIn({ top: "same-origin", topOrigin: "https://framer.example" });
  assert.equal(page.script.type, "text/plain");
});

test("a browser without WebAssembly is told so, not left waiting", () => {
  const page = pageIn({ wasm: false });
  assert.equal(page.body.getAttribute("data-state"), "runtime-error");
  assert.match(page.loading.text, /This browser can't run this page/);
});

test("a German page is worded in German before Python starts, and so are its failures", () => {
  const page = pageIn({ lang: "de-CH", top: "cross-origin" });
  assert.equal(page.button.textContent, "Mit Speckle anmelden");
  assert.match(page.loading.text, /Öffnen Sie diese Seite in einem eigenen Tab/);
  assert.match(page.loading.text, /In neuem Tab öffnen/);
  assert.doesNotMatch(page.loading.text, /Open/);
});

test("the page's lang wins over the browser's; a language not shipped falls through", () => {
  assert.equal(pageIn({ lang: "en", languages: ["de-DE"] }).button.textContent,
               "Log in with Speckle");
  assert.equal(pageIn({ lang: "fr", languages: ["fr-FR", "de"] }).button.textContent,
               "Mit Speckle anmelden");
  assert.equal(pageIn({ lang: "", languages: ["ja"] }).button.textContent,
               "Log in with Speckle");
});

test("a site's own words (data-word-<key>) replace the shipped ones", () => {
  const page = pageIn({ wasm: false, words: { "data-word-load-unsupported": "Too old." } });
  assert.match(page.loading.text, /Too old\./);
  assert.doesNotMatch(page.loading.text, /Try a current version/);
});
