import { describe, expect, it } from "vitest";
import { LOG_RULE_IDS } from "../../src/logs/detectors/index.js";
import { loadSignatures } from "../../src/rules/signatures.js";

describe("signatures/rules for the log detectors", () => {
  it("exist, validate, and carry severity and ATT&CK ids", () => {
    const rules = loadSignatures().rules;
    for (const id of LOG_RULE_IDS) {
      const rule = rules.get(id);
      expect(rule, id).toBeDefined();
      expect(rule!.attack.length, id).toBeGreaterThan(0);
    }
    expect(rules.get("new-ssh-destination")!.attack).toEqual(["T1021.004"]);
    expect(rules.get("ssh-key-generated")!.attack).toEqual(["T1098.004", "T1021.004"]);
    expect(rules.get("authorized-keys-modified")!.attack).toEqual(["T1098.004"]);
    expect(rules.get("login-after-failures")!.attack).toEqual(["T1110", "T1078"]);
    expect(rules.get("ssh-brute-force")!.attack).toContain("T1110");
  });
});
