import { describe, expect, it } from "vitest";
import { emptyFacts, type FlowFact, type PackageFacts, type SinkFact, type SourceFact, type Trigger } from "../../src/analyzers/facts.js";
import { evaluateFacts } from "../../src/rules/evaluate.js";
import { loadSignatures } from "../../src/rules/signatures.js";

const signatures = loadSignatures();
const pkg = { ecosystem: "npm" as const, name: "demo", version: "1.0.0" };
const at = (line: number, file = "index.js") => ({ file, line, column: 1 });

function source(kind: SourceFact["kind"], trigger: Trigger = "call", line = 1, detail?: string): SourceFact {
  return { kind, location: at(line), note: `reads ${kind}`, trigger, ...(detail ? { detail } : {}) };
}
function sink(destination: string | undefined, trigger: Trigger = "call", line = 5, extra: Partial<SinkFact> = {}): SinkFact {
  return { channel: "http", location: at(line), note: "https.request()", trigger, ...(destination ? { destination } : {}), ...extra };
}
function flow(src: SourceFact, snk: SinkFact, use?: FlowFact["use"]): FlowFact {
  return { source: src, sink: snk, steps: [{ ...src.location, note: src.note }, { ...snk.location, note: snk.note }], ...(use ? { use } : {}) };
}
function factsWith(parts: Partial<PackageFacts>): PackageFacts {
  return { ...emptyFacts("npm"), ...parts };
}
const summary = (facts: PackageFacts) => evaluateFacts(facts, pkg, signatures).map((f) => `${f.ruleId} ${f.severity} ${f.location.line}`);

