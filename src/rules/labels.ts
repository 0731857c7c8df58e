// Human words and ATT&CK ids for source kinds and sink channels, used in messages.
import type { SinkChannel, SourceKind } from "./schema.js";

export const SOURCE_LABELS: Record<SourceKind, string> = {
  "ssh-key": "SSH private key",
  "ssh-config": "SSH configuration",
  "password-prompt": "password",
  "registry-token": "package-registry token",
  "git-credentials": "git credentials",
  netrc: ".netrc credentials",
  "cloud-credentials": "cloud credentials",
  "env-dump": "whole environment",
  "env-secret": "secret environment variable",
  "env-file": ".env secrets file",
  "browser-store": "browser/Discord token store",
  keychain: "keychain secrets",
  "system-secrets": "system account/password file",
};

export const SOURCE_ATTACK: Record<SourceKind, string> = {
  "ssh-key": "T1552.004",
  "ssh-config": "T1552.001",
  "password-prompt": "T1056",
  "registry-token": "T1552.001",
  "git-credentials": "T1552.001",
  netrc: "T1552.001",
  "cloud-credentials": "T1552.001",
  "env-dump": "T1552",
  "env-secret": "T1552",
  "env-file": "T1552.001",
  "browser-store": "T1555.003",
  keychain: "T1555.001",
  "system-secrets": "T1003.008",
};

export const CHANNEL_LABELS: Record<SinkChannel, string> = {
  http: "HTTP",
  socket: "a raw socket",
  dns: "DNS queries",
  websocket: "WebSocket",
  mail: "mail",
  ftp: "FTP",
  shell: "a shell command",
};

export const CHANNEL_ATTACK: Record<SinkChannel, string> = {
  http: "T1041",
  socket: "T1041",
  dns: "T1048.003",
  websocket: "T1041",
  mail: "T1048.003",
  ftp: "T1048.003",
  shell: "T1041",
};

export function joinWords(words: string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? "";
  return `${unique.slice(0, -1).join(", ")} and ${unique.at(-1)}`;
}
