// The store errors and URL redaction both the drivers and the store selector (open.ts) use;
// a module of its own so a driver never imports the selector that loads it.
import { ExfilscanError } from "../core/errors.js";

/** The database cannot be reached (or refused us): the command fails, nothing was committed. */
export class StoreUnavailableError extends ExfilscanError {
  override name = "StoreUnavailableError";
  constructor(message: string, /** The cause alone (refused, timeout, login rejected …), for other commands' messages. */ readonly reason = message) {
    super(message);
  }
}

/** postgres://user:secret@host/db → postgres://user@host/db: a password is never printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    return parsed.toString().replace(/:@/, "@");
  } catch {
    return "postgres://…";
  }
}