describe("credential flows", () => {
  it("is critical when a key goes to a known foreign host, with indicators and ATT&CK", () => {
    const src = source("ssh-key");
    const snk = sink("http://ssh-decorate.cf/index.php");
    const [finding, ...rest] = evaluateFacts(factsWith({ sources: [src], sinks: [snk], flows: [flow(src, snk)] }), pkg, signatures);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: "credential-exfiltration",
      severity: "critical",
      message: "SSH private key sent by HTTP to ssh-decorate.cf",
      location: at(5),
      source: "ssh-key",
      sink: "http",
    });
    expect(finding!.indicators).toEqual([
      { type: "domain", value: "ssh-decorate.cf" },
      { type: "url", value: "http://ssh-decorate.cf/index.php" },
    ]);
    expect(finding!.attack).toEqual(expect.arrayContaining(["T1552.004", "T1041"]));
    expect(finding!.flow.map((s) => s.line)).toEqual([1, 5]);
  });

  it("names every credential that reaches one sink in one finding", () => {
    const key = source("ssh-key", "call", 1);
    const password = source("password-prompt", "call", 2);
    const snk = sink("https://collector.example.invalid/x");
    const findings = evaluateFacts(factsWith({ flows: [flow(key, snk), flow(password, snk)] }), pkg, signatures);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toBe("Password and SSH private key sent by HTTP to collector.example.invalid");
  });

  it("is not a finding when the credential authenticates to its issuer", () => {
    const token = source("registry-token", "call", 1, "~/.npmrc");
    expect(summary(factsWith({ flows: [flow(token, sink("https://registry.npmjs.org/-/whoami"), "auth")] }))).toEqual([]);
    expect(summary(factsWith({ flows: [flow(token, sink(undefined, "call", 5, { destinationFromSource: true }))] }))).toEqual([]);
    const aws = source("cloud-credentials", "call", 1, "~/.aws/credentials");
    expect(summary(factsWith({ flows: [flow(aws, sink("https://s3.eu-west-1.amazonaws.com/b"), "auth")] }))).toEqual([]);
    const github = source("env-secret", "call", 1, "GITHUB_TOKEN");
    expect(summary(factsWith({ flows: [flow(github, sink("https://api.github.com/user"), "auth")] }))).toEqual([]);
    // Used at install time too (a postinstall fetching a private release with GITHUB_TOKEN).
    const githubAtInstall = source("env-secret", "install", 1, "GITHUB_TOKEN");
    expect(summary(factsWith({ flows: [flow(githubAtInstall, sink("https://api.github.com/repos/o/r/releases", "install"), "auth")] }))).toEqual([]);
  });

  it("is exfiltration when the credential's value is copied, whatever the host", () => {
    const github = source("env-secret", "call", 1, "GITHUB_TOKEN");
    // A token in the body of a gist is published, not used.
    expect(summary(factsWith({ flows: [flow(github, sink("https://api.github.com/gists"), "payload")] }))).toEqual(["credential-exfiltration critical 5"]);
    expect(summary(factsWith({ flows: [flow(github, sink("https://api.github.com/gists"))] }))).toEqual(["credential-exfiltration critical 5"]);
    const aws = source("env-secret", "call", 1, "AWS_SECRET_ACCESS_KEY");
    expect(summary(factsWith({ flows: [flow(aws, sink("https://my-bucket.s3.amazonaws.com/k"), "payload")] }))).toEqual(["credential-exfiltration critical 5"]);
    // An API Gateway runs someone's code: it is not AWS's API even with the key in the credential slot.
    expect(summary(factsWith({ flows: [flow(aws, sink("https://a1b2c3.execute-api.us-east-1.amazonaws.com/p"), "auth")] }))).toEqual([
      "credential-exfiltration critical 5",
    ]);
    const secret = source("env-secret", "call", 1, "GA_API_SECRET");
    expect(summary(factsWith({ flows: [flow(secret, sink("https://www.google-analytics.com/mp/collect?api_secret=*"), "payload")] }))).toEqual([
      "credential-exfiltration critical 5",
    ]);
  });

  it("is exfiltration when a credential with a known issuer authenticates to another server", () => {
    const github = source("env-secret", "call", 1, "GITHUB_TOKEN");
    expect(summary(factsWith({ flows: [flow(github, sink("https://collector.example.invalid/"), "auth")] }))).toEqual(["credential-exfiltration critical 5"]);
    const key = source("ssh-key", "call", 1, "~/.ssh/id_rsa");
    const smtp: SinkFact = { ...sink("mail.example.invalid:587"), channel: "mail" };
    expect(summary(factsWith({ flows: [flow(key, smtp, "auth")] }))).toEqual(["credential-exfiltration critical 5"]);
  });

  it("lets a password bound to no issuer authenticate to the server it logs into, and to a run-time server", () => {
    const password = source("env-secret", "call", 1, "SMTP_PASSWORD");
    const smtp: SinkFact = { ...sink("smtp.example.com:587"), channel: "mail" };
    expect(summary(factsWith({ flows: [flow(password, smtp, "auth")] }))).toEqual([]);
    expect(summary(factsWith({ flows: [flow(password, sink(undefined), "auth")] }))).toEqual([]);
    expect(summary(factsWith({ flows: [flow(password, sink(undefined), "payload")] }))).toEqual(["credential-to-dynamic-destination medium 5"]);
    // Nobody chose an install-time server.
    const atInstall = source("env-secret", "install", 1, "SMTP_PASSWORD");
    expect(summary(factsWith({ flows: [flow(atInstall, { ...sink("smtp.example.com:587", "install"), channel: "mail" }, "auth")] }))).toEqual([
      "credential-exfiltration critical 5",
    ]);
  });

  it("reports the copied flow when one sink both uses and copies a credential", () => {
    const github = source("env-secret", "call", 1, "GITHUB_TOKEN");
    const snk = sink("https://api.github.com/gists");
    expect(summary(factsWith({ flows: [flow(github, snk, "auth"), flow(github, snk, "payload")] }))).toEqual(["credential-exfiltration critical 5"]);
  });

  it("is critical at install time when the credential is copied, even to its issuer", () => {
    const token = source("registry-token", "install", 1, "~/.npmrc");
    expect(summary(factsWith({ flows: [flow(token, sink("https://registry.npmjs.org/", "install"))] }))).toEqual([
      "credential-exfiltration critical 5",
    ]);
  });

  it("keeps the destination of DNS exfiltration: data labels are dropped, the domain stays", () => {
    const env = source("env-secret", "import");
    const dns: SinkFact = { ...sink("*.*.x.attacker.invalid", "import"), channel: "dns" };
    const [finding] = evaluateFacts(factsWith({ flows: [flow(env, dns)] }), pkg, signatures);
    expect(finding).toMatchObject({ severity: "critical", message: "Secret environment variable sent by DNS queries to x.attacker.invalid when the package is imported" });
  });

  it("is medium (high for the whole environment) when a call-time destination is unknown", () => {
    expect(summary(factsWith({ flows: [flow(source("env-secret"), sink("https://*/api"))] }))).toEqual(["credential-to-dynamic-destination medium 5"]);
    expect(summary(factsWith({ flows: [flow(source("env-dump"), sink(undefined))] }))).toEqual(["credential-to-dynamic-destination high 5"]);
    // At import time an unknown destination is still critical: nobody called anything.
    expect(summary(factsWith({ flows: [flow(source("env-dump", "import"), sink(undefined, "import"))] }))).toEqual([
      "credential-exfiltration critical 5",
    ]);
  });
});

