/* xz decompression as a stream transform, for the runtime's compressed files.
 *
 * Browsers decompress gzip natively (DecompressionStream) but not xz, which packs Pyodide's
 * WebAssembly a quarter smaller (2.6 MB instead of 3.5 MB). The decoder is xz-embedded
 * compiled to WebAssembly (runtime/xz/xz-decompress.wasm, 13 KB, taken from the npm package
 * xz-decompress by `./dev setup`); this file is the small glue around its four exports.
 *
 *   const decoder = await loadXz(wasmUrl);       // compiled once per page
 *   const plain = response.body.pipeThrough(decoder.stream());
 *
 * Each stream gets its own instance (its own memory), so several files decompress at once.
 * A corrupt or truncated input errors the stream; nothing partial is passed off as whole.
 */
const XZ_OK = 0;
const XZ_STREAM_END = 1;

/* One decoder context in one instance's memory. The context's header, as 32-bit words:
 * [0] buffer size, [1] input buffer address, [2] input position, [3] input size,
 * [4] output buffer address, [5] output position. */
class Context {
  constructor(instance) {
    this.exports = instance.exports;
    this.ptr = this.exports.create_context();
    const words = this.words();
    this.size = words[0];
    this.input = words[1];
    this.output = words[4];
  }

  words() {  // re-made each time: the memory may have grown, detaching old views
    return new Uint32Array(this.exports.memory.buffer, this.ptr, 6);
  }

  needsInput() {
    const words = this.words();
    return words[2] === words[3];
  }

  supply(chunk) {  // an empty chunk means: no more input
    new Uint8Array(this.exports.memory.buffer, this.input, chunk.length).set(chunk);
    this.exports.supply_input(this.ptr, chunk.length);
  }

  /* The bytes decoded so far (a copy), and whether the stream ended. */
  drain() {
    const result = this.exports.get_next_output(this.ptr);
    if (result !== XZ_OK && result !== XZ_STREAM_END) {
      throw new Error("xz: corrupt input (decoder error " + result + ")");
    }
    const words = this.words();
    const out = new Uint8Array(this.exports.memory.buffer, this.output, words[5]).slice();
    words[5] = 0;
    return { out, end: result === XZ_STREAM_END };
  }

  dispose() {
    if (this.exports) this.exports.destroy_context(this.ptr);
    this.exports = null;
  }
}

/* A TransformStream from xz bytes to the bytes they hold, on a fresh instance of `module`. */
function transform(module) {
  let context = null;
  let ended = false;
  // Run the decoder until it wants input again and has nothing left to give: each call
  // fills at most one output buffer, and a full one may mean more is waiting.
  function pump(controller) {
    for (;;) {
      const { out, end } = context.drain();
      if (out.length) controller.enqueue(out);
      if (end) {
        ended = true;
        return;
      }
      if (context.needsInput() && out.length < context.size) return;
    }
  }
  return new TransformStream({
    async start() {
      context = new Context(await WebAssembly.instantiate(module, {}));
    },
    transform(chunk, controller) {
      let offset = 0;
      while (offset < chunk.length) {
        if (ended) throw new Error("xz: data after the end of the stream");
        if (context.needsInput()) {
          const piece = chunk.subarray(offset, offset + context.size);
          context.supply(piece);
          offset += piece.length;
        }
        pump(controller);
      }
    },
    flush(controller) {
      try {
        // transform() left the decoder wanting input. An empty input tells it the file is
        // complete: it then checks the stream's end (index, footer, checksums) and answers
        // "stream end", or an error.
        context.supply(new Uint8Array(0));
        pump(controller);
        if (!ended) throw new Error("xz: the stream ended early");
      } finally {
        context.dispose();
      }
    },
  });
}

/* The decoder, compiled from the WebAssembly at `url` (or given bytes): {stream()}. */
export async function loadXz(source) {
  const module = typeof source === "string" || source instanceof URL
    ? await WebAssembly.compileStreaming(fetch(source, { credentials: "same-origin" }))
    : await WebAssembly.compile(source);
  return { stream: () => transform(module) };
}
