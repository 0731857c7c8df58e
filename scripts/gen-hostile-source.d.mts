export interface SourceCase {
  id: string;
  about: string;
  files: Record<string, string>;
  /** Analysis budget the case is scanned with (unset: the defaults). */
  budget?: { fileTokens?: number; fileSteps?: number; packageSteps?: number; packageNodes?: number; packageTokens?: number };
  expect: {
    /** A finding [rule, file, severity?] the scan must give. */
    rule?: [string, string, string?];
    /** At least one of these findings [rule, file, severity?]. */
    anyOf?: [string, string, string?][];
    /** A rule that must not be reported. */
    noRule?: string;
  };
}
export function sourceCases(): SourceCase[];
export function bigSourceCases(): SourceCase[];
export function minified(bytes: number): string;
export function densePython(bytes: number): string;
