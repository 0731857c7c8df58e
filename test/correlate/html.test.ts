// The HTML report: every value from logs and packages is shown as text, never run; the file
// needs no script and loads nothing. Checked in a real headless Chromium (Debian's chromium;
// .ci/run installs it), skipped with a message only where it is not installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml, renderHtml } from "../../src/correlate/html.js";
import type { CorrelateReport } from "../../src/correlate/types.js";
import { runCli } from "../helpers/cli.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/correlate/html.test.ts: ${CHROMIUM} not installed (apt-get install chromium): browser checks skipped`);

const tmp = mkdtempSync(join(tmpdir(), "exfilscan-html-"));
const PAYLOAD = `<script>document.title="pwned";window.__pwned=1;fetch("http://127.0.0.1:9/leak")</script><img src="http://127.0.0.1:9/img" onerror="window.__pwned=2">`;

/** The incident fixture's findings plus a second, hostile package whose every string carries markup. */
function hostileFindings(): string {
  const report = JSON.parse(readFileSync("fixtures/correlate/findings.json", "utf8")) as { findings: Record<string, unknown>[] };
  const original = report.findings[0]!;
  report.findings[0] = { ...original, message: `${String(original["message"])} ${PAYLOAD}` };
  report.findings.push({
    ...original, fingerprint: "hostile", message: PAYLOAD,
    package: { ecosystem: "npm", name: `evil${PAYLOAD}`, version: "1.0.0" },
    location: { file: `lib/${PAYLOAD}.js`, line: 1, column: 1 },
    indicators: [{ type: "domain", value: `x"><svg onload="window.__pwned=3">.example` }],
  });
  const file = join(tmp, "hostile-findings.json");
  writeFileSync(file, JSON.stringify(report));
  return file;
}

describe("escapeHtml", () => {
  it("escapes markup, quotes and control characters", () => {
    expect(escapeHtml(`<a href='x'>"&</a>\x1b[31m`)).toBe("&lt;a href=&#39;x&#39;&gt;&quot;&amp;&lt;/a&gt;\\x1b[31m");
  });

  it("leaves no tag of attacker text in the rendered page", () => {
    const report: CorrelateReport = {
      schemaVersion: 1, tool: { name: "exfilscan", version: PAYLOAD },
      coverage: { from: "2026-10-14T09:00:00.000Z", to: "2026-10-14T10:00:00.000Z", events: 1, windowHours: 168 },
      inputs: { findings: [PAYLOAD], logs: [] },
      incidents: [{
        id: PAYLOAD, package: { ecosystem: "npm", name: PAYLOAD, version: PAYLOAD }, host: PAYLOAD, user: PAYLOAD,
        severity: "critical", confidence: "high", attack: [PAYLOAD], summary: PAYLOAD,
        findings: [{ ruleId: PAYLOAD, severity: "critical", message: PAYLOAD, file: PAYLOAD, line: 1, fingerprint: PAYLOAD }],
        steps: [{ kind: "connection", timestamp: "2026-10-14T09:00:00.000Z", title: PAYLOAD, confidence: "high", attack: [PAYLOAD], reason: PAYLOAD, evidence: [{ file: PAYLOAD, line: 2, text: PAYLOAD }] }],
        gaps: [PAYLOAD],
      }],
      statements: [{ kind: "not-observed", text: PAYLOAD }], errors: [{ input: PAYLOAD, message: PAYLOAD }],
      summary: { incidents: 1, packages: 1, findings: 1 },
    };
    const html = renderHtml(report);
    expect(html).not.toMatch(/<script|<img|onerror="|onload="/i);
    expect(html).toContain("&lt;script&gt;document.title=&quot;pwned&quot;");
  });
});

describe.skipIf(!hasChromium)("the HTML report in headless Chromium", () => {
  let context: BrowserContext;
  const profile = mkdtempSync(join(tmpdir(), "exfilscan-chromium-"));
  const reportFile = join(tmp, "report.html");
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { code, stderr } = runCli(["correlate", "--findings", hostileFindings(), "--learning-window", "1d", "--format", "html", "-o", reportFile, "fixtures/correlate/incident"]);
    expect(code, stderr).toBe(1);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    context.on("request", (request) => requests.push(request.url()));
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(pathToFileURL(reportFile).href, { waitUntil: "load" });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it("draws the timeline: the incident, its chart and every step", async () => {
    const page = context.pages()[0]!;
    expect(await page.locator("section.incident[id^=INC-]").count()).toBe(1);
    expect(await page.locator("section.incident svg circle").count()).toBe(8);
    const kinds = await page.locator("tr.step").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")));
    expect(kinds).toEqual(["install", "dns", "credential-read", "connection", "connection", "stolen-key-login", "ssh-alert", "ssh-alert"]);
    const text = await page.locator("body").innerText();
    expect(text).toContain("ssh-decorate@0.0.3 on dev1 (alice)");
    expect(text).toContain("read /home/alice/.ssh/id_rsa");
  });

  it("shows injected markup as text and never runs it", async () => {
    const page = context.pages()[0]!;
    expect(await page.title()).toMatch(/^exfilscan correlate/);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("script, img, [onerror], [onload]").count()).toBe(0);
    const text = await page.locator("body").innerText();
    expect(text).toContain('<script>document.title="pwned"');
    expect(text).toContain('x"><svg onload="window.__pwned=3">.example');
  });

  it("makes no network request and logs no error", () => {
    expect(requests).toEqual([pathToFileURL(reportFile).href]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("needs no JavaScript: the file holds no script at all", () => {
    expect(readFileSync(reportFile, "utf8")).not.toMatch(/<script/i);
  });
});
