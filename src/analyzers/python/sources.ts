// Credential reads that are API calls rather than file paths (paths: paths.ts).
import type { SourceKind } from "../facts.js";
import { lookupTable } from "../../core/tables.js";

export interface ApiSource {
  kind: SourceKind;
  note: string;
  detail?: string;
}

const API_SOURCES: Record<string, ApiSource> = lookupTable({
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
  "browser_cookie3.chromium": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.brave": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.edge": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.opera": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.opera_gx": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.vivaldi": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.safari": { kind: "browser-store", note: "reads browser cookies" },
  "browser_cookie3.librewolf": { kind: "browser-store", note: "reads browser cookies" },
  "browsercookie.load": { kind: "browser-store", note: "reads browser cookies" },
  "browsercookie.chrome": { kind: "browser-store", note: "reads browser cookies" },
  "browsercookie.firefox": { kind: "browser-store", note: "reads browser cookies" },
  "pycookiecheat.chrome_cookies": { kind: "browser-store", note: "reads browser cookies" },
  "pycookiecheat.firefox_cookies": { kind: "browser-store", note: "reads browser cookies" },
  "rookiepy.load": { kind: "browser-store", note: "reads browser cookies" },
  "rookiepy.chrome": { kind: "browser-store", note: "reads browser cookies" },
  "rookiepy.firefox": { kind: "browser-store", note: "reads browser cookies" },
  "win32cred.CredRead": { kind: "keychain", note: "reads the Windows Credential Manager" },
  "win32cred.CredEnumerate": { kind: "keychain", note: "reads the Windows Credential Manager" },
  "google.auth.default": { kind: "cloud-credentials", note: "loads Google Cloud default credentials", detail: "google.auth.default" },
  "keyboard.read_key": { kind: "password-prompt", note: "captures keystrokes typed in any window (keyboard.read_key)" },
  "keyboard.read_event": { kind: "password-prompt", note: "captures keystrokes typed in any window (keyboard.read_event)" },
  "keyboard.record": { kind: "password-prompt", note: "captures keystrokes typed in any window (keyboard.record)" },
  "keyboard.get_typed_strings": { kind: "password-prompt", note: "captures keystrokes typed in any window (keyboard.get_typed_strings)" },
});

/** The keypair object itself (a constructor's result), not what its methods return. */
const SOLANA_KEYPAIR_OBJECT = /^(solders\.keypair|solana\.keypair|solders)\.Keypair(\.(from_[a-z0-9_]+|generate|new))?\(\)$/;
const SOLANA_KEYPAIR_SECRET = /^(solders\.keypair|solana\.keypair|solders)\.Keypair\b.*\.(secret|to_bytes|to_bytes_array|to_base58_string|to_json|secret_key)$/;

/** Credential reads recognised by the shape of the call: SDK credential getters. */
const API_SOURCE_PATTERNS: [RegExp, ApiSource][] = [
  [/^(boto3|botocore|aiobotocore|aioboto3)\b.*\.get_(frozen_)?credentials$/, { kind: "cloud-credentials", note: "reads AWS credentials through the SDK" }],
  [/^azure\.identity\..*\.get_token$/, { kind: "cloud-credentials", note: "gets an Azure access token" }],
  [/^(browser_cookie3|rookiepy)\.[a-z_]+$/, { kind: "browser-store", note: "reads browser cookies" }],
  // A Solana keypair's secret accessors (the public key and signatures are not secrets).
  [SOLANA_KEYPAIR_SECRET, { kind: "keychain", note: "reads a wallet's private key (Solana Keypair)" }],
];

/** `bytes(keypair)` is its 64-byte secret key. */
export function keypairBytesSource(qname: string, argQname: string | undefined): ApiSource | undefined {
  if (qname !== "builtins.bytes" || !argQname || !SOLANA_KEYPAIR_OBJECT.test(argQname)) return undefined;
  return { kind: "keychain", note: "reads a wallet's private key (Solana Keypair)", detail: "bytes(Keypair)" };
}

