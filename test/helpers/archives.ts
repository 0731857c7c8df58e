// Builds tar/zip archives in memory for tests, including hostile ones that no normal
// packer would write (escaping paths, links out of the package).
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { Header } from "tar";

export interface TarEntry {
  path: string;
  content?: string | Buffer;
  type?: "File" | "SymbolicLink" | "Link" | "Directory";
  linkpath?: string;
}

export function makeTar(entries: TarEntry[], gzip = true): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.content === undefined ? Buffer.alloc(0) : Buffer.from(entry.content);
    const header = new Header({
      path: entry.path,
      mode: 0o644,
      size: entry.type && entry.type !== "File" ? 0 : body.length,
      type: entry.type ?? "File",
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if ((entry.type ?? "File") === "File" && body.length) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return gzip ? gzipSync(tar) : tar;
}

export function makeZip(files: Record<string, string | Buffer>): Buffer {
  const input: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(files)) input[name] = new Uint8Array(Buffer.from(content));
  return Buffer.from(zipSync(input));
}
