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
  let response, stream;
  try {
    response = await fetch(SNAPSHOT_URL, { credentials: "same-origin" });
    if (response.ok && response.body) stream = await inflate(response.body);
  } catch (e) {
    mark("fallback", "the snapshot could not be fetched");
    return null;
  }
  if (!stream) {
    mark("fallback", "the snapshot answered " + response.status);
    return null;
  }
  const bytes = new Response(stream).arrayBuffer().then(checked);
  bytes.catch(() => {});  // a corrupt file fails the restore, which falls back
  return { bytes: handOver(bytes) };  // wrapped: an async function would wait for a promise
}

/* Pyodide sizes its memory by the snapshot before reading it, and a wasm instance that
 * cannot be made never settles: anything that is not a snapshot is refused here, before
 * Pyodide sees it (its own check of the build id follows). */
const SNAPSHOT_MAGIC = 0x706e7300;  // "\0snp", little-endian, as in Pyodide's snapshot.ts

function checked(buffer) {
  if (buffer.byteLength < 64 || new DataView(buffer).getUint32(0, true) !== SNAPSHOT_MAGIC) {
    throw new Error("not a Pyodide snapshot");
  }
  return buffer;
}

/* The snapshot as a stream of raw bytes. The file is gzip and is meant to be served as is;
 * a host that labels it `Content-Encoding: gzip` has the browser decompress it already, so
 * the first bytes decide: gzip's magic number, or not. */
async function inflate(body) {
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
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  return gzipped ? stream.pipeThrough(new DecompressionStream("gzip")) : stream;
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
