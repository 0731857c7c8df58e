// A loopback stand-in for the OSV bucket: serves <Ecosystem>/all.zip built at run time
// from fixtures/osv/, and can misbehave on demand (500, truncated body, garbage).
import { readFileSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { zipSync } from "fflate";
import { FIXTURES } from "../helpers/expectations.js";

export const OSV_FIXTURES = join(FIXTURES, "osv");

/** The JSON records of a fixtures/osv folder, by entry name ("MAL-….json"). */
export function osvRecords(folder: string): Record<string, string> {
  const dir = join(OSV_FIXTURES, folder);
  return Object.fromEntries(readdirSync(dir).filter((n) => n.endsWith(".json")).sort().map((n) => [n, readFileSync(join(dir, n), "utf8")]));
}

export function zipRecords(records: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(records).map(([name, text]) => [name, new TextEncoder().encode(text)]))));
}

export type Route =
  | { kind: "zip"; body: Buffer; etag?: string }
  | { kind: "status"; status: number }
  /** Announces the full length, sends the first `bytes`, then cuts the connection. */
  | { kind: "truncated"; body: Buffer; bytes: number }
  | { kind: "raw"; body: Buffer };

export interface OsvServer {
  url: string;
  routes: Map<string, Route>;
  /** Paths requested, in order, with their If-None-Match header. */
  requests: { path: string; ifNoneMatch?: string }[];
  close(): Promise<void>;
}

export async function startOsvServer(): Promise<OsvServer> {
  const routes = new Map<string, Route>();
  const requests: OsvServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    const ifNoneMatch = req.headers["if-none-match"];
    requests.push({ path, ...(typeof ifNoneMatch === "string" ? { ifNoneMatch } : {}) });
    const route = routes.get(path);
    if (!route) return void res.writeHead(404).end("not found");
    switch (route.kind) {
      case "status":
        return void res.writeHead(route.status, { "content-type": "text/plain" }).end("server error");
      case "raw":
        return void res.writeHead(200, { "content-type": "application/zip", "content-length": route.body.length }).end(route.body);
      case "truncated":
        res.writeHead(200, { "content-type": "application/zip", "content-length": route.body.length });
        res.write(route.body.subarray(0, route.bytes), () => res.destroy());
        return;
      case "zip":
        if (route.etag && ifNoneMatch === route.etag) return void res.writeHead(304, { etag: route.etag }).end();
        return void res
          .writeHead(200, { "content-type": "application/zip", "content-length": route.body.length, ...(route.etag ? { etag: route.etag } : {}) })
          .end(route.body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
