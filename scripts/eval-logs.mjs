#!/usr/bin/env node
// Agreement of exfilscan's sshd events with an annotated public test log (fail2ban's
// tests/files/logs/sshd and sshd-journal: every log line is preceded by
// `# failJSON: {"match": true|false, "host": …}`). Read-only measurement: the annotated
// files are fetched by the person measuring and never committed.
//
//   node scripts/eval-logs.mjs <fail2ban sshd file> [more files] [--misses]
//   node scripts/eval-logs.mjs --crowdsec <crowdsec hub .tests/<name> dir> [more dirs] [--misses]
//
// For each annotated line it asks: does exfilscan turn this line into an authentication
// failure event, and with the same source host? The block's first `filterOptions` mode
// decides which noise lines count as failures (fail2ban's ddos/extra/aggressive modes),
// and a failed `publickey` for a valid user is not a failure (fail2ban's default).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const rootFlag = process.argv.indexOf("--root");
const root = rootFlag > 0 ? process.argv[rootFlag + 1] : join(dirname(fileURLToPath(import.meta.url)), "..");
const { syslogParser } = await import(join(root, "dist/logs/parsers/syslog.js"));
const { parseSshdMessage } = await import(join(root, "dist/logs/parsers/sshd.js"));
const { SshdContext } = await import(join(root, "dist/logs/parsers/sshd-context.js")).catch(() => ({ SshdContext: class { complete() {} } }));
const net = await import(join(root, "dist/logs/net.js"));
const normaliseIp = net.normaliseIp ?? ((text) => net.unmapIpv4?.(text) ?? text);

const AUTH_FAILURES = new Set(["ssh_invalid_user", "ssh_pam_auth_failure", "ssh_max_auth_attempts", "ssh_not_allowed", "ssh_refused_connect"]);
const DDOS = new Set(["ssh_grace_timeout", "ssh_no_identification", "ssh_bad_protocol", "ssh_kex_failure", "ssh_dispatch_fatal"]);
const EXTRA = new Set(["ssh_negotiation_failure"]);

function isFailure(event, mode) {
  if (!event || event.outcome !== "failure") {
    if (event?.action === "ssh_disconnect" && event.phase === "preauth" && (mode === "ddos" || mode === "aggressive")) return true;
    // extra mode (mdre-extra-other): "Disconnected from invalid|authenticating user … [preauth]"
    if (event?.action === "ssh_disconnect" && event.phase === "preauth" && mode === "extra" && event.reason === "Disconnected" && (event.preamble === "invalid" || event.preamble === "authenticating")) return true;
    return false;
  }
  if (event.action === "ssh_login") return !(event.method === "publickey" && !event.invalidUser);
  if (AUTH_FAILURES.has(event.action)) return true;
  if (event.action === "ssh_disconnect") return true; // disconnects sshd itself marks as failures (too many failures, Auth fail)
  if (DDOS.has(event.action)) return mode === "ddos" || mode === "aggressive";
  if (EXTRA.has(event.action)) return mode === "extra" || mode === "aggressive";
  return false;
}

const sameHost = (ours, theirs) => {
  if (!theirs) return true;
  if (!ours) return false;
  const a = normaliseIp(ours) ?? ours.toLowerCase();
  const b = normaliseIp(theirs) ?? theirs.toLowerCase();
  return a === b;
};

