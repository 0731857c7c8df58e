// Binary and minified files, recognised by content: a version that starts shipping
// native code or a bundle nobody can review has changed what it is.

/** Data files that are binary by nature and run nothing. */
const MEDIA = /\.(png|jpe?g|gif|ico|webp|bmp|avif|svgz|woff2?|ttf|otf|eot|pdf|mp3|mp4|ogg|wav|webm|pyc|mo|gz|zip|tgz|br)$/i;

/** "native executable", "WebAssembly module", "binary file", or undefined for text and media. */
export function binaryKind(path: string, data: Buffer): string | undefined {
  if (data.length >= 4) {
    if (data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46) return "native executable (ELF)";
    if (data[0] === 0x4d && data[1] === 0x5a) return "native executable (PE)";
    const magic = data.readUInt32BE(0);
    if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return "native executable (Mach-O)";
    if (magic === 0x0061736d) return "WebAssembly module";
  }
  if (/\.(node|so|dll|dylib|exe)$/i.test(path)) return "native library";
  if (MEDIA.test(path)) return undefined;
  const head = data.subarray(0, 8000);
  return head.includes(0) ? "binary file" : undefined;
}

/** JavaScript with very long lines and few of them: a bundle or obfuscator output. */
export function isMinified(path: string, data: Buffer): boolean {
  if (!/\.(c|m)?js$/i.test(path) || data.length < 2000) return false;
  const text = data.toString("utf8");
  const lines = text.split("\n");
  const longest = Math.max(...lines.map((l) => l.length));
  return longest >= 1000 && text.length / lines.length >= 200;
}
