/* Pyodide for PyScript, downloaded compressed and restored from a snapshot when it can be.
 *
 * A page's PyScript config names this module as its `interpreter` instead of
 * runtime/pyodide/pyodide.mjs. PyScript imports it, reads `version` and calls
 * `loadPyodide(options)`; this module changes how that call gets its files:
 *
 * - Compressed runtime. Pyodide's WebAssembly, its JavaScript half and the standard library
 *   are downloaded as .xz files (3.5 MB instead of 13.4 MB, whatever the host compresses)
 *   and decompressed while they arrive (xz-stream.mjs). The standard library is trimmed to
 *   what the pages import (python_stdlib.core.zip, built by `./dev setup`); a page whose own
 *   Python needs more loads this module as `fast-start.mjs?stdlib=full`, which downloads
 *   the whole library (python_stdlib.full.zip) instead. Each download reports its bytes as a `speckle:download`
 *   event ({loaded, total} in bytes) for the loading screen.
 * - Fast start on later visits. fast-start.snapshot.gz is a memory snapshot of the
 *   interpreter after start-up with the modules the pages need already imported (built by
 *   `./dev setup`). It is not needed to log in, so a first visit never waits for it: Python
 *   starts the normal way, and the snapshot is downloaded once the runtime's files have
 *   arrived, into the browser's cache. A later visit restores it from that cache instead of
 *   booting, if it was built with the pyapp.zip the page loads (a digest of it is in the
 *   snapshot's gzip header): a snapshot of another release never runs.
 *
 * It also installs added-python-guard.mjs: Python elements added to the page after it
 * started are refused (`?added-python=allow` turns that off).
 *
 * Turned off with `"fastStart": false` in config.json next to this file. Whenever the snapshot
 * is turned off, not cached yet, from another release, corrupt, or the browser cannot
 * decompress it, Python starts the normal way: the page works the same, only slower. What
 * happened is left as a performance mark: `fast-start:restored`, `fast-start:off`,
 * `fast-start:deferred` (not cached yet: fetched for the next visit) or `fast-start:fallback`
 * (its detail says why).
 *
 * After a restore, what must differ per visit is re-seeded: `random` from the browser's
 * entropy. Pyodide's snapshot options are private (`@private` in pyodide.d.ts) and tied to
 * the exact build: rebuild the snapshot with the runtime (`./dev setup` does).
 */
import { loadXz } from "./xz-stream.mjs";
import { guardAddedPython } from "./added-python-guard.mjs";
import { pyodideSnapshot, refusal } from "./snapshot-check.mjs";

const INDEX_URL = new URL("./runtime/pyodide/", import.meta.url).href;
const XZ_WASM_URL = new URL("./runtime/xz/xz-decompress.wasm", import.meta.url).href;
const SNAPSHOT_URL = new URL("./fast-start.snapshot.gz", import.meta.url).href;
const CONFIG_URL = new URL("./config.json", import.meta.url).href;
const PYAPP_URL = new URL("./pyapp.zip", import.meta.url).href;
const WASM_URL = INDEX_URL + "pyodide.asm.wasm";
const FULL_STDLIB = new URL(import.meta.url).searchParams.get("stdlib") === "full";
const STDLIB_NAME = FULL_STDLIB ? "python_stdlib.full.zip" : "python_stdlib.core.zip";
const STDLIB_URL = INDEX_URL + STDLIB_NAME;
const LOCK_URL = INDEX_URL + "pyodide-lock.min.json";
const SAME_ORIGIN = { credentials: "same-origin" };
// The Cache Storage cache that keeps the snapshot between visits.
const CACHE_NAME = "speckle-fast-start";

function mark(name, detail) {
  try {
    performance.mark("fast-start:" + name, { detail: detail === undefined ? null : detail });
  } catch (e) { /* marks are for measuring only */ }
}

// -- downloads, counted for the loading screen ------------------------------------------

const bytes = { loaded: 0, total: 0 };

function report() {
  try {
    dispatchEvent(new CustomEvent("speckle:download", { detail: { ...bytes } }));
  } catch (e) { /* no window (tests in Node) */ }
}

/* The response's body, counting every chunk as it arrives; `arrived` settles once its last
 * byte has. */
