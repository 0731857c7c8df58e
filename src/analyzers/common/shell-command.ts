// What a shell command means, shared by both front-ends (npm scripts and child_process in
// JS; os.system and subprocess in Python): where a sending program sends to.

import { lookupTable } from "../../core/tables.js";

// Flags whose next word is a value, not the destination.
const VALUE_FLAGS: Record<string, Set<string>> = lookupTable({
  curl: new Set(
    "-d --data --data-binary --data-raw --data-urlencode --data-ascii -F --form -H --header -o --output -X --request -u --user -A --user-agent -e --referer -T --upload-file -b --cookie -c --cookie-jar -x --proxy -m --max-time --connect-timeout -w --write-out -K --config --retry -r --range".split(" "),
  ),
  wget: new Set("-O -o -a --post-data --post-file --header -U --user-agent -P -t -T --body-data --body-file".split(" ")),
  nc: new Set("-e -c -p -w -q -s -i -x -X".split(" ")),
  ping: new Set("-c -i -I -s -t -W -w -p -Q -l -M".split(" ")),
  git: new Set("-C -c --git-dir --work-tree --repo --receive-pack --exec -o --push-option".split(" ")),
  gh: new Set("-R --repo -f --field -F --raw-field -H --header -X --method -d --desc --description -q --jq --input".split(" ")),
});
VALUE_FLAGS.ncat = VALUE_FLAGS.nc!;
VALUE_FLAGS.netcat = VALUE_FLAGS.nc!;

export function positionals(program: string, args: string[]): string[] {
  const valueFlags = VALUE_FLAGS[program] ?? new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("<") || arg.startsWith(">") || /^\d?>/.test(arg)) continue;
    if (arg.startsWith("-")) {
      if (valueFlags.has(arg)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/**
 * The channel a command sends over, from signatures/sinks.yaml `shellPrograms`: a
 * "program subcommand" entry (`git push`, `gh gist`) is looked up before the program's
 * own, so only the subcommand that sends is a sink. `ping` sends a payload only with `-p`.
 */
export function shellProgramChannel<C extends string>(programs: Record<string, C>, program: string, args: string[]): { channel: C; program: string } | undefined {
  const sub = positionals(program, args)[0];
  if (sub !== undefined) {
    const named = `${program} ${sub}`;
    const channel = Object.prototype.hasOwnProperty.call(programs, named) ? programs[named] : undefined;
    if (channel) return { channel, program: named };
  }
  if (program === "ping" && !args.some((a) => /^-p./.test(a) || a === "-p")) return undefined;
  const channel = Object.prototype.hasOwnProperty.call(programs, program) ? programs[program] : undefined;
  return channel ? { channel, program } : undefined;
}

/** The host or URL a sending program talks to. */
export function destinationOf(program: string, args: string[]): string | undefined {
  const url = args.find((a) => /^[a-z][a-z0-9+.-]*:\/\//i.test(a) && !a.startsWith("file:"));
  if (url) return url;
  const plain = positionals(program, args);
  switch (program) {
    case "socat": {
      const address = args.map((a) => /^(?:tcp|tcp4|tcp6|udp|udp4|openssl|ssl)[^:]*:([^:,]+)/i.exec(a)?.[1]).find(Boolean);
      return address;
    }
    case "scp":
    case "rsync":
    case "sftp": {
      const remote = plain.map((a) => /^(?:[^@/\s]+@)?([^:/\s]+):/.exec(a)?.[1]).find(Boolean);
      return remote ?? plain.map((a) => /^[^@\s]+@([^:/\s]+)$/.exec(a)?.[1]).find(Boolean);
    }
    case "dig":
      return plain.find((a) => !a.startsWith("@") && a.includes("."));
    case "git": {
      // git push <repository> [refspec]: a URL (handled above), scp-like `user@host:path`, or a remote name.
      const repository = plain[0] === "push" ? plain[1] : undefined;
      return repository ? scpHost(repository) : undefined;
    }
    case "gh":
      return "api.github.com";
    case "sendmail":
    case "mail":
      return plain.find((a) => a.includes("@"));
    default:
      return plain.find((a) => a !== "*" && a !== "\uE000" && !a.includes("=")) ?? plain[0];
  }
}

/**
 * The host of an scp-like `user@host:path` whose host has a dot inside it (what
 * `/^(?:[^@/\s]+@)?([^:/\s]+\.[^:/\s]+):/` matched, without its quadratic backtracking).
 */
function scpHost(text: string): string | undefined {
  for (const pattern of [/^[^@/\s]+@([^:/\s]+):/, /^([^:/\s]+):/]) {
    const host = pattern.exec(text)?.[1];
    if (host !== undefined && host.slice(1, -1).includes(".")) return host;
  }
  return undefined;
}
