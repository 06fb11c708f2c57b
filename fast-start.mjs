/* Fast start: Pyodide for PyScript, restored from a snapshot of a ready interpreter.
 *
 * A page's PyScript config names this module as its `interpreter` instead of
 * runtime/pyodide/pyodide.mjs. PyScript imports it, reads `version` and calls
 * `loadPyodide(options)`; this module adds two things to that call:
 *
 * - the real runtime folder (`indexURL`): PyScript would take the folder of this file;
 * - `_loadSnapshot`: fast-start.snapshot.gz next to this file, a memory snapshot of the
 *   interpreter after start-up with the modules the pages need already imported (built by
 *   `./dev setup`). It is fetched while the runtime downloads, decompressed here
 *   (DecompressionStream), so a host that does not compress binary files still sends a few
 *   MB, and Pyodide copies it into its memory instead of booting Python.
 *
 * Turned off with `"fastStart": false` in config.json next to this file, read as soon as
 * PyScript imports this module and before the snapshot is asked for. Whenever the snapshot
 * is turned off, missing, from another Pyodide build, corrupt, or the browser cannot
 * decompress it, Python starts the normal way: the page works the same, only slower. What
 * happened is left as a performance mark, `fast-start:restored`, `fast-start:off` or
 * `fast-start:fallback` (its detail says why).
 *
 * After a restore, what must differ per visit is re-seeded: `random` from the browser's
 * entropy. The snapshot bytes are not kept: Pyodide gets them through a one-shot hand-over.
 * Pyodide's snapshot options are private (`@private` in pyodide.d.ts) and tied to the exact
 * build: rebuild the snapshot with the runtime (`./dev setup` does).
 */
const INDEX_URL = new URL("./runtime/pyodide/", import.meta.url).href;
const SNAPSHOT_URL = new URL("./fast-start.snapshot.gz", import.meta.url).href;
const CONFIG_URL = new URL("./config.json", import.meta.url).href;

function mark(name, detail) {
  try {
    performance.mark("fast-start:" + name, { detail: detail === undefined ? null : detail });
  } catch (e) { /* marks are for measuring only */ }
}

async function wanted() {
  try {
    const response = await fetch(CONFIG_URL, { credentials: "same-origin" });
    if (!response.ok) return true;
    const config = await response.json();
    return !(config && config.fastStart === false);
  } catch (e) {
    return true;  // the page reports a broken config itself; the default is on
  }
}

/* {bytes: the decompressed snapshot, handed over once}, or null when there is none to use.
 * The snapshot is asked for only once config.json says fast start is on. */
async function openSnapshot() {
  if (typeof DecompressionStream !== "function") {
    mark("fallback", "this browser cannot decompress a stream");
    return null;
  }
  if (!(await wanted())) {
    mark("off");
    return null;
  }
  let response;
  try {
    response = await fetch(SNAPSHOT_URL, { credentials: "same-origin" });
  } catch (e) {
    mark("fallback", "the snapshot could not be fetched");
    return null;
  }
  if (!response.ok || !response.body) {
    mark("fallback", "the snapshot answered " + response.status);
    return null;
  }
  const inflated = response.body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Response(inflated).arrayBuffer();
  bytes.catch(() => {});  // a corrupt file fails the restore, which falls back
  return { bytes: handOver(bytes) };  // wrapped: an async function would wait for a promise
}

/* A thenable that gives the bytes to the first taker and forgets them, so that nothing here
 * (Pyodide keeps its options object) holds 31 MB once they are in Python's memory. */
function handOver(bytes) {
  return {
    then(resolve, reject) {
      const promise = bytes;
      bytes = null;
      return promise.then(resolve, reject);
    },
  };
}

// Started as soon as PyScript imports this module, while Pyodide's own module loads and
// PyScript prepares: by the time it calls loadPyodide the answers are usually here.
let snapshot = openSnapshot();
const { loadPyodide: loadRuntime, version } = await import("./runtime/pyodide/pyodide.mjs");

export { version };

export async function loadPyodide(options = {}) {
  const base = { ...options, indexURL: INDEX_URL };
  const opened = await snapshot;
  snapshot = null;  // one page, one interpreter: a second call starts the normal way
  if (opened) {
    try {
      const pyodide = await loadRuntime({ ...base, _loadSnapshot: opened.bytes });
      // Every visit restores the same heap: give `random` this visit's entropy, and have
      // the import system look at the files PyScript is about to write.
      pyodide.runPython("__import__('random').seed(); __import__('importlib').invalidate_caches()");
      mark("restored");
      return pyodide;
    } catch (error) {
      mark("fallback", String((error && error.message) || error));
      console.warn("Fast start failed; starting Python the normal way.", error);
    }
  }
  return loadRuntime(base);
}
