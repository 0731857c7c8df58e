import { describe, expect, it } from "vitest";
import { isCredentialHeader } from "../../src/analyzers/common/credential-header.js";

describe("isCredentialHeader", () => {
  it("takes the headers whose job is to carry the request's credential", () => {
    for (const name of ["Authorization", "proxy-authorization", "X-Amz-Security-Token", "X-Api-Key", "x-apikey", "api-key", "X-Auth-Token", "PRIVATE-TOKEN", "X-FIGMA-TOKEN", "x_access_key", "X-Secret-Key", "secret", "X-Client-Secret"]) {
      expect(isCredentialHeader(name), name).toBe(true);
    }
  });
  it("keeps every other header as data (anti-forgery tokens and plain keys included)", () => {
    for (const name of ["Content-Type", "Cookie", "X-CSRF-Token", "x-xsrf-token", "X-Request-Id", "Idempotency-Key", "key", "X-Tokens", "User-Agent", "X-Secret-Hash"]) {
      expect(isCredentialHeader(name), name).toBe(false);
    }
  });
});
