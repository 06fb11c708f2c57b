/* Whether a fast-start snapshot may be restored on this page (used by fast-start.mjs).
 *
 * A snapshot file, once decompressed, is a 128-byte header written by the build
 * (devtools/fast_start.py: `speckle-fast-start 1 pyapp=<sha256 of pyapp.zip>`, padded with
 * spaces) followed by Pyodide's own snapshot. The snapshot holds the pyapp modules already
 * imported, so one built with another pyapp.zip would run another release's code: it is
 * restored only next to the very pyapp.zip it was built with. And Pyodide sizes its memory by
 * the snapshot before reading it (a wasm instance that cannot be made never settles), so
 * anything that is not a snapshot is refused before Pyodide sees it; Pyodide's own check of
 * its build id follows.
 */

export const HEADER_SIZE = 128;
export const SNAPSHOT_MAGIC = 0x706e7300;  // "\0snp", little-endian, as in Pyodide's snapshot.ts

/** The sha256 (hex) of the pyapp.zip a snapshot was built with, from its header, or null
 * when `head` (the first bytes of the decompressed file) does not start with one. */
export function snapshotPyapp(head) {
  if (head.length < HEADER_SIZE) return null;
  const line = new TextDecoder().decode(head.subarray(0, HEADER_SIZE));
  const found = /^speckle-fast-start 1 pyapp=([0-9a-f]{64})\n */.exec(line);
  return found && found[0].length === HEADER_SIZE ? found[1] : null;
}

export async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Why the snapshot starting with `head` must not be restored next to the pyapp.zip bytes
 * `pyapp` (null when that file could not be read), or null when it may be. */
export async function refusal(head, pyapp) {
  const builtFor = snapshotPyapp(head);
  if (!builtFor) return "not a fast-start snapshot";
  if (!pyapp) return "pyapp.zip could not be read";
  if (builtFor !== (await sha256Hex(pyapp))) return "built with another pyapp.zip";
  return null;
}

/** Pyodide's snapshot (after the header) in the whole decompressed `buffer`; throws when it
 * is not one. */
export function pyodideSnapshot(buffer) {
  const view = new Uint8Array(buffer, Math.min(HEADER_SIZE, buffer.byteLength));
  if (view.length < 64 || new DataView(buffer, HEADER_SIZE).getUint32(0, true) !== SNAPSHOT_MAGIC) {
    throw new Error("not a Pyodide snapshot");
  }
  return view;
}
