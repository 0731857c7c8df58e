// A GitHub Actions workflow written by a package (`.github/workflows/*.yml`): when its
// steps send the repository's secrets to a URL (`curl -d "${{ toJSON(secrets) }}" https://…`),
// writing it is exfiltration set up for the next CI run — the 2025 Shai-Hulud worm planted
// such a file. Shared by both front-ends: they call it on every file write whose path and
// text they can fold, and turn the answer into a source, a sink and a flow.

const WORKFLOW_PATH = /(^|[\\/])\.github[\\/]workflows[\\/][^\\/]+\.ya?ml$/i;
const ALL_SECRETS = /\$\{\{\s*toJSON\(\s*secrets\s*\)\s*\}\}/i;
const ONE_SECRET = /\$\{\{[^}]*\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g;
const URL = /\b(?:https?|wss?):\/\/[^\s'"`)\]}]+/i;
const SENDERS = /(^|[\s;&|(])(curl|wget|nc|ncat|netcat|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)(\s|$)|\bfetch\(|requests\.(post|get|put)|urlopen\(/;

export interface WorkflowLeak {
  kind: "env-dump" | "env-secret";
  note: string;
  detail: string;
  destination?: string;
}

export function isWorkflowPath(path: string): boolean {
  return WORKFLOW_PATH.test(path.replace(/\uE000/g, "*"));
}

/**
 * What a written workflow sends: its secrets (all of them through `toJSON(secrets)`, or the
 * named ones) when it also runs a sending command with a URL. A secret only on a line that
 * names an Authorization header authenticates that request; a secret handed to an action's
 * input (`with: token: ${{ secrets.X }}`) is the action's own use. Neither is a leak.
 */
export function workflowLeak(path: string, text: string): WorkflowLeak | undefined {
  if (!isWorkflowPath(path) || !SENDERS.test(text)) return undefined;
  const destination = URL.exec(text)?.[0];
  if (!destination) return undefined;
  if (ALL_SECRETS.test(text)) {
    return { kind: "env-dump", note: "a written CI workflow sends all repository secrets (toJSON(secrets))", detail: "toJSON(secrets)", destination };
  }
  const names = new Set<string>();
  let withIndent = -1; // inside a step's `with:` block (an action's inputs) while deeper than this
  for (const line of text.split(/\r?\n/)) {
    const indent = /^\s*/.exec(line)![0].length;
    if (withIndent >= 0 && line.trim() !== "" && indent <= withIndent) withIndent = -1;
    if (/^\s*(-\s*)?with:\s*$/.test(line)) withIndent = indent;
    if (withIndent >= 0 || /authorization/i.test(line)) continue;
    for (const match of line.matchAll(ONE_SECRET)) names.add(match[1]!);
  }
  if (names.size === 0) return undefined;
  const detail = [...names].slice(0, 5).join(", ");
  return { kind: "env-secret", note: `a written CI workflow sends repository secrets (${detail})`, detail, destination };
}
