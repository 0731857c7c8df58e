// Text that came from scanned input (package and file names, versions, messages quoting
// them, log user/host fields) is never written raw to a terminal: control characters
// (ESC, OSC, CSI, BEL, backspace, carriage return, newlines, C1 controls) and bidi
// overrides are shown escaped, so no input can clear the screen, set the window title,
// move the cursor or forge a line of the report.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
