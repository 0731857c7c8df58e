// Package name and version in the download lines of npm and pip logs, read in one pass.
// Each function returns what a regex used to capture (the regex is in the comment above it;
// test/correlate/download-names.test.ts compares the two on random lines). The regexes ran
// in quadratic time on one long hostile line: every position of a long run was retried.

/** A non-word character or the end: `\b` after a word character. */
function boundary(text: string, i: number): boolean {
  return i >= text.length || !/\w/.test(text[i]!);
}

/**
 * `/https?:\/\/\S+?\/((?:@[^/\s]+\/)?[^/\s]+)\/-\/[^/\s]+?-(\d+\.\d+\.\d+[^/\s]*?)\.tgz/`:
 * [name, version] of the first registry tarball URL in an npm log line.
 */
export function npmTarball(text: string): [string, string] | undefined {
  // The match lies within one run of non-space characters. In a run, a later "http://" can
  // only use the slashes the first one could, so only the first is tried.
  for (const run of text.matchAll(/\S+/g)) {
    const token = run[0];
    const start = /https?:\/\//.exec(token);
    if (!start) continue;
    const hostStart = start.index + start[0].length;
    for (let slash = token.indexOf("/", hostStart + 1); slash !== -1; slash = token.indexOf("/", slash + 1)) {
      const found = tarballAt(token, slash + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** `((?:@[^/\s]+\/)?[^/\s]+)\/-\/<file>` at `at`: the scoped reading first, as the regex tries it. */
function tarballAt(token: string, at: number): [string, string] | undefined {
  if (token[at] === "@") {
    const scopeEnd = token.indexOf("/", at + 1);
    if (scopeEnd > at + 1) {
      const scoped = nameAndFile(token, at, scopeEnd + 1);
      if (scoped) return scoped;
    }
  }
  return nameAndFile(token, at, at);
}

function nameAndFile(token: string, groupStart: number, nameStart: number): [string, string] | undefined {
  const nameEnd = token.indexOf("/", nameStart);
  if (nameEnd <= nameStart || !token.startsWith("/-/", nameEnd)) return undefined;
  const fileStart = nameEnd + 3;
  const fileEnd = token.indexOf("/", fileStart);
  const version = tarballVersion(token.slice(fileStart, fileEnd === -1 ? token.length : fileEnd));
  return version === undefined ? undefined : [token.slice(groupStart, nameEnd), version];
}

/** `[^/\s]+?-(\d+\.\d+\.\d+[^/\s]*?)\.tgz` in one path segment: the first "-1.2.3" with a ".tgz" after it. */
function tarballVersion(file: string): string | undefined {
  const last = file.lastIndexOf(".tgz");
  for (let dash = file.indexOf("-", 1); dash !== -1; dash = file.indexOf("-", dash + 1)) {
    const end = tripleEnd(file, dash + 1);
    if (end === -1) continue;
    // A later dash has its shortest version end later still: if no ".tgz" follows this one, none follows it.
    if (last < end) return undefined;
    return file.slice(dash + 1, file.indexOf(".tgz", end));
  }
  return undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** The end of `\d+\.\d+\.\d` read at `at`, or -1. */
function tripleEnd(text: string, at: number): number {
  let i = at;
  for (let part = 0; part < 2; part++) {
    const start = i;
    while (isDigit(text[i])) i++;
    if (i === start || text[i] !== ".") return -1;
    i++;
  }
  return isDigit(text[i]) ? i + 1 : -1;
}

const PIP_VERB = /^(?:Downloading|Using cached|Processing) /;
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9._]/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/**
 * `/^(?:Downloading|Using cached|Processing) \S*?([A-Za-z0-9][A-Za-z0-9._]*)-(\d[^-\s]*?)(?:\.tar\.gz|\.zip|-py\S*\.whl)\b/`:
 * [name, version] of the archive a pip log line downloads.
 */
export function pipDownload(body: string): [string, string] | undefined {
  const verb = PIP_VERB.exec(body);
  if (!verb) return undefined;
  const from = verb[0].length;
  const space = body.slice(from).search(/\s/);
  const token = body.slice(from, space === -1 ? body.length : from + space);
  // The last ".whl" that ends a word: `-py\S*\.whl\b` matches after any "-py" before it.
  let wheel = token.lastIndexOf(".whl");
  while (wheel !== -1 && !boundary(token, wheel + 4)) wheel = wheel === 0 ? -1 : token.lastIndexOf(".whl", wheel - 1);
  for (let run = 0; run < token.length; ) {
    if (!isNameChar(token[run])) {
      run++;
      continue;
    }
    let end = run;
    while (isNameChar(token[end])) end++;
    // Every start in this run of name characters reaches the same "-": the first one that can start a name is the match.
    let name = run;
    while (name < end && !isAlnum(token[name])) name++;
    if (name < end && token[end] === "-" && isDigit(token[end + 1])) {
      for (let at = end + 2; ; at++) {
        const ext =
          (token.startsWith(".tar.gz", at) && boundary(token, at + 7)) || (token.startsWith(".zip", at) && boundary(token, at + 4)) || (token.startsWith("-py", at) && wheel >= at + 3);
        if (ext) return [token.slice(name, end), token.slice(end + 1, at)];
        if (at >= token.length || token[at] === "-") break;
      }
    }
    run = end;
  }
  return undefined;
}
