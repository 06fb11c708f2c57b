// node --test: what popup-callback.js does in a login popup, and what it leaves alone.
// The script runs in a fresh context whose window, storage, history and channels are
// recorded, so each test reads what the page would have sent and to whom.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import vm from "node:vm";

const SOURCE = readFileSync(new URL("../../popup-callback.js", import.meta.url), "utf8");
const ORIGIN = "https://site.example";
const LOGIN = "0123456789abcdef".repeat(2);
const MARKER = "speckle-login:popup";

function runIn({ url, marker = { login: LOGIN }, raw, opener = null, channels = true }) {
  const sent = [];
  const storage = new Map();
  if (raw !== undefined) storage.set(MARKER, raw);
  else if (marker !== false) storage.set(MARKER, JSON.stringify(marker));
  const here = new URL(url);
  const page = {
    sent, storage, replaced: [], stopped: false, closed: false,
    address: () => here.pathname + here.search + here.hash,
  };
  const window = {
    opener,
    stop() { page.stopped = true; },
    close() { page.closed = true; },
  };
  const context = {
    window,
    URLSearchParams,
    JSON,
    sessionStorage: {
      getItem: (key) => (storage.has(key) ? storage.get(key) : null),
      removeItem: (key) => storage.delete(key),
    },
    location: {
      get href() { return here.href; },
      get search() { return here.search; },
      get pathname() { return here.pathname; },
      get hash() { return here.hash; },
      origin: here.origin,
    },
    history: {
      replaceState(_state, _title, address) {
        page.replaced.push(address);
        const next = new URL(address, here);
        here.search = next.search;
        here.hash = next.hash;
      },
    },
    setTimeout: () => 0,
    document: {},
  };
  if (channels) {
    context.BroadcastChannel = class {
      constructor(name) { this.name = name; }
      postMessage(message) { sent.push({ via: "channel", to: this.name, message }); }
      close() {}
    };
  }
  window.window = window;
  vm.runInNewContext(SOURCE, context);
  return page;
}

function openerRecording(sent) {
  return { postMessage(message, target) { sent.push({ via: "opener", to: target, message }); } };
}

test("the answer goes only on the login's own channel, never the shared one", () => {
  const page = runIn({ url: `${ORIGIN}/app/callback.html?access_code=${"a".repeat(42)}` });
  assert.equal(page.sent.length, 1);
  const [{ via, to, message }] = page.sent;
  assert.equal(via, "channel");
  assert.equal(to, `speckle-login:${LOGIN}`);
  assert.notEqual(to, "speckle-login");
  assert.deepEqual({ ...message }, {
    type: "speckle-login:callback", login: LOGIN,
    url: `${ORIGIN}/app/callback.html?access_code=${"a".repeat(42)}`,
  });
  assert.ok(page.stopped && page.closed);
});

test("an opener still linked hears it with postMessage to this origin only", () => {
  const sent = [];
  const page = runIn({
    url: `${ORIGIN}/callback.html?denied=true`, opener: openerRecording(sent),
  });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].to, ORIGIN);  // never "*"
  assert.equal(sent[0].message.login, LOGIN);
  assert.equal(page.sent.length, 1);  // and on the channel
});

test("the code leaves the address and the history entry, the marker is spent", () => {
  const page = runIn({
    url: `${ORIGIN}/callback.html?keep=1&access_code=${"b".repeat(42)}#top`,
  });
  assert.deepEqual(page.replaced, ["/callback.html?keep=1#top"]);
  assert.equal(page.address(), "/callback.html?keep=1#top");
  assert.equal(page.storage.has(MARKER), false);
});

test("without BroadcastChannel the opener alone carries the answer", () => {
  const sent = [];
  runIn({
    url: `${ORIGIN}/callback.html?access_code=${"c".repeat(42)}`,
    opener: openerRecording(sent), channels: false,
  });
  assert.equal(sent.length, 1);
});

for (const [name, options] of [
  ["no marker: an ordinary callback page", { marker: false }],
  ["a marker without a login", { marker: { other: 1 } }],
  ["a login that is not 128 bits of hex", { marker: { login: "speckle-login" } }],
  ["a marker that is not JSON", { raw: "{" }],
]) {
  test(`left alone, for Python to finish: ${name}`, () => {
    const page = runIn({ url: `${ORIGIN}/callback.html?access_code=${"d".repeat(42)}`, ...options });
    assert.deepEqual(page.sent, []);
    assert.deepEqual(page.replaced, []);
    assert.ok(!page.stopped && !page.closed);
  });
}

test("a popup page with no answer in its address is left alone, marker kept", () => {
  const page = runIn({ url: `${ORIGIN}/callback.html?other=1` });
  assert.deepEqual(page.sent, []);
  assert.ok(page.storage.has(MARKER) && !page.stopped);
});
