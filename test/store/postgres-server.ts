// A throwaway PostgreSQL for the store tests: Debian's server binaries (initdb + pg_ctl) in a
// temp dir, listening on a free loopback port, trust auth. initdb refuses to run as root, so
// under uid 0 the cluster belongs to `nobody`. Missing binaries are a failure, never a skip:
// CI installs the `postgresql` package (.ci/run).
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PostgresServer {
  url: (database?: string) => string;
  createDatabase: (name: string) => void;
  stop: () => void;
}

function serverBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) {
    throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install Debian's `postgresql` package (`apt-get install -y postgresql`, as .ci/run does) to run the PostgreSQL store tests");
  }
  return join(root, versions[0]!, "bin");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const NOBODY = 65534;

export async function startPostgres(): Promise<PostgresServer> {
  const bin = serverBin();
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  const run = (tool: string, args: string[]): string => {
    const [cmd, argv] = asRoot ? ["runuser", ["-u", "nobody", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
    return execFileSync(cmd as string, argv as string[], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  };
  const data = join(dir, "data");
  run("initdb", ["-D", data, "-U", "exfilscan", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  run("pg_ctl", ["start", "-w", "-t", "60", "-D", data, "-l", join(dir, "server.log"), "-o", options]);
  const url = (database = "postgres"): string => `postgres://exfilscan@127.0.0.1:${port}/${database}`;
  return {
    url,
    createDatabase: (name) => {
      run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "exfilscan", "-d", "postgres", "-q", "-c", `CREATE DATABASE ${name}`]);
    },
    stop: () => {
      try {
        run("pg_ctl", ["stop", "-w", "-m", "immediate", "-D", data]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