describe("sinks without a credential", () => {
  it("rates exfil services high at install time and medium otherwise", () => {
    expect(summary(factsWith({ sinks: [sink("https://abc.oast.fun/", "install")] }))).toEqual(["exfil-service-destination high 5"]);
    expect(summary(factsWith({ sinks: [sink("https://discord.com/api/webhooks/1/x", "call")] }))).toEqual(["exfil-service-destination medium 5"]);
  });

  it("rates other install-time network medium and ignores call-time network", () => {
    expect(summary(factsWith({ sinks: [sink("https://cdn.example.com/bin.tgz", "install")] }))).toEqual(["install-time-network medium 5"]);
    expect(summary(factsWith({ sinks: [sink("https://api.example.com/", "call")] }))).toEqual([]);
  });
});

describe("known-bad indicators and unresolved links", () => {
  it("reports a known-bad host once, and not when a flow finding already names it", () => {
    const indicator = { value: "http://ssh-decorate.cf/index.php", location: at(3) };
    expect(summary(factsWith({ indicators: [indicator] }))).toEqual(["known-bad-indicator high 3"]);
    const src = source("ssh-key");
    const snk = sink("http://ssh-decorate.cf/index.php");
    expect(summary(factsWith({ indicators: [indicator], flows: [flow(src, snk)] }))).toEqual(["credential-exfiltration critical 5"]);
  });

  it("joins a source and a sink through executed code that could not be decoded as high", () => {
    const obfuscation = { technique: "eval-dynamic" as const, location: at(9), note: "eval(x)", trigger: "install" as const, executed: true };
    const facts = factsWith({ sources: [source("netrc", "install", 2)], sinks: [sink("https://203.0.113.4/", "install", 12)], obfuscations: [obfuscation] });
    expect(summary(facts)).toEqual(["exfil-service-destination high 12", "credential-access-with-network high 9", "obfuscated-code-execution medium 9"]);
    // Without executed code the two are just neighbours.
    expect(summary({ ...facts, obfuscations: [] })).toEqual(["exfil-service-destination high 12"]);
    // Decoded code was analysed: whatever it links is reported as a flow, nothing is hidden.
    const decoded = { ...obfuscation, technique: "eval-decoded" as const };
    expect(summary({ ...facts, obfuscations: [decoded] })).toEqual(["exfil-service-destination high 12", "obfuscated-code-execution medium 9"]);
  });

  it("needs call-time sources, sinks and the unresolved code in one file", () => {
    const exec = { technique: "eval-dynamic" as const, location: at(9, "a.js"), note: "eval(x)", trigger: "call" as const, executed: true };
    const src = { ...source("env-secret", "call", 2), location: at(2, "b.js") };
    const snk = { ...sink("https://api.example.com/", "call", 12), location: at(12, "a.js") };
    expect(summary(factsWith({ sources: [src], sinks: [snk], obfuscations: [exec] }))).toEqual(["obfuscated-code-execution medium 9"]);
  });
});

describe("fingerprints", () => {
  it("do not change when the finding moves to another line", () => {
    const src = source("ssh-key");
    const one = evaluateFacts(factsWith({ flows: [flow(src, sink("https://a.example.com/", "call", 5))] }), pkg, signatures);
    const two = evaluateFacts(factsWith({ flows: [flow(src, sink("https://a.example.com/", "call", 50))] }), pkg, signatures);
    expect(one[0]!.fingerprint).toBe(two[0]!.fingerprint);
    expect(one[0]!.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });
});
