// node --test: the guard lets the page's own Python run and refuses Python added later.
import { test } from "node:test";
import assert from "node:assert/strict";
import { guardAddedPython, PYTHON_ELEMENTS } from "../../added-python-guard.mjs";

function element(html) {
  return { cloneNode: () => ({ outerHTML: html }), tagName: "SCRIPT" };
}

function page(...elements) {
  const callbacks = [];
  const hooks = { main: { onReady: { add: (callback) => callbacks.push(callback) } } };
  const root = {
    selectors: [],
    querySelectorAll(selector) { this.selectors.push(selector); return elements; },
  };
  const ready = (el) => callbacks.forEach((callback) => callback({}, el));
  return { hooks, root, ready };
}

test("the page's own Python elements run", () => {
  const own = element('<script type="py">');
  const { hooks, root, ready } = page(own);
  const reports = [];
  guardAddedPython(hooks, root, { report: (line) => reports.push(line) });
  assert.deepEqual(root.selectors, [PYTHON_ELEMENTS]);
  ready(own);  // no throw
  assert.deepEqual(reports, []);
});

test("a Python element added after start is refused, and the console names it", () => {
  const { hooks, root, ready } = page(element('<script type="py">'));
  const reports = [];
  guardAddedPython(hooks, root, { report: (line) => reports.push(line) });
  const added = element('<script type="py" src="https://evil.example/steal.py">');
  assert.throws(() => ready(added), /refused Python added after start/);
  assert.equal(reports.length, 1);
  assert.match(reports[0], /evil\.example\/steal\.py/);
  assert.match(reports[0], /added-python=allow/);
});

test("every kind of Python element PyScript runs is looked for", () => {
  for (const kind of ['script[type="py"]', "py-script", 'script[type="mpy"]', "mpy-script"]) {
    assert.ok(PYTHON_ELEMENTS.split(", ").includes(kind), kind);
  }
});

test("a long element is cut short in the console line", () => {
  const { hooks, root, ready } = page();
  const reports = [];
  guardAddedPython(hooks, root, { report: (line) => reports.push(line) });
  assert.throws(() => ready(element(`<py-script data-x="${"x".repeat(500)}">`)));
  assert.ok(reports[0].length < 400);
});
