// Timestamps of log lines. RFC 3164 lines carry no year and no zone: the year is inferred
// from a reference time (the file's mtime) and rolled forward when the month wraps around
// New Year; the zone is a fixed offset (UTC unless told), so results never depend on the machine.

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

const DAY_MS = 86_400_000;

/** Timestamps a log line may carry: 1970 up to (not including) 2200. Outside it a line is an error, never a run-ending "Invalid time value". */
export const MIN_TIMESTAMP_MS = 0;
export const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);

export function plausibleTimestamp(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS;
}

/** Years a reference time (file mtime, --reference-time) may anchor RFC 3164 lines in; outside, the clock is used. */
const MIN_REFERENCE_MS = Date.UTC(1990, 0, 1);
const MAX_REFERENCE_MS = Date.UTC(2100, 0, 1);
/** How far past the reference an inferred time may land (zones and clock skew), and no further. */
const FUTURE_SLACK_MS = DAY_MS;

/** "+02:00" / "-0530" / "Z" → minutes east of UTC. */
export function parseUtcOffset(text: string): number {
  if (text === "Z" || text === "z") return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a UTC offset: ${text}`);
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

/**
 * Resolves "Mmm dd hh:mm:ss" into epoch ms. Lines are read in order, so a jump backwards by
 * more than half a year (Dec → Jan) means the year changed — but no line is ever placed more
 * than a day past the reference (the file's mtime: it cannot hold later lines), and an absurd
 * reference (an mtime of 1970 or 9999) is replaced by the clock.
 */
export class YearInference {
  private year: number | undefined;
  private lastMonth = -1;
  private readonly referenceMs: number;

  constructor(
    /** The newest time the file can hold (its mtime); the first line is placed at or before it. */
    referenceMs: number,
    private readonly offsetMinutes = 0,
  ) {
    this.referenceMs = Number.isFinite(referenceMs) && referenceMs >= MIN_REFERENCE_MS && referenceMs < MAX_REFERENCE_MS ? referenceMs : Date.now();
  }

  /** An independent copy in the same state (a parser session's checkpoint). */
  clone(): YearInference {
    const copy = new YearInference(this.referenceMs, this.offsetMinutes);
    copy.year = this.year;
    copy.lastMonth = this.lastMonth;
    copy.lastStamp = this.lastStamp;
    copy.lastMs = this.lastMs;
    copy.lastAt = this.lastAt;
    return copy;
  }

  resolve(monthName: string, day: number, hh: number, mm: number, ss: number, ms = 0): number | undefined {
    const month = MONTHS[monthName];
    if (month === undefined) return undefined;
    return this.resolveMonth(month, day, hh, mm, ss, ms);
  }

  // The last resolved time: a log writes many lines a second, and the same stamp again
  // resolves to the same time without changing the inference (see resolveMonth).
  private lastStamp = -1;
  private lastMs = 0;
  private lastAt = 0;

  /** resolve() with the month as its index (0 = January). */
  resolveMonth(month: number, day: number, hh: number, mm: number, ss: number, ms = 0): number | undefined {
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
    // month·day·hh·mm·ss packed into one integer (< 2^31).
    const stamp = ((((month * 32 + day) * 24 + hh) * 60 + mm) * 61 + ss);
    if (stamp === this.lastStamp && ms === this.lastMs) return this.lastAt;
    if (this.year === undefined) {
      const ref = new Date(this.referenceMs);
      this.year = ref.getUTCFullYear();
      // A first line dated after the reference (plus a day of slack for zones) belongs to last year.
      if (this.at(this.year, month, day, hh, mm, ss, ms) > this.referenceMs + DAY_MS) this.year -= 1;
    } else if (month < this.lastMonth && this.lastMonth - month >= 6) {
      this.year += 1;
    }
    this.lastMonth = month;
    let at = this.at(this.year, month, day, hh, mm, ss, ms);
    if (at > this.referenceMs + FUTURE_SLACK_MS) {
      // A rollover (or a month name out of order) would put the line after the file was last written.
      this.year -= 1;
      at = this.at(this.year, month, day, hh, mm, ss, ms);
    }
    // Cached only when a repeat of these arguments would change nothing: same month (no
    // rollover), same year, and not past the reference (no step back). Otherwise recomputed.
    if (at <= this.referenceMs + FUTURE_SLACK_MS) {
      this.lastStamp = stamp;
      this.lastMs = ms;
      this.lastAt = at;
    } else this.lastStamp = -1;
    return at;
  }

  // The start of the last day placed: Date.UTC is linear in the time of day (hh ≤ 23, mm ≤ 59,
  // ss ≤ 60, integer ms), so a line of the same day adds its time to it instead of calling it.
  private dayYear = Number.NaN;
  private dayMonth = -1;
  private dayOfMonth = -1;
  private dayStart = 0;

  private at(year: number, month: number, day: number, hh: number, mm: number, ss: number, ms: number): number {
    if (day !== this.dayOfMonth || month !== this.dayMonth || year !== this.dayYear) {
      this.dayYear = year;
      this.dayMonth = month;
      this.dayOfMonth = day;
      this.dayStart = Date.UTC(year, month, day) - this.offsetMinutes * 60_000;
    }
    return this.dayStart + ((hh * 60 + mm) * 60 + ss) * 1000 + ms;
  }
}

/** ISO 8601 / RFC 3339 with optional fraction and zone (zone-less is read at the fixed offset). */
export function parseIsoTimestamp(text: string, offsetMinutes = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Math.floor(ms);
  if (Number.isNaN(base)) return undefined;
  const offset = zone ? parseUtcOffset(zone) : offsetMinutes;
  const at = base - offset * 60_000;
  return plausibleTimestamp(at) ? at : undefined;
}

/** Epoch seconds as Zeek/auditd write them ("1492753107.096"), to ms. */
export function epochSecondsToMs(text: string): number | undefined {
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const at = Math.round(Number(text) * 1000);
  return plausibleTimestamp(at) ? at : undefined;
}

/** --since/--until values: ISO date/time, or a relative "7d" / "12h" / "30m" before now. */
export function parseTimeBound(text: string, nowMs: number): number | undefined {
  const relative = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (relative) return nowMs - Number(relative[1]) * unitMs(relative[2]!);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parseIsoTimestamp(`${text}T00:00:00Z`);
  return parseIsoTimestamp(text);
}

/** sshd_config time ("90", "90s", "2m", "1h30m", "1.5s"), to seconds. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(?<!\d)(\d+(?:\.\d+)?)([smhdw])/gi)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, p) => sum + (Number(p[1]) * unitMs(p[2]!.toLowerCase())) / 1000, 0);
}

function unitMs(unit: string): number {
  return { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[unit] ?? 1000;
}
