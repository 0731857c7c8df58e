// Credential reads that are API calls rather than file paths (paths: paths.ts).
import type { SourceKind } from "../facts.js";

export interface ApiSource {
  kind: SourceKind;
  note: string;
  detail?: string;
}

const API_SOURCES: Record<string, ApiSource> = {
  "getpass.getpass": { kind: "password-prompt", note: "prompts for a password (getpass)" },
  "getpass.unix_getpass": { kind: "password-prompt", note: "prompts for a password (getpass)" },
  "getpass.win_getpass": { kind: "password-prompt", note: "prompts for a password (getpass)" },
  "keyring.get_password": { kind: "keychain", note: "reads a password from the OS keyring" },
  "keyring.get_credential": { kind: "keychain", note: "reads a credential from the OS keyring" },
  "netrc.netrc": { kind: "netrc", note: "reads ~/.netrc", detail: "~/.netrc" },
  "browser_cookie3.load": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.chrome": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.firefox": { kind: "browser-store", note: "reads browser cookies" },
  "win32crypt.CryptUnprotectData": { kind: "browser-store", note: "decrypts DPAPI-protected browser secrets" },
};

/**
 * A credential read by API. `args` are the folded first argument (prompt text) and
 * whether any argument was given (netrc.netrc() without a path reads ~/.netrc).
 */
export function apiSource(qname: string, prompt: string | undefined, hasArgs: boolean): ApiSource | undefined {
  if (qname === "netrc.netrc" && hasArgs) return undefined; // a path: classified as a file read
  const known = API_SOURCES[qname];
  if (known) return known;
  if ((qname === "builtins.input" || qname === "builtins.raw_input") && prompt && /pass(word|phrase)?|token|secret/i.test(prompt)) {
    return { kind: "password-prompt", note: "prompts for a password", detail: prompt.trim() };
  }
  return undefined;
}

/** Modules whose calls authenticate to an SSH server: credentials handed to them are used, not sent away. */
const SSH_CLIENT_MODULES = ["paramiko", "fabric", "asyncssh", "pexpect.pxssh", "pxssh", "scp", "netmiko", "spur", "ssh2", "pysftp", "parallel_ssh", "pssh", "sshtunnel", "invoke"];

export function isSshClientCall(qname: string): boolean {
  return SSH_CLIENT_MODULES.some((m) => qname === m || qname.startsWith(`${m}.`));
}

/** Kind of source a secret-named parameter stands for. */
export function parameterSourceKind(name: string): SourceKind {
  return /key|pkey|identity/i.test(name) && !/api_?key|access_?key|secret_?key/i.test(name) ? "ssh-key" : "password-prompt";
}

/** Methods that read what an object holds (a file, a config parser, a path). */
export const NON_READING_PATH_METHODS = new Set([
  "exists", "is_file", "is_dir", "is_symlink", "stat", "lstat", "chmod", "mkdir", "touch", "unlink", "rmdir",
  "write_text", "write_bytes", "expanduser", "resolve", "absolute", "joinpath", "with_name", "with_suffix",
  "relative_to", "as_posix", "samefile", "match", "startswith", "endswith", "replace", "format", "split",
  "strip", "lower", "upper", "encode", "decode", "rstrip", "lstrip", "join",
]);
