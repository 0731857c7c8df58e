// Pure string helpers for folding: path joining with "~" for the home directory,
// decoders (base64, hex, char codes) and URL/option-object destinations.

/** path.join over partially known parts ("*" = unknown). */
export function joinPath(parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join("/");
  return normalizeSlashes(joined);
}

/** path.resolve: the last absolute (or home-relative) part restarts the path. */
export function resolvePath(parts: string[]): string {
  let start = 0;
  parts.forEach((part, index) => {
    if (part.startsWith("/") || part.startsWith("~") || /^[a-z]:[\\/]/i.test(part)) start = index;
  });
  return joinPath(parts.slice(start));
}

function normalizeSlashes(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== ".." && out[out.length - 1] !== "*") {
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return (absolute ? "/" : "") + out.join("/");
}

/** Decode base64 (standard or URL alphabet) when the text really is base64. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}

export function decodeHex(text: string): Buffer | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) return undefined;
  return Buffer.from(text, "hex");
}

export function bufferFromText(text: string, encoding: string): Buffer | undefined {
  switch (encoding.toLowerCase()) {
    case "base64":
    case "base64url":
      return decodeBase64(text);
    case "hex":
      return decodeHex(text);
    case "latin1":
    case "binary":
    case "ascii":
      return Buffer.from(text, "latin1");
    case "utf8":
    case "utf-8":
    case "":
      return Buffer.from(text, "utf8");
    case "ucs2":
    case "utf16le":
      return Buffer.from(text, "utf16le");
    default:
      return undefined;
  }
}

export function bufferToText(bytes: Buffer, encoding: string | undefined): string | undefined {
  const enc = (encoding ?? "utf8").toLowerCase();
  if (["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "ucs2", "utf16le"].includes(enc)) {
    return bytes.toString(enc as BufferEncoding);
  }
  return undefined;
}

/** Is the text a printable, code-or-text looking string (decoding produced something meaningful)? */
export function looksPrintable(text: string): boolean {
  if (text.length === 0) return false;
  let printable = 0;
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if ((code >= 32 && code < 127) || code === 9 || code === 10 || code === 13) printable++;
  }
  return printable / sample.length > 0.9;
}

/** Compose a URL-ish destination from an options object of http.request/axios/got. */
export function destinationFromOptions(options: {
  url?: string;
  baseURL?: string;
  protocol?: string;
  hostname?: string;
  host?: string;
  port?: string;
  path?: string;
  hostHeader?: string;
}): string | undefined {
  // Domain fronting: the Host header names the real receiver.
  if (options.hostHeader && options.hostHeader !== "*") {
    return `${(options.protocol ?? "https:").replace(/:?$/, ":")}//${options.hostHeader}${options.path ?? ""}`;
  }
  if (options.url) {
    if (options.baseURL && !/^[a-z]+:\/\//i.test(options.url)) return options.baseURL.replace(/\/$/, "") + "/" + options.url.replace(/^\//, "");
    return options.url;
  }
  const host = options.hostname ?? options.host;
  if (!host) return options.baseURL;
  const protocol = (options.protocol ?? "https:").replace(/:?$/, ":");
  // The scheme's own port is left out, as a URL writes it ("https://h:443/p" is "https://h/p").
  const defaultPort = options.port === (protocol === "https:" ? "443" : protocol === "http:" ? "80" : undefined);
  const port = options.port && !defaultPort && !host.includes(":") ? `:${options.port}` : "";
  return `${protocol}//${host}${port}${options.path ?? ""}`;
}
