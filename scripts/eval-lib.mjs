// Pure helpers shared by scripts/eval-real.mjs, scripts/build-real-corpus.mjs and
// scripts/eval-precision.mjs: label parsing, corpus layout discovery, package
// wrapping plans and recall/precision summaries. No I/O on scanned code here
// beyond listing directories; nothing is ever executed.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"];
export const LABEL_COLUMNS = ["ecosystem", "name", "version", "in_scope", "class", "reason", "source", "wrap"];
export const WRAPS = ["setup.py", "init", "pytree", "npm-install", "npm-main", "npmtree", "npmtree+postinstall", "datadog"];
export const CLASSES = [
  "credential-store",
  "library-backdoor",
  "unreached",
  "bundle",
  "staged",
  "channel",
  "env-ssh-cloud",
  "out-of-scope",
];

export function severityRank(s) {
  return SEVERITIES.indexOf(s);
}

/** Parse labels.tsv text. Returns { labels, errors } ; never throws on a bad row. */
export function parseLabels(text) {
  const labels = [];
  const errors = [];
  const seen = new Set();
  const lines = text.split(/\r?\n/);
  let header = null;
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith("#")) return;
    const cols = line.split("\t");
    if (!header) {
      header = cols;
      const missing = LABEL_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length) errors.push(`line ${i + 1}: header lacks ${missing.join(", ")}`);
      return;
    }
    if (cols.length !== header.length) {
      errors.push(`line ${i + 1}: ${cols.length} columns, header has ${header.length}`);
      return;
    }
    const row = Object.fromEntries(header.map((h, j) => [h, cols[j]]));
    if (row.ecosystem !== "npm" && row.ecosystem !== "pypi") errors.push(`line ${i + 1}: ecosystem must be npm or pypi`);
    else if (row.in_scope !== "yes" && row.in_scope !== "no") errors.push(`line ${i + 1}: in_scope must be yes or no`);
    else if (!CLASSES.includes(row.class)) errors.push(`line ${i + 1}: unknown class ${row.class}`);
    else if (row.in_scope === "no" && row.class !== "out-of-scope") errors.push(`line ${i + 1}: in_scope no needs class out-of-scope`);
    else if (row.in_scope === "yes" && row.class === "out-of-scope") errors.push(`line ${i + 1}: class out-of-scope needs in_scope no`);
    else if (!WRAPS.includes(row.wrap)) errors.push(`line ${i + 1}: unknown wrap ${row.wrap}`);
    else {
      const key = sampleKey(row.ecosystem, row.name, row.version);
      if (seen.has(key)) errors.push(`line ${i + 1}: duplicate sample ${key}`);
      else {
        seen.add(key);
        labels.push({ ...row, line: i + 1 });
      }
    }
  });
  if (!header) errors.push("empty labels file");
  return { labels, errors };
}

export function sampleKey(ecosystem, name, version) {
  return `${ecosystem}/${name}/${version}`;
}

/** `owner/repo@commit:path1|path2` (a path ending in / is a whole folder). */
export function parseSource(source) {
  const m = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{7,40}):(.+)$/.exec(source);
  if (!m) return null;
  return { repo: m[1], commit: m[2], paths: m[3].split("|") };
}

function dirs(base) {
  try {
    return readdirSync(base).filter((n) => !n.startsWith(".") && statSync(join(base, n)).isDirectory());
  } catch {
    return [];
  }
}

/**
 * Samples under a corpus root, in either layout:
 *   plain:   <eco>/<name>/<version>/<files>
 *   DataDog: <eco>/malicious_intent/<name>/<version>/*.zip  (encrypted, password "infected")
 * Scoped npm names are stored with "@scope+name" or as <eco>/@scope/name/<version>.
 */
/**
 * The folder prefix dropped from each copied path when a sample is wrapped.
 * npmtree keeps the package layout: paths stay relative to the deepest listed
 * package.json whose folder holds the entry (so `main: src/index.js` holds).
 * Otherwise: a leading folder path, else the entry's own folder.
 */
export function stripPrefix(wrap, paths, files) {
  const entry = files[0];
  if (wrap.startsWith("npmtree")) {
    const root = files
      .filter((f) => f === "package.json" || f.endsWith("/package.json"))
      .map((f) => f.slice(0, f.length - "package.json".length))
      .filter((d) => entry.startsWith(d))
      .sort((a, b) => b.length - a.length)[0];
    if (root !== undefined) return root;
  }
  if (paths[0].endsWith("/")) return paths[0];
  const slash = entry.lastIndexOf("/");
  return slash < 0 ? "" : entry.slice(0, slash + 1);
}