function counted(response) {
  bytes.total += Number(response.headers.get("Content-Length")) || 0;
  report();
  let whole;
  const arrived = new Promise((resolve) => { whole = resolve; });
  const body = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      bytes.loaded += chunk.length;
      report();
      controller.enqueue(chunk);
    },
    flush() {
      whole();
    },
  }));
  return { body, arrived };
}

async function fetchOk(url) {
  const response = await fetch(url, SAME_ORIGIN);
  if (!response.ok || !response.body) {
    throw new Error(url.slice(url.lastIndexOf("/") + 1) + " answered " + response.status);
  }
  return response;
}

// The decoder, compiled once for all downloads. Whatever runs Pyodide runs it too (both are
// WebAssembly, allowed by the same 'wasm-unsafe-eval'); its failure is the runtime's failure.
let decoder = null;

/* The file `name` of the runtime folder, downloaded compressed: {stream} of its bytes, and
 * {arrived}, which settles once the download is complete. */
async function download(name) {
  decoder ??= fetchOk(XZ_WASM_URL).then((response) => response.arrayBuffer()).then(loadXz);
  const [xz, response] = await Promise.all([decoder, fetchOk(INDEX_URL + name + ".xz")]);
  const { body, arrived } = counted(response);
  return { stream: body.pipeThrough(xz.stream()), arrived };
}

/* Pyodide fetches its WebAssembly and its standard library itself, with the page's `fetch`
 * and fixed URLs (pyodide.mjs: browser_getBinaryResponse); no option hands it the bytes.
 * While it starts, those two URLs are answered from the decompressed downloads; every other
 * request goes through untouched. */
function answering(answers, start) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    const answer = answers.get(url);
    if (!answer) return realFetch.call(this, input, init);
    answers.delete(url);  // once: a second request would be a new one
    return answer();
  };
  return start().finally(() => {
    globalThis.fetch = realFetch;
  });
}

/* Pyodide's JavaScript half from its decompressed text: imported from a blob: URL (the page's
 * Content-Security-Policy must allow `script-src blob:`). */
async function importAsmModule() {
  const text = await new Response((await download("pyodide.asm.mjs")).stream).text();
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  try {
    return (await import(url)).default;
  } finally {
    URL.revokeObjectURL(url);
  }
}

// -- the snapshot ------------------------------------------------------------------------

async function wanted() {
  try {
    const response = await fetch(CONFIG_URL, SAME_ORIGIN);
    if (!response.ok) return true;
    const config = await response.json();
    return !(config && config.fastStart === false);
  } catch (e) {
    return true;  // the page reports a broken config itself; the default is on
  }
}

/* The body as a stream whose first chunk is already read (to look at the header). */
async function peek(body) {
  const reader = body.getReader();
  const first = await reader.read();
  const head = first.done ? new Uint8Array(0) : first.value;
  const stream = new ReadableStream({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(head);
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, stream };
}

/* The Cache Storage cache `name`, or null where there is none (a page that is not a secure
 * context has no Cache Storage, and so no fast start; some private modes block it). */
async function openCache(name) {
  try {
    return typeof caches === "object" && caches ? await caches.open(name) : null;
  } catch (e) {
    return null;
  }
}

/* {bytes} of the snapshot to restore, or {later} when the snapshot should be fetched for the
 * next visit. Only a snapshot already in the cache is used: a first visit never waits. */
async function openSnapshot() {
  if (typeof DecompressionStream !== "function") {
    mark("fallback", "this browser cannot decompress a stream");
    return {};
  }
  if (!(await wanted())) {
    mark("off");
    return {};
  }
  const cache = await openCache(CACHE_NAME);
  if (!cache) {
    mark("fallback", "no Cache Storage on this page");
    return {};
  }
  const response = await cache.match(SNAPSHOT_URL).catch(() => null);
  if (!response || !response.body) {
    mark("deferred", "not in the cache yet");
    return { later: cache };
  }
  // Stored as the host sent it: gzip as built, or already decompressed by the browser
  // when the host labels it `Content-Encoding: gzip`.
  const body = await peek(response.body);
  const gzipped = body.head.length >= 2 && body.head[0] === 0x1f && body.head[1] === 0x8b;
  const plain = gzipped ? body.stream.pipeThrough(new DecompressionStream("gzip")) : body.stream;
  const [{ head, stream }, pyapp] = await Promise.all([
    peek(plain).catch(() => ({ head: new Uint8Array(0), stream: null })),
    fetch(PYAPP_URL, SAME_ORIGIN).then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null),
  ]);
  const why = await refusal(head, pyapp);
  if (why) {
    if (stream) stream.cancel().catch(() => {});
    mark("fallback", why);
    console.info("Fast start skipped: " + why + "; starting Python the normal way.");
    await cache.delete(SNAPSHOT_URL).catch(() => {});
    return { later: cache };
  }
  const buffer = new Response(stream).arrayBuffer().then(pyodideSnapshot);
  buffer.catch(() => {});  // a corrupt file fails the restore, which falls back
  return { bytes: handOver(buffer), cache };  // wrapped: an async function would wait
}

