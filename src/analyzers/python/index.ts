// Python front-end: a loaded package in, facts out. Nothing is executed; files that do
// not parse become ParseProblems and the rest of the package is still analysed.
import type { LoadedPackage } from "../../ingest/types.js";
import type { Signatures } from "../../rules/signatures.js";
import { emptyFacts, type PackageFacts } from "../facts.js";
import { Interpreter } from "./interpreter.js";
import { forgetInternedText, initPythonParser } from "./parser.js";
import { backendFiles, fileTrigger, pthCode, type CodeUnit } from "./triggers.js";
import { readInTreeBackend } from "../../ingest/python-metadata.js";
import { BUDGET_REASON, resolveBudget, type AnalysisBudget } from "../budget.js";
import { pythonTokens } from "./cost.js";
import { forgetCredentialPaths } from "./paths.js";
import { forgetLiteralTexts } from "./expressions.js";

export async function analyzePythonPackage(pkg: LoadedPackage, signatures: Signatures, budget?: Partial<AnalysisBudget>): Promise<PackageFacts> {
  const facts = emptyFacts("pypi");
  const units: CodeUnit[] = [];
  const limits = resolveBudget(budget);
  for (const [file, content] of pkg.files) {
    const trigger = fileTrigger(file);
    if (!trigger) continue;
    const text = content.toString("utf8");
    if (pythonTokens(text, limits.fileTokens) > limits.fileTokens) {
      facts.parseProblems.push({ file, message: `${BUDGET_REASON} (more than ${limits.fileTokens} syntax tokens in one file, --max-file-tokens): not analysed` });
      continue;
    }
    if (file.endsWith(".pth")) {
      const code = pthCode(text);
      if (code !== undefined) units.push({ file, source: code, trigger: "install" });
      continue;
    }
    units.push({ file, source: text, trigger });
  }
  if (units.length === 0) return facts;
  markBuildBackend(pkg, units);
  const parser = await initPythonParser();
  const interpreter = new Interpreter(units, signatures, parser, limits);
  try {
    await interpreter.parseUnits();
    interpreter.run();
  } catch (error) {
    // A bug in the analyzer must not lose the package: report it and keep what was found.
    facts.parseProblems.push({ file: units[0]!.file, message: `python analyzer error: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    forgetInternedText();
    forgetCredentialPaths(signatures);
    forgetLiteralTexts();
  }
  interpreter.collector.finish(facts);
  facts.parseProblems.push(...interpreter.problems);
  facts.filesAnalyzed = interpreter.filesAnalyzed;
  return facts;
}

/** pyproject.toml's in-tree build backend runs at install (pip builds the package with it). */
function markBuildBackend(pkg: LoadedPackage, units: CodeUnit[]): void {
  const pyproject = pkg.files.get("pyproject.toml");
  const backend = pyproject ? readInTreeBackend(pyproject.toString("utf8")) : undefined;
  if (!backend) return;
  const files = new Set(backendFiles(backend));
  for (const unit of units) {
    if (!files.has(unit.file)) continue;
    unit.trigger = "install";
    unit.buildBackend = true;
  }
}