/**
 * A credential read by API. `args` are the folded first argument (prompt text) and
 * whether any argument was given (netrc.netrc() without a path reads ~/.netrc).
 */
export function apiSource(qname: string, prompt: string | undefined, hasArgs: boolean): ApiSource | undefined {
  if (qname === "netrc.netrc" && hasArgs) return undefined; // a path: classified as a file read
  const known = API_SOURCES[qname];
  if (known) return known;
  // The SDK call is the detail: it names the credential's issuer (signatures/indicators.yaml).
  for (const [pattern, source] of API_SOURCE_PATTERNS) if (pattern.test(qname)) return { ...source, detail: qname };
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

/**
 * Libraries that consume a secret for what it is (log in to a database or mail server, load a
 * signing key, build a wallet from a seed, sign cloud requests): a secret-named parameter handed
 * to one of them is a real credential, whatever else the wrapper does with it.
 */
const CREDENTIAL_CONSUMER_MODULES = [
  "psycopg2", "psycopg", "pymysql", "MySQLdb", "mysql.connector", "pymssql", "cx_Oracle", "oracledb", "pymongo",
  "redis", "sqlalchemy", "ldap3", "ldap", "imaplib", "poplib", "smtplib", "ftplib", "winrm", "pypsrp", "pysnmp",
  "eth_account", "web3", "solders", "solana", "nacl.signing", "bitcoinlib", "bit", "ecdsa", "coincurve", "mnemonic",
  "bip_utils", "hdwallet", "tronpy", "bip32", "Crypto.PublicKey", "cryptography.hazmat.primitives.serialization",
  "boto3", "botocore", "pyotp", "jwt",
];

export function isCredentialConsumerCall(qname: string): boolean {
  return isSshClientCall(qname) || CREDENTIAL_CONSUMER_MODULES.some((m) => qname === m || qname.startsWith(`${m}.`));
}

/** Signing calls: the signature reveals the message (first argument), never the key. */
export function isSigningCall(qname: string): boolean {
  // A JWT signed with a key carries its claims, not the key.
  if (/^(jwt|jose\.jwt|jose\.jws|authlib\.jose\.jwt)\.(encode|sign)$/.test(qname)) return true;
  const last = qname.slice(qname.lastIndexOf(".") + 1);
  return /^(sign|sign_[a-z_]+|signHash|signTransaction|sign_transaction|sign_message|sign_typed_data)$/.test(last);
}

/** Attributes that are derived public data of a key object (an address, a public key). */
export const PUBLIC_KEY_ATTRIBUTES = /^(address|public_key|pubkey|public_key_hex|checksum_address|verify_key|public_bytes)$/;

/** Kind of source a secret-named parameter stands for. */
export function parameterSourceKind(name: string): SourceKind {
  if (/seed|mnemonic|wif|priv(ate)?_?key_?(hex|bytes|wif)|secret_?phrase/i.test(name)) return "keychain";
  return /key|pkey|identity/i.test(name) && !/api_?key|access_?key|secret_?key/i.test(name) ? "ssh-key" : "password-prompt";
}

/** Methods that read what an object holds (a file, a config parser, a path). */
export const NON_READING_PATH_METHODS = new Set([
  "exists", "is_file", "is_dir", "is_symlink", "stat", "lstat", "chmod", "mkdir", "touch", "unlink", "rmdir",
  "write_text", "write_bytes", "expanduser", "resolve", "absolute", "joinpath", "with_name", "with_suffix",
  "relative_to", "as_posix", "samefile", "match", "startswith", "endswith", "replace", "format", "split",
  "strip", "lower", "upper", "encode", "decode", "rstrip", "lstrip", "join",
]);

/** Commands whose output is a stored credential (`gh auth token`, `security find-generic-password -w` …). */
const CREDENTIAL_COMMANDS: [RegExp, ApiSource][] = [
  [/^gh auth (token|status -t|status --show-token)/, { kind: "git-credentials", note: "prints the GitHub CLI token (gh auth token)" }],
  [/^git credential(-[a-z]+)? (fill|get)\b/, { kind: "git-credentials", note: "asks git for stored credentials (git credential fill)" }],
  [/^git config (--global )?--get(-all)? [a-z.]*(token|password)/i, { kind: "git-credentials", note: "reads a token from git config" }],
  [/^security (find-generic-password|find-internet-password|dump-keychain)\b/, { kind: "keychain", note: "reads the macOS keychain (security)" }],
  [/^secret-tool (lookup|search)\b/, { kind: "keychain", note: "reads the Secret Service keyring (secret-tool)" }],
  [/^(cmdkey \/list|vaultcmd \/list)/i, { kind: "keychain", note: "lists Windows stored credentials" }],
  [/^(aws configure (get|export-credentials)|aws sts get-session-token|aws ecr get-login-password)\b/, { kind: "cloud-credentials", note: "prints AWS credentials (aws CLI)" }],
  [/^gcloud auth (print-access-token|print-identity-token|application-default print-access-token)\b/, { kind: "cloud-credentials", note: "prints a Google Cloud token (gcloud)" }],
  [/^az account get-access-token\b/, { kind: "cloud-credentials", note: "prints an Azure token (az)" }],
  [/^(kubectl config view --raw|kubectl get secrets?\b.*-o)/, { kind: "cloud-credentials", note: "prints Kubernetes credentials (kubectl)" }],
  [/^(npm (token list|config get .*(token|_auth))|pip config get .*password)/i, { kind: "registry-token", note: "prints a package-registry token" }],
  [/^(env|printenv|set|export -p)$/, { kind: "env-dump", note: "prints the whole environment" }],
  [/^netsh wlan (show|export) profiles?\b.*\bkey=clear\b/i, { kind: "system-secrets", note: "prints saved Wi-Fi passwords (netsh wlan … key=clear)" }],
  [/^nmcli\b.*(\s-s\b|--show-secrets\b|\s-g\s+\S*(802-11-wireless-security\.psk|\.password)\b)/i, { kind: "system-secrets", note: "prints saved Wi-Fi/VPN passwords (nmcli --show-secrets)" }],
];

/** The credential a command prints, from its program and arguments. */
export function commandSource(program: string, args: string[]): ApiSource | undefined {
  const line = [program.replace(/^.*[\\/]/, "").replace(/\.exe$/i, ""), ...args].join(" ");
  for (const [pattern, source] of CREDENTIAL_COMMANDS) if (pattern.test(line)) return { ...source, detail: line.slice(0, 120) };
  return undefined;
}

/** Cloud instance metadata services: what they return about credentials is a credential. */
const METADATA_HOSTS = /^(169\.254\.169\.254|169\.254\.170\.2|\[?fd00:ec2::254\]?|metadata\.google\.internal|metadata|100\.100\.100\.200)$/i;
const METADATA_CREDENTIAL_PATHS = /security-credentials|\/token|identity|service-accounts|\/iam\b|user-data|oauth|msi|\/api\/token|\/latest\/?\*?$|\/computeMetadata\/v1\/?\*?$|\/metadata\/?\*?$/i;

/** A request to a cloud metadata endpoint that returns credentials (instance role keys, tokens). */
export function metadataSource(url: string | undefined): { host: string; source: ApiSource } | undefined {
  if (!url) return undefined;
  const match = /^(?:[a-z]+:\/\/)?([^/:?#]+|\[[^\]]+\])(?::\d+)?(\/[^?#]*)?/i.exec(url.trim());
  const host = match?.[1];
  if (!host || !METADATA_HOSTS.test(host)) return undefined;
  const path = match[2] ?? "/";
  if (!METADATA_CREDENTIAL_PATHS.test(path) && !path.includes("*")) return undefined;
  return { host: host.toLowerCase(), source: { kind: "cloud-credentials", note: `reads cloud instance credentials from the metadata endpoint ${host}`, detail: url.slice(0, 200) } };
}