export function discoverSamples(root) {
  const out = [];
  for (const eco of ["npm", "pypi"]) {
    const ecoDir = join(root, eco);
    for (const top of dirs(ecoDir)) {
      if (top === "malicious_intent" || top === "compromised_lib") {
        for (const name of dirs(join(ecoDir, top))) {
          for (const version of dirs(join(ecoDir, top, name))) {
            const dir = join(ecoDir, top, name, version);
            const zips = readdirSync(dir).filter((f) => f.endsWith(".zip"));
            out.push({ ecosystem: eco, name, version, layout: "datadog", dir, zips });
          }
        }
        continue;
      }
      const scoped = top.startsWith("@") && !top.includes("+") ? dirs(join(ecoDir, top)).map((n) => [`${top}/${n}`, join(ecoDir, top, n)]) : [[top, join(ecoDir, top)]];
      for (const [rawName, nameDir] of scoped) {
        const name = rawName.replace(/^(@[^+/]+)\+/, "$1/");
        for (const version of dirs(nameDir)) {
          out.push({ ecosystem: eco, name, version, layout: "plain", dir: join(nameDir, version) });
        }
      }
    }
  }
  return out.sort((a, b) => sampleKey(a.ecosystem, a.name, a.version).localeCompare(sampleKey(b.ecosystem, b.name, b.version)));
}

/** Highest finding, preferring credential findings at equal severity. */
export function topFinding(findings) {
  let best = null;
  for (const f of findings ?? []) {
    if (!best) best = f;
    else {
      const d = severityRank(f.severity) - severityRank(best.severity);
      if (d > 0 || (d === 0 && f.source && !best.source)) best = f;
    }
  }
  return best;
}

/** Condense one scan's JSON report (or failure) into what the summary needs. */
export function condense(report, failure) {
  if (failure) return { status: "error", error: failure, maxSeverity: null, top: null, findings: 0 };
  const findings = report.findings ?? [];
  const top = topFinding(findings);
  const errors = (report.errors ?? []).map((e) => e.message);
  return {
    status: "ok",
    error: errors.length ? errors.join("; ") : null,
    maxSeverity: top ? top.severity : null,
    credential: findings.some((f) => f.source),
    credentialHigh: findings.some((f) => f.source && severityRank(f.severity) >= severityRank("high")),
    top: top
      ? {
          ruleId: top.ruleId,
          severity: top.severity,
          message: top.message,
          location: top.location ? `${top.location.file}:${top.location.line ?? ""}` : "",
          trigger: top.trigger ?? null,
        }
      : null,
    findings: findings.length,
  };
}

function rate(n, d) {
  return { caught: n, total: d, pct: d ? Math.round((1000 * n) / d) / 10 : null };
}

/**
 * Join scan results with labels. results: [{ecosystem,name,version, ...condense()}].
 * A sample whose scan failed is never counted as caught (it stays in the
 * denominator and is listed under errors).
 */
export function summarize(results, labels) {
  const byKey = new Map(labels.map((l) => [sampleKey(l.ecosystem, l.name, l.version), l]));
  const joined = results.map((r) => ({ ...r, label: byKey.get(sampleKey(r.ecosystem, r.name, r.version)) ?? null }));
  const high = (r) => r.status === "ok" && r.maxSeverity !== null && severityRank(r.maxSeverity) >= severityRank("high");
  const any = (r) => r.status === "ok" && r.maxSeverity !== null;
  const flow = (r) => r.status === "ok" && r.credentialHigh === true;
  const inScope = joined.filter((r) => r.label?.in_scope === "yes");
  const outScope = joined.filter((r) => r.label?.in_scope === "no");
  const perEco = {};
  for (const eco of ["npm", "pypi"]) {
    const s = inScope.filter((r) => r.ecosystem === eco);
    perEco[eco] = { high: rate(s.filter(high).length, s.length), credentialFlow: rate(s.filter(flow).length, s.length), any: rate(s.filter(any).length, s.length) };
  }
  const perClass = {};
  for (const r of inScope) {
    const c = (perClass[r.label.class] ??= { n: 0, high: 0, any: 0 });
    c.n++;
    if (high(r)) c.high++;
    if (any(r)) c.any++;
  }
  const misses = inScope
    .filter((r) => !high(r) && r.status === "ok")
    .map((r) => ({ key: sampleKey(r.ecosystem, r.name, r.version), class: r.label.class, reason: r.label.reason, top: r.top, warning: r.error }));
  const errors = joined
    .filter((r) => r.status === "error")
    .map((r) => ({ key: sampleKey(r.ecosystem, r.name, r.version), in_scope: r.label?.in_scope ?? "unlabelled", error: r.error }));
  const outFlagged = outScope
    .filter(high)
    .map((r) => ({ key: sampleKey(r.ecosystem, r.name, r.version), reason: r.label.reason, top: r.top }));
  const unlabelled = joined.filter((r) => !r.label).map((r) => sampleKey(r.ecosystem, r.name, r.version));
  const scannedKeys = new Set(results.map((r) => sampleKey(r.ecosystem, r.name, r.version)));
  const missingSamples = labels.filter((l) => !scannedKeys.has(sampleKey(l.ecosystem, l.name, l.version))).map((l) => sampleKey(l.ecosystem, l.name, l.version));
  return {
    samples: results.length,
    inScope: inScope.length,
    outOfScope: outScope.length,
    recall: perEco,
    recallAll: {
      high: rate(inScope.filter(high).length, inScope.length),
      credentialFlow: rate(inScope.filter(flow).length, inScope.length),
      any: rate(inScope.filter(any).length, inScope.length),
    },
    perClass,
    misses,
    errors,
    outOfScopeFlagged: { count: outFlagged.length, of: outScope.length, samples: outFlagged },
    unlabelled,
    missingSamples,
  };
}

