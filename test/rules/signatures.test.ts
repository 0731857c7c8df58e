import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  classifyCredentialPath,
  hostOf,
  siteOf,
  isIssuerHost,
  issuersOf,
  isSecretEnvName,
  loadSignatures,
  matchExfilService,
  matchKnownBad,
} from "../../src/rules/signatures.js";

function userDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "exfilscan-sig-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("loading", () => {
  const signatures = loadSignatures();

  it("loads every built-in rule with its file name as id", () => {
    expect(signatures.rules.get("credential-exfiltration")?.severity).toBe("critical");
    for (const [id, rule] of signatures.rules) expect(rule.id).toBe(id);
  });

  it("names the file and line of a bad value", () => {
    const dir = userDir({ "rules/bad-rule.yaml": "id: bad-rule\ntitle: t\nseverity: urgent\ncategory: c\nsummary: s\nhelp: h\n" });
    expect(() => loadSignatures([dir])).toThrow(/bad-rule\.yaml:3: severity: Invalid option/);
  });

  it("names the file and line of broken YAML", () => {
    const dir = userDir({ "indicators.yaml": "exfilServices:\n  - { name: x\nknownBad: []\n" });
    expect(() => loadSignatures([dir])).toThrow(/indicators\.yaml:\d+: invalid YAML/);
  });

  it("rejects a rule whose id differs from its file name, and a bad regex", () => {
    expect(() => loadSignatures([userDir({ "rules/a.yaml": "id: b\ntitle: t\nseverity: low\ncategory: c\nsummary: s\nhelp: h\n" })])).toThrow(
      /must equal the file name/,
    );
    const badRegex = "credentialFiles:\n  - { kind: ssh-key, pattern: '(unclosed', note: n }\nenvSecretNames: []\nsecretParameterNames: []\n";
    expect(() => loadSignatures([userDir({ "sources.yaml": badRegex })])).toThrow(/sources\.yaml:2: credentialFiles\.0\.pattern: not a valid regular expression/);
  });

  it("merges a user directory over the built-in set", () => {
    const dir = userDir({
      "indicators.yaml": "exfilServices: []\nknownBad:\n  - { type: domain, value: evil.example }\nissuers: []\n",
      "rules/credential-exfiltration.yaml":
        "id: credential-exfiltration\ntitle: Mine\nseverity: high\ncategory: c\nsummary: s\nhelp: h\n",
    });
    const merged = loadSignatures([dir]);
    expect(merged.rules.get("credential-exfiltration")?.title).toBe("Mine");
    expect(matchKnownBad(merged, "https://api.evil.example/x")?.value).toBe("evil.example");
    expect(matchKnownBad(merged, "http://ssh-decorate.cf/index.php")?.value).toBe("ssh-decorate.cf");
  });
});

describe("lookups", () => {
  const signatures = loadSignatures();

  it.each([
    ["~/.ssh/id_rsa", "ssh-key"],
    ["/home/alice/.ssh/id_ed25519", "ssh-key"],
    ["$HOME/.ssh", "ssh-key"],
    ["~/.ssh/known_hosts", "ssh-config"],
    ["~/.npmrc", "registry-token"],
    ["/root/.pypirc", "registry-token"],
    ["~/.git-credentials", "git-credentials"],
    ["~/.netrc", "netrc"],
    ["~/.aws/credentials", "cloud-credentials"],
    ["~/.kube/config", "cloud-credentials"],
    ["~/.docker/config.json", "cloud-credentials"],
    ["~/.config/discord/Local Storage/leveldb", "browser-store"],
    ["/etc/shadow", "system-secrets"],
  ])("%s is %s", (path, kind) => {
    expect(classifyCredentialPath(signatures, path)?.kind).toBe(kind);
  });

  it.each(["~/.ssh/id_rsa.pub.bak/x", "~/project/.npmrc.example/x", "/etc/hosts", "~/.sshd/config", "src/ssh/id.js"])(
    "%s is not a credential",
    (path) => {
      expect(classifyCredentialPath(signatures, path)).toBeUndefined();
    },
  );

  it("tells secret env names from look-alikes", () => {
    // DATABASE_URL is named exactly by a secret pattern: the not-secret `_URL$` does not shadow it.
    for (const name of ["NPM_TOKEN", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "STRIPE_API_KEY", "DATABASE_URL"]) {
      expect(isSecretEnvName(signatures, name), name).toBe(true);
    }
    for (const name of ["HOME", "PATH", "NODE_ENV", "TOKEN_FILE", "AWS_REGION", "npm_config_registry", "REDIS_URL", "MY_DATABASE_URL"]) {
      expect(isSecretEnvName(signatures, name), name).toBe(false);
    }
  });

  it("recognises exfil services and credential issuers", () => {
    expect(matchExfilService(signatures, "https://discord.com/api/webhooks/1/abc")?.category).toBe("chat-webhook");
    expect(matchExfilService(signatures, "https://api.telegram.org/bot123:abc/sendDocument")?.name).toBe("Telegram bot API");
    expect(matchExfilService(signatures, "http://203.0.113.5:8080/u")?.category).toBe("raw-ip");
    expect(matchExfilService(signatures, "http://127.0.0.1:8080/u")).toBeUndefined();
    expect(matchExfilService(signatures, "https://registry.npmjs.org/")).toBeUndefined();
    const issuer = (kind: Parameters<typeof issuersOf>[1], detail: string | undefined, destination: string) =>
      issuersOf(signatures, kind, detail).find((i) => isIssuerHost(i, destination))?.name;
    expect(issuer("cloud-credentials", "~/.aws/credentials", "https://sts.amazonaws.com/")).toBe("AWS");
    expect(issuer("cloud-credentials", "~/.aws/credentials", "https://amazonaws.com.evil.example/")).toBeUndefined();
    expect(issuer("env-secret", "AWS_SECRET_ACCESS_KEY", "https://abc123.execute-api.us-east-1.amazonaws.com/prod")).toBeUndefined();
    expect(issuer("cloud-credentials", "~/.docker/config.json", "https://sts.amazonaws.com/")).toBeUndefined();
    expect(issuer("registry-token", "~/.npmrc", "https://registry.npmjs.org/-/whoami")).toBe("npm registry");
    expect(issuer("env-secret", "GITHUB_TOKEN", "https://api.github.com/user")).toBe("GitHub");
    expect(issuer("env-secret", "GITHUB_TOKEN", "https://registry.npmjs.org/")).toBeUndefined();
    expect(issuersOf(signatures, "env-secret", "SMTP_PASSWORD")).toEqual([]);
    expect(issuersOf(signatures, "ssh-key", "~/.ssh/id_rsa")).toEqual([]);
    // No host suffix is trusted for a whole credential kind any more.
    expect(issuersOf(signatures, "env-secret", "GA_API_SECRET").some((i) => isIssuerHost(i, "https://www.google-analytics.com/mp/collect"))).toBe(false);
    expect(hostOf("user:pw@Example.COM:8080/x")).toBe("example.com");
  });

  it("names the site a host belongs to (the issuer a secret parameter is inferred to have)", () => {
    expect(siteOf("pub.orcid.org")).toBe("orcid.org");
    expect(siteOf("orcid.org")).toBe("orcid.org");
    expect(siteOf("api.example.co.uk")).toBe("example.co.uk");
    expect(siteOf("discord-stats.net")).not.toBe(siteOf("discord.com"));
    expect(siteOf("203.0.113.9")).toBe("203.0.113.9");
  });
});