const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--root");
const showMisses = process.argv.includes("--misses");
if (process.argv.includes("--crowdsec")) {
  crowdsec(files);
  process.exit(0);
}
let total = 0;
let agree = 0;
for (const file of files) {
  const lines = readFileSync(file, "utf8").split("\n");
  let mode = "normal";
  let expectation;
  let fileAgree = 0;
  let fileTotal = 0;
  const journal = lines.some((l) => l.includes('"logtype": "journal"'));
  const context = new SshdContext();
  const session = syslogParser.open({ file, referenceMs: Date.UTC(2005, 11, 31), offsetMinutes: 0 });
  lines.forEach((line, index) => {
    const options = /^# filterOptions: (.*)$/.exec(line);
    if (options) {
      const first = JSON.parse(options[1])[0] ?? {};
      mode = first.mode ?? "normal";
      return;
    }
    const fail = /^# failJSON: (.*)$/.exec(line);
    if (fail) {
      expectation = JSON.parse(fail[1]);
      return;
    }
    if (line.startsWith("#") || line.trim() === "") return;
    const expected = expectation ?? { match: false };
    expectation = undefined;
    if (expected.constraint && /aggressive/.test(expected.constraint)) {
      const wantsAggressive = /== 'aggressive'/.test(expected.constraint);
      if (wantsAggressive !== (mode === "aggressive")) return;
    }
    const out = [];
    if (journal) {
      const m = /^\S+ ([^\s:[]+)(?:\[(\d+)\])?: (.*)$/.exec(line);
      const event = m ? parseSshdMessage(m[3], { timestamp: 0, file, line: index + 1, format: "journald", program: m[1], ...(m[2] ? { pid: Number(m[2]) } : {}) }) : undefined;
      if (event) {
        context.complete(event);
        out.push(event);
      }
    } else session.line(line, index + 1, 0, out);
    const failure = out.find((e) => isFailure(e, mode));
    const ok = expected.match ? Boolean(failure) && sameHost(failure.sourceIp ?? failure.sourceDomain, expected.host) : !failure;
    fileTotal++;
    if (ok) fileAgree++;
    else if (showMisses) console.log(`${file}:${index + 1} expected ${expected.match ? `failure from ${expected.host ?? "?"}` : "no failure"}, got ${failure ? `${failure.action} ${failure.sourceIp ?? failure.sourceDomain ?? ""}` : out.map((e) => e.action).join(",") || "nothing"}\n  ${line.slice(0, 160)}`);
  });
  total += fileTotal;
  agree += fileAgree;
  console.log(`${file}: ${fileAgree}/${fileTotal} lines agree (${((100 * fileAgree) / fileTotal).toFixed(1)} %)`);
}
if (files.length > 1) console.log(`all: ${agree}/${total} (${((100 * agree) / total).toFixed(1)} %)`);

/**
 * crowdsec's hub parser tests (crowdsecurity/hub .tests/sshd-logs and its siblings): each line
 * of the test log has, in parser.assert, whether crowdsecurity/sshd-logs (or sshd-success-logs) parsed it
 * (`results["s01-parse"]["crowdsecurity/sshd-logs"][N].Success`) and its `log_type`,
 * `source_ip` and `target_user`. A line agrees when exfilscan's event is of the kind that
 * log_type names with the same source (and user, when crowdsec gives one), or, for a line
 * crowdsec does not parse, when exfilscan gives no event of any of those kinds.
 */
function crowdsecKind(event) {
  if (!event) return undefined;
  switch (event.action) {
    case "ssh_login":
      return event.outcome === "success" ? "auth_success" : "ssh_failed-auth";
    case "ssh_invalid_user":
    case "ssh_pam_auth_failure":
    case "ssh_max_auth_attempts":
    case "ssh_not_allowed":
      return "ssh_failed-auth";
    case "ssh_disconnect":
      return event.outcome === "failure" || event.preamble === "authenticating" || event.preamble === "invalid" ? "ssh_failed-auth" : undefined;
    case "ssh_negotiation_failure":
      return "ssh_bad_keyexchange";
    case "ssh_grace_timeout":
      return "ssh_auth_timeout";
    case "ssh_kex_failure":
      return event.reason?.startsWith("ssh_dispatch_run_fatal") ? "ssh_dispatch_fatal" : "ssh_kex_failure";
    case "ssh_refused_connect":
      return "ssh_refused_conn";
    default:
      return undefined;
  }
}

function crowdsec(dirs) {
  let total = 0;
  let agree = 0;
  for (const dir of dirs) {
    const config = readFileSync(join(dir, "config.yaml"), "utf8");
    const logFile = /^log_file:\s*(\S+)/m.exec(config)?.[1];
    let asserts;
    try {
      asserts = readFileSync(join(dir, "parser.assert"), "utf8");
    } catch {
      continue;
    }
    if (!logFile || !/"crowdsecurity\/sshd(?:-success)?-logs"/.test(asserts)) continue;
    const expected = new Map();
    const pattern = /^results\["s01-parse"\]\["crowdsecurity\/sshd(?:-success)?-logs"\]\[(\d+)\]\.(?:Success == (true|false)|Evt\.Meta\["(\w+)"\] == "(.*)")$/gm;
    for (const m of asserts.matchAll(pattern)) {
      const entry = expected.get(Number(m[1])) ?? {};
      if (m[2]) entry.success = m[2] === "true";
      else entry[m[3]] = m[4];
      expected.set(Number(m[1]), entry);
    }
    const lines = readFileSync(join(dir, logFile), "utf8").split("\n").filter((l) => l.trim() !== "");
    const session = syslogParser.open({ file: logFile, referenceMs: Date.UTC(2025, 0, 1), offsetMinutes: 0 });
    let dirAgree = 0;
    lines.forEach((line, index) => {
      const want = expected.get(index);
      if (!want) return;
      const out = [];
      session.line(line, index + 1, 0, out);
      const event = out.find((e) => crowdsecKind(e) !== undefined);
      const kind = crowdsecKind(event);
      let ok;
      if (!want.success) ok = kind === undefined;
      else {
        ok = kind === want.log_type && sameHost(event.sourceIp ?? event.sourceDomain, want.source_ip) && (!(want.target_user ?? want.user) || event.user === (want.target_user ?? want.user));
      }
      total++;
      if (ok) dirAgree++;
      else if (showMisses) console.log(`${dir}/${logFile}:${index + 1} expected ${want.success ? `${want.log_type} from ${want.source_ip ?? "?"}${want.target_user ? ` user ${want.target_user}` : ""}` : "not parsed"}, got ${event ? `${kind} ${event.sourceIp ?? event.sourceDomain ?? ""} user ${event.user ?? "-"}` : out.map((e) => e.action).join(",") || "nothing"}\n  ${line.slice(0, 160)}`);
    });
    agree += dirAgree;
    console.log(`${dir}: ${dirAgree}/${expected.size} lines agree (${((100 * dirAgree) / expected.size).toFixed(1)} %)`);
  }
  console.log(`all: ${agree}/${total} (${((100 * agree) / total).toFixed(1)} %)`);
}
