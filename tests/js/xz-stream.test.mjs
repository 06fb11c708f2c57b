// node --test: the xz glue decodes what the build compresses, and refuses what it did not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { loadXz } from "../../xz-stream.mjs";

const ROOT = new URL("../../", import.meta.url);
const decoder = await loadXz(readFileSync(new URL("runtime/xz/xz-decompress.wasm", ROOT)));

// xz data made by Python's lzma with the build's settings (devtools/runtime_pack.xz).
function compress(data) {
  return execFileSync("python3", ["-c", `
import sys
sys.path.insert(0, ".")
from devtools.runtime_pack import xz
sys.stdout.buffer.write(xz(sys.stdin.buffer.read()))`], { input: data, cwd: ROOT });
}

async function decode(bytes, chunk = 1000) {
  const input = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
      controller.close();
    },
  });
  return new Uint8Array(await new Response(input.pipeThrough(decoder.stream())).arrayBuffer());
}

function sample(size) {
  const out = new Uint8Array(size);
  let state = 12345;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? state >>> 24 : i % 251;  // some repetition, some noise
  }
  return out;
}

test("decodes in any chunking, output larger than the decoder's buffer", async () => {
  const plain = sample(300_000);
  const packed = compress(plain);
  for (const chunk of [1, 4096, 65536, packed.length]) {
    if (chunk === 1 && packed.length > 50_000) continue;  // byte by byte only for small data
    assert.deepEqual(await decode(packed, chunk), plain);
  }
  assert.deepEqual(await decode(compress(sample(20_000)), 1), sample(20_000));
});

test("decodes the shipped WebAssembly to the original bytes", async () => {
  const original = readFileSync(new URL("runtime/pyodide/pyodide.asm.wasm", ROOT));
  const packed = readFileSync(new URL("runtime/pyodide/pyodide.asm.wasm.xz", ROOT));
  const out = await decode(packed, 64 * 1024);
  assert.equal(out.length, original.length);
  assert.ok(Buffer.from(out).equals(original));
});

test("a truncated file errors the stream", async () => {
  const packed = compress(sample(100_000));
  await assert.rejects(decode(packed.subarray(0, packed.length - 20)), /xz/);
});

test("a corrupt file errors the stream", async () => {
  const packed = Buffer.from(compress(sample(100_000)));
  packed[Math.floor(packed.length / 2)] ^= 0xff;
  await assert.rejects(decode(packed), /xz/);
});

test("data that is not xz errors the stream", async () => {
  await assert.rejects(decode(new TextEncoder().encode("<html>Not found</html>")), /xz/);
});

test("several streams decode at once", async () => {
  const a = sample(200_000), b = sample(150_000).reverse();
  const [x, y] = await Promise.all([decode(compress(a)), decode(compress(b))]);
  assert.deepEqual(x, a);
  assert.deepEqual(y, b);
});