/* A thenable that gives the bytes to the first taker and forgets them, so that nothing here
 * (Pyodide keeps its options object) holds 31 MB once they are in Python's memory. */
function handOver(buffer) {
  return {
    then(resolve, reject) {
      const promise = buffer;
      buffer = null;
      return promise.then(resolve, reject);
    },
  };
}

/* Download the snapshot into the cache for the next visit, at low priority, once the
 * runtime's own files have arrived (its bytes then compete with nothing the page needs).
 * It is checked when a visit opens it. */
async function fetchForNextVisit(cache) {
  try {
    const response = await fetch(SNAPSHOT_URL, { priority: "low", cache: "no-cache",
                                                 ...SAME_ORIGIN });
    if (!response.ok) return;
    const data = await response.arrayBuffer();  // whole, or not stored
    await cache.put(SNAPSHOT_URL, new Response(data, {
      headers: { "Content-Type": "application/gzip" },
    }));
  } catch (e) { /* only the next visit's speed depends on it */ }
}

// -- start -------------------------------------------------------------------------------

// Started as soon as PyScript imports this module, while Pyodide's own module loads and
// PyScript prepares: by the time it calls loadPyodide the answers are usually here.
// -- Python only from the page as written (added-python-guard.mjs) ----------------------

const CORE_URL = new URL("./runtime/pyscript/core.js", import.meta.url).href;
const ADDED_PYTHON_ALLOWED = new URL(import.meta.url).searchParams.get("added-python") === "allow";

async function installGuard() {
  const state = (detail) => {
    try {
      performance.mark("added-python-guard", { detail });
    } catch (e) { /* marks are for measuring only */ }
  };
  if (ADDED_PYTHON_ALLOWED) return state("off: added-python=allow");
  // Only the PyScript this page loaded: importing core.js from another address would start
  // a second copy of it.
  const scripts = document.querySelectorAll('script[type="module"][src]');
  if (![...scripts].some((script) => script.src === CORE_URL)) {
    return state("off: the page loads PyScript from elsewhere than " + CORE_URL);
  }
  const { hooks } = await import(CORE_URL);
  guardAddedPython(hooks, document);
  state("on");
}

// Not awaited here: the runtime's downloads start at once; loadPyodide waits for it before
// handing over, long before PyScript runs any element's code.
const guardInstalled = installGuard();

let snapshot = openSnapshot().catch((error) => {
  // Whatever went wrong (storage, the digest), the normal start needs none of it.
  mark("fallback", String((error && error.message) || error));
  return {};
});
const { loadPyodide: loadRuntime, version } = await import("./runtime/pyodide/pyodide.mjs");
const RUNTIME_CACHE_PREFIX = "speckle-pyodide-";
const RUNTIME_CACHE = RUNTIME_CACHE_PREFIX + version;

export { version };

const WASM_HEADERS = { "Content-Type": "application/wasm" };  // for instantiateStreaming

/* {response} with Pyodide's WebAssembly, and {arrived}. A repeat visit takes it decompressed
 * from Cache Storage, where the first visit put it: no download, no decompression, and the
 * browser may reuse the machine code it compiled from it before. */
