// An advisory store built straight from the OSV sample (no server): for scan-side tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOsvArchive } from "../../src/advisories/osv-archive.js";
import { writeStoreFile } from "../../src/advisories/store.js";
import type { AdvisoryStoreFile, OsvEcosystem } from "../../src/advisories/types.js";
import { osvRecords, zipRecords } from "./osv-server.js";

export function writeSampleStore(): string {
  const file = join(mkdtempSync(join(tmpdir(), "exfilscan-store-")), "advisories.json");
  const store: AdvisoryStoreFile = { schemaVersion: 1, updatedAt: "2099-07-01T00:00:00.000Z", ecosystems: {} };
  for (const ecosystem of ["npm", "PyPI"] as OsvEcosystem[]) {
    const data = zipRecords(osvRecords(ecosystem));
    const contents = readOsvArchive(data, ecosystem);
    store.ecosystems[ecosystem] = { fetchedAt: store.updatedAt, url: `http://127.0.0.1/${ecosystem}/all.zip`, size: data.length, advisories: contents.advisories };
  }
  writeStoreFile(file, store);
  return file;
}
