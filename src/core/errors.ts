// Known errors print one clear line (no stack) and exit 2. Anything else is a bug
// and prints its stack under --debug.

export class ExfilscanError extends Error {
  override name = "ExfilscanError";
}

/** A bad flag or argument. */
export class UsageError extends ExfilscanError {
  override name = "UsageError";
}

/** A broken signature file, ignore file or config: the run does not start. */
export class ConfigurationError extends ExfilscanError {
  override name = "ConfigurationError";
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file ? `${file}${line ? `:${line}` : ""}: ${message}` : message);
  }
}

/** A target that could not be read (missing, corrupt, over a cap). Reported on that target only. */
export class IngestError extends ExfilscanError {
  override name = "IngestError";
}

export function isKnownError(error: unknown): error is ExfilscanError {
  return error instanceof ExfilscanError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