async function keptWasm() {
  // Named after the Pyodide release, which alone decides the WebAssembly's bytes.
  const cache = await openCache(RUNTIME_CACHE);
  const kept = cache && (await cache.match(WASM_URL).catch(() => null));
  if (kept) return { response: kept, arrived: Promise.resolve() };
  const { stream, arrived } = await download("pyodide.asm.wasm");
  if (!cache) return { response: new Response(stream, { headers: WASM_HEADERS }), arrived };
  const [mine, copy] = stream.tee();
  // Stored only when whole: a failed download rejects the put, and the cache stays empty.
  cache.put(WASM_URL, new Response(copy, { headers: WASM_HEADERS })).catch(() => {});
  forgetOtherReleases();
  return { response: new Response(mine, { headers: WASM_HEADERS }), arrived };
}

/* Caches of earlier Pyodide releases hold 9.6 MB each that no page will use again. */
function forgetOtherReleases() {
  caches.keys().then((names) => names.forEach((name) => {
    if (name.startsWith(RUNTIME_CACHE_PREFIX) && name !== RUNTIME_CACHE) caches.delete(name);
  })).catch(() => {});
}

/* The runtime's files, downloading: the WebAssembly (answered to Pyodide's request), the
 * standard library (the same) and Pyodide's JavaScript half; `arrived` settles once all
 * their bytes have. */
function startDownloads() {
  const wasmFile = keptWasm();
  const stdlibFile = download(STDLIB_NAME);
  const wasm = wasmFile.then(({ response }) => response);
  const stdlib = stdlibFile.then(({ stream }) => new Response(stream));
  const asm = importAsmModule();
  const arrived = Promise.all([wasmFile, stdlibFile])
    .then((files) => Promise.all(files.map((file) => file.arrived)))
    .then(() => asm);
  [wasm, stdlib, asm, arrived].forEach((p) => p.catch(() => {}));  // reported where awaited
  return { answers: new Map([[WASM_URL, () => wasm], [STDLIB_URL, () => stdlib]]), asm,
           arrived };
}

// Every visit restores the same heap: give `random` (and tempfile's names) this visit's
// entropy, LANG this visitor's language, and have the import system look again at the folders PyScript is about to write
// files into, and at the standard library's zip (the whole library, for a page that asked
// for it, has another table of contents than the core the snapshot was made with).
// (importlib.invalidate_caches() would import importlib.metadata, which the trimmed standard
// library leaves out: the path finders' own method is all that is needed.)
// The visitor's language as a normal start sets LANG (Emscripten's default environment);
// the snapshot holds the build machine's.
const LANG = ((typeof navigator === "object" && navigator.languages && navigator.languages[0])
  || "C").replace("-", "_") + ".UTF-8";
const AFTER_RESTORE = `
def _fast_start_after_restore():
    import os, random, sys
    os.environ["LANG"] = ${JSON.stringify(LANG)}
    random.seed()
    if "tempfile" in sys.modules:  # its own Random, made at the build: made anew when needed
        sys.modules["tempfile"]._name_sequence = None
    for finder in list(sys.path_importer_cache.values()):
        if hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
_fast_start_after_restore()
del _fast_start_after_restore
`;

async function boot(options, downloads, snapshotBytes) {
  const settings = {
    ...options,
    indexURL: INDEX_URL,
    stdLibURL: STDLIB_URL,
    lockFileURL: LOCK_URL,
    createPyodideModule: await downloads.asm,
  };
  if (snapshotBytes) settings._loadSnapshot = snapshotBytes;
  const pyodide = await answering(downloads.answers, () => loadRuntime(settings));
  return pyodide;
}

export async function loadPyodide(options = {}) {
  const [opened] = await Promise.all([snapshot, guardInstalled]);
  snapshot = null;  // one page, one interpreter: a second call starts the normal way
  const downloads = startDownloads();
  if (opened.later) {
    // Once the runtime's own files are in, the snapshot is fetched for the next visit.
    downloads.arrived.then(() => fetchForNextVisit(opened.later), () => {});
  }
  if (opened.bytes) {
    try {
      const pyodide = await boot(options, downloads, opened.bytes);
      pyodide.runPython(AFTER_RESTORE);
      mark("restored");
      return pyodide;
    } catch (error) {
      mark("fallback", String((error && error.message) || error));
      console.warn("Fast start failed; starting Python the normal way.", error);
      return boot(options, startDownloads(), null);
    }
  }
  return boot(options, downloads, null);
}
