// The shape of a package rule (src/rules/<id>.ts beside signatures/rules/<id>.yaml) and
// what it is given: the package's facts, the signatures, and the credential-flow analysis
// shared by the rules that need it (computed once per package).
import type { FlowStep, PackageFacts, Trigger } from "../analyzers/facts.js";
import type { Indicator, Location, Severity } from "../core/types.js";
import type { CredentialFlows } from "./credential-flows.js";
import type { Signatures } from "./signatures.js";

/** A finding before rule metadata and fingerprint are added (finalize). */
export interface Draft {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  trigger?: Trigger;
  source?: string;
  sink?: string;
  flow: FlowStep[];
  indicators: Indicator[];
  attack: string[];
  /** Parts of the fingerprint besides rule, package and file: what the finding is about. */
  identity: string;
}

export interface RuleContext {
  facts: PackageFacts;
  signatures: Signatures;
  credentialFlows: CredentialFlows;
}

/** A rule that turns a package's facts into drafts; `id` equals its file name and its YAML's id. */
export interface PackageRule<Id extends string = string> {
  id: Id;
  evaluate(context: RuleContext): Draft[];
}

export const locationKey = (l: Location): string => `${l.file}:${l.line}:${l.column}`;
