// node --test: a snapshot is restored only next to the pyapp.zip it was built with, and
// anything that is not a Pyodide snapshot is refused before Pyodide sees it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  HEADER_SIZE, SNAPSHOT_MAGIC, pyodideSnapshot, refusal, snapshotPyapp,
} from "../../snapshot-check.mjs";

const PYAPP = new TextEncoder().encode("the pyapp.zip of this release");
const OTHER = new TextEncoder().encode("the pyapp.zip of the previous release");

function header(zip, { version = 1, digest } = {}) {
  const hex = digest ?? createHash("sha256").update(zip).digest("hex");
  const line = `speckle-fast-start ${version} pyapp=${hex}\n`;
  return new TextEncoder().encode(line.padEnd(HEADER_SIZE, " "));
}

function file(head, { magic = SNAPSHOT_MAGIC, size = 256 } = {}) {
  const bytes = new Uint8Array(HEADER_SIZE + size);
  bytes.set(head);
  new DataView(bytes.buffer).setUint32(HEADER_SIZE, magic, true);
  return bytes.buffer;
}

test("the snapshot built with this pyapp.zip is restored", async () => {
  assert.equal(await refusal(header(PYAPP), PYAPP), null);
  assert.equal(snapshotPyapp(header(PYAPP)), createHash("sha256").update(PYAPP).digest("hex"));
});

test("a snapshot of another release is refused: it would run that release's code", async () => {
  assert.equal(await refusal(header(OTHER), PYAPP), "built with another pyapp.zip");
});

test("no header, a foreign header or an unreadable pyapp.zip is refused", async () => {
  assert.equal(await refusal(new Uint8Array(0), PYAPP), "not a fast-start snapshot");
  assert.equal(await refusal(new Uint8Array(HEADER_SIZE), PYAPP), "not a fast-start snapshot");
  assert.equal(await refusal(header(PYAPP, { version: 2 }), PYAPP), "not a fast-start snapshot");
  assert.equal(await refusal(header(PYAPP, { digest: "A".repeat(64) }), PYAPP),
               "not a fast-start snapshot");
  assert.equal(await refusal(header(PYAPP).subarray(0, 100), PYAPP),
               "not a fast-start snapshot");
  assert.equal(await refusal(header(PYAPP), null), "pyapp.zip could not be read");
});

test("Pyodide's part starts after the header and must carry its magic number", () => {
  const good = pyodideSnapshot(file(header(PYAPP)));
  assert.equal(good.byteOffset, HEADER_SIZE);
  assert.equal(good.length, 256);
  assert.throws(() => pyodideSnapshot(file(header(PYAPP), { magic: 0x12345678 })),
                /not a Pyodide snapshot/);
  assert.throws(() => pyodideSnapshot(file(header(PYAPP), { size: 8 })),
                /not a Pyodide snapshot/);
  assert.throws(() => pyodideSnapshot(new ArrayBuffer(10)), /not a Pyodide snapshot/);
});
