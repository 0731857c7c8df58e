export interface RegexLiteral {
  file: string;
  line: number;
  source: string;
  flags: string;
}
export function regexLiterals(root: string): RegexLiteral[];