function pct(r) {
  return r.total ? `${r.caught}/${r.total} (${r.pct}%)` : "0/0";
}

export function formatSummary(s) {
  const out = [];
  out.push(`samples scanned: ${s.samples}  in scope: ${s.inScope}  out of scope: ${s.outOfScope}  unlabelled: ${s.unlabelled.length}`);
  out.push("");
  out.push("recall on the in-scope subset   high+            high+ credential flow   any severity");
  for (const eco of ["pypi", "npm"]) out.push(`  ${eco.padEnd(30)}${pct(s.recall[eco].high).padEnd(17)}${pct(s.recall[eco].credentialFlow).padEnd(24)}${pct(s.recall[eco].any)}`);
  out.push(`  ${"all".padEnd(30)}${pct(s.recallAll.high).padEnd(17)}${pct(s.recallAll.credentialFlow).padEnd(24)}${pct(s.recallAll.any)}`);
  out.push("");
  out.push("per class (in scope)             high+            any severity");
  for (const [c, v] of Object.entries(s.perClass).sort()) {
    out.push(`  ${c.padEnd(30)}${pct({ caught: v.high, total: v.n, pct: Math.round((1000 * v.high) / v.n) / 10 }).padEnd(17)}${pct({ caught: v.any, total: v.n, pct: Math.round((1000 * v.any) / v.n) / 10 })}`);
  }
  out.push("");
  out.push(`misses at high+ (${s.misses.length}):`);
  for (const m of s.misses) {
    const top = m.top ? `${m.top.severity} ${m.top.ruleId} @ ${m.top.location}: ${m.top.message}` : "no finding";
    out.push(`  ${m.key} [${m.class}] ${m.reason}`);
    out.push(`      got: ${top}${m.warning ? `  (warnings: ${m.warning.slice(0, 160)})` : ""}`);
  }
  out.push("");
  out.push(`scan errors (${s.errors.length}; never counted as caught):`);
  for (const e of s.errors) out.push(`  ${e.key} [${e.in_scope}] ${String(e.error).slice(0, 200)}`);
  out.push("");
  out.push(`out-of-scope samples flagged high+: ${s.outOfScopeFlagged.count}/${s.outOfScopeFlagged.of}`);
  for (const o of s.outOfScopeFlagged.samples) out.push(`  ${o.key}: ${o.top.severity} ${o.top.ruleId} @ ${o.top.location} (${o.reason})`);
  if (s.unlabelled.length) out.push("", `unlabelled samples (${s.unlabelled.length}): ${s.unlabelled.join(" ")}`);
  if (s.missingSamples.length) out.push("", `labelled but absent from the corpus (${s.missingSamples.length}): ${s.missingSamples.join(" ")}`);
  return out.join("\n");
}

/** Precision summary over scanned benign packages. */
export function summarizePrecision(results) {
  const flagged = (r) => r.status === "ok" && r.maxSeverity !== null && severityRank(r.maxSeverity) >= severityRank("high");
  return {
    packages: results.length,
    errors: results.filter((r) => r.status === "error").map((r) => ({ name: r.name, error: r.error })),
    highOrCritical: results.filter(flagged).map((r) => ({ name: r.name, findings: r.hits.filter((f) => severityRank(f.severity) >= severityRank("high")) })),
    credential: results.filter((r) => r.status === "ok" && r.hits.some((f) => f.source)).map((r) => ({ name: r.name, findings: r.hits.filter((f) => f.source) })),
  };
}
