// Make a memory snapshot of a ready Pyodide interpreter, for the pages' fast start.
//
//   node tools/make_snapshot.mjs REQUEST.json
//
// REQUEST.json: {"indexURL": ".../runtime/pyodide/", "archives": ["pyapp.zip"],
//                "modules": ["json", "pyapp", ...], "out": "snapshot.bin",
//                "stdlib": ".../python_stdlib.core.zip", "lockFileURL": "...", "trace": false}
//
// "stdlib" (optional) is the standard library zip to boot with instead of the runtime's
// python_stdlib.zip: the snapshot must be made with the zip the pages load. With
// "trace": true no snapshot is written: the summary also lists, as "files", every file of
// the standard library zip that the imports loaded (how the trimmed zip is chosen).
//
// Boots Pyodide from the pinned runtime (offline: indexURL is a local folder), unpacks each
// zip archive into the home directory as PyScript does for `"./x.zip" = "./*"`, imports the
// modules, and writes the raw snapshot (the whole wasm heap plus a small header) to `out`.
// A module that needs PyScript's own `pyscript` package, which exists only in a page, is
// skipped and imported by the page as usual; any other import error fails the build.
// Prints a JSON summary on stdout.
//
// The snapshot is made in Node rather than in a browser: a snapshot made in Chromium did not
// restore elsewhere, one made here restores in the browser. Node is also what the build has.
//
// Deterministic: the same runtime and archives give the same bytes. Python seeds its hash
// secret and `random` from the platform's entropy and keeps file times and clock readings in
// its heap, so during the build entropy comes from a fixed generator and the clocks are
// fixed. None of that reaches a page: the page re-seeds `random` after the restore, and
// os.urandom / crypto.getRandomValues are read fresh on every call.

import nodeCrypto from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(process.argv[2], "utf-8"));

// xorshift32: a fixed stream of "entropy" for the build only.
let state = 0x9e3779b9;
nodeCrypto.randomFillSync = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return view;
};
const FIXED_TIME_MS = Date.UTC(2020, 0, 1);  // file times in the heap
Date.now = () => FIXED_TIME_MS;
let tick = 0;
performance.now = () => (tick += 1);  // a monotonic clock that counts calls

const { loadPyodide } = await import(pathToFileURL(request.indexURL + "pyodide.mjs").href);
// `_sysExecutable` as a page has it ("./this.program"): Node's would put this script's path
// into the snapshot's os.environ["_"] and sys.executable, the same for every visitor.
const options = { indexURL: request.indexURL, _makeSnapshot: !request.trace,
                  _sysExecutable: "./this.program" };
if (request.stdlib) options.stdLibURL = request.stdlib;
if (request.lockFileURL) options.lockFileURL = request.lockFileURL;
const pyodide = await loadPyodide(options);
for (const archive of request.archives) {
  // Copied into a plain Uint8Array: Pyodide does not convert Node's Buffer subclass.
  pyodide.unpackArchive(new Uint8Array(readFileSync(archive)), "zip");
}
// Runs in a function so that __main__, which the pages' scripts share, gets no new names.
// A JSON list of strings is also a Python list literal.
const summary = pyodide.runPython(`
def _fast_start_import(names):
    import importlib
    import json
    imported, skipped = [], []
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if (error.name or "").split(".")[0] != "pyscript":
                raise
            skipped.append(name)
        else:
            imported.append(name)
    import sys
    prefix = "/lib/python%d%d.zip/" % sys.version_info[:2]
    files = sorted({getattr(module, "__file__", None) or "" for module in list(sys.modules.values())})
    files = [name[len(prefix):] for name in files if name.startswith(prefix)]
    return json.dumps({"imported": imported, "skipped": skipped, "files": files})

_fast_start_summary = _fast_start_import(${JSON.stringify(request.modules)})
del _fast_start_import
_fast_start_summary
`);
pyodide.runPython("del _fast_start_summary");
if (!request.trace) writeFileSync(request.out, pyodide.makeMemorySnapshot());
process.stdout.write(summary + "\n");
