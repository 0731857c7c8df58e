// The local advisory store: one JSON file, outside the repository, replaced atomically
// (temp file + rename) so a reader never sees half of it and a failed update leaves it as it was.
import { randomBytes } from "../core/hash.js";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { ConfigurationError } from "../core/errors.js";
import { OSV_ECOSYSTEMS, type AdvisoryStoreFile } from "./types.js";

export const STORE_SCHEMA_VERSION = 1;

/** --store / --advisory-store, else EXFILSCAN_ADVISORY_STORE, else $XDG_CACHE_HOME/exfilscan/advisories.json. */
export function resolveStorePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env["EXFILSCAN_ADVISORY_STORE"]) return env["EXFILSCAN_ADVISORY_STORE"];
  const cacheHome = env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return join(cacheHome, "exfilscan", "advisories.json");
}

// The records inside are checked where they are used (index.ts); validating every one of
// ~200k records with zod at each scan would cost seconds for a file only exfilscan writes.
// zod is loaded when a store is read (a scan without a store never loads it).
let storeSchema: ReturnType<typeof buildStoreSchema> | undefined;

const buildStoreSchema = (z: typeof Zod.z) => z.object({
  schemaVersion: z.literal(STORE_SCHEMA_VERSION),
  updatedAt: z.string(),
  ecosystems: z.partialRecord(
    z.enum(OSV_ECOSYSTEMS),
    z.object({
      fetchedAt: z.string(),
      url: z.string(),
      etag: z.string().optional(),
      size: z.number(),
      advisories: z.array(z.object({ id: z.string(), summary: z.string(), affected: z.array(z.unknown()) }).loose()),
    }),
  ),
});

/** undefined when the file does not exist; a ConfigurationError when it exists but cannot be used. */
export function readStoreFile(file: string): AdvisoryStoreFile | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigurationError(`advisory store is unreadable (${(error as Error).message}); run \`exfilscan signatures update\` to rebuild it`, file);
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version > STORE_SCHEMA_VERSION) {
    throw new ConfigurationError(`advisory store has schema version ${version}, newer than this exfilscan understands (${STORE_SCHEMA_VERSION})`, file);
  }
  storeSchema ??= buildStoreSchema((createRequire(import.meta.url)("zod") as typeof Zod).z);
  const parsed = storeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError(
      `advisory store is not valid (${issue.path.join(".")}: ${issue.message}); run \`exfilscan signatures update\` to rebuild it`,
      file,
    );
  }
  return json as AdvisoryStoreFile;
}

/** Write the whole store to a temp file next to it, then rename over it (atomic on one filesystem). */
export function writeStoreFile(file: string, store: AdvisoryStoreFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(store)}\n`, { flush: true });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
