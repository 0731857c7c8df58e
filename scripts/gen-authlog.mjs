#!/usr/bin/env node
// Writes a synthetic OpenSSH auth.log of N lines (deterministic: same seed, same file).
// Usage: node scripts/gen-authlog.mjs <lines> [out=-] [seed=42]
// Mix: accepted logins, password guessing from a pool of sources (fast and slow), invalid
// users, PAM lines, preauth disconnects, cron noise — roughly the shape of an internet-facing host.
import { createWriteStream } from "node:fs";

const total = Number(process.argv[2] ?? 1_000_000);
const out = process.argv[3] && process.argv[3] !== "-" ? createWriteStream(process.argv[3]) : process.stdout;
let seed = Number(process.argv[4] ?? 42) >>> 0;

/** mulberry32: tiny deterministic PRNG */
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const users = ["root", "admin", "ubuntu", "test", "oracle", "postgres", "git", "user", "pi", "deploy"];
const valid = ["alice", "bob", "deploy"];
const attackers = Array.from({ length: 400 }, (_, i) => `${45 + (i % 150)}.${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 250 + 1}`);
const friends = ["192.0.2.10", "192.0.2.11", "198.51.100.5"];

let time = Date.UTC(2024, 7, 1, 0, 0, 0);
let pid = 10_000;
let written = 0;
let buffer = [];

function stamp() {
  const d = new Date(time);
  const day = String(d.getUTCDate()).padStart(2, " ");
  const hms = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${hms}`;
}
function emit(program, id, message) {
  if (written >= total) return;
  buffer.push(`${stamp()} web1 ${program}[${id}]: ${message}`);
  written++;
}

function guessingConnection() {
  const ip = pick(attackers);
  const port = 30000 + Math.floor(random() * 30000);
  const session = ++pid;
  const invalid = random() < 0.4;
  const user = pick(users);
  if (invalid) emit("sshd-session", session, `Invalid user ${user} from ${ip} port ${port}`);
  const tries = 1 + Math.floor(random() * 6);
  for (let i = 0; i < tries; i++) {
    time += Math.floor(random() * 3000);
    emit("sshd-session", session, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`);
    emit("sshd-session", session, `Failed password for ${invalid ? "invalid user " : ""}${user} from ${ip} port ${port} ssh2`);
  }
  if (tries === 6) {
    emit("sshd-session", session, `error: maximum authentication attempts exceeded for ${invalid ? "invalid user " : ""}${user} from ${ip} port ${port} ssh2 [preauth]`);
    emit("sshd-session", session, `Disconnecting ${invalid ? "invalid" : "authenticating"} user ${user} ${ip} port ${port}: Too many authentication failures [preauth]`);
  } else {
    emit("sshd-session", session, `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
    emit("sshd-session", session, `Disconnected from ${invalid ? "invalid" : "authenticating"} user ${user} ${ip} port ${port} [preauth]`);
  }
}

function goodLogin() {
  const ip = pick(friends);
  const port = 50000 + Math.floor(random() * 10000);
  const session = ++pid;
  const user = pick(valid);
  emit("sshd-session", session, `Accepted publickey for ${user} from ${ip} port ${port} ssh2: ED25519 SHA256:Nh0Me49Zh9fDw/VYUfq43IJmI1T+XrjiYONPND8GzaM`);
  emit("sshd-session", session, `pam_unix(sshd:session): session opened for user ${user}(uid=1000) by ${user}(uid=0)`);
  time += 60_000 + Math.floor(random() * 600_000);
  emit("sshd-session", session, `Received disconnect from ${ip} port ${port}:11: disconnected by user`);
  emit("sshd-session", session, `Disconnected from user ${user} ${ip} port ${port}`);
  emit("sshd-session", session, `pam_unix(sshd:session): session closed for user ${user}`);
}

function scanner() {
  const ip = pick(attackers);
  emit("sshd-session", ++pid, `Connection closed by ${ip} port ${30000 + Math.floor(random() * 30000)} [preauth]`);
}

function noise() {
  emit("CRON", ++pid, "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)");
}

while (written < total) {
  time += Math.floor(random() * 4000);
  const r = random();
  if (r < 0.7) guessingConnection();
  else if (r < 0.8) scanner();
  else if (r < 0.9) noise();
  else goodLogin();
  if (buffer.length >= 10_000) {
    if (!out.write(`${buffer.join("\n")}\n`)) await new Promise((resolve) => out.once("drain", resolve));
    buffer = [];
  }
}
if (buffer.length) out.write(`${buffer.join("\n")}\n`);
if (out !== process.stdout) out.end();
