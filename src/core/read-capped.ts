/**
 * Reads a Web stream whole, up to `limit` bytes: the bytes, or `undefined` once past the limit (the rest is
 * cancelled, not downloaded). Serves GenAuth's answers (fetch transport) and webhook bodies of Web requests.
 */
export async function readCapped(stream: ReadableStream<Uint8Array>, limit: number): Promise<Buffer | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
