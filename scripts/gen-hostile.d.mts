export interface HostileCase {
  id: string;
  group: string;
  about: string;
  files: Record<string, string | Buffer>;
  expect: {
    rule?: string;
    severity?: string;
    file?: string;
    noRule?: string;
    listed?: string;
    notClean?: boolean;
    /** A finding [rule, file] the scan must give (the payload was analysed). */
    found?: [string, string];
    /** No finding and no error at all (a benign twin read in full). */
    clean?: boolean;
    ecosystem?: string;
    name?: string;
    version?: string;
  };
}
export function hostileCases(): HostileCase[];
export interface HostileArchive {
  id: string;
  about: string;
  name: string;
  data: Buffer;
  expect: {
    stopped?: RegExp;
    maxInflatedMiB?: number;
    listed?: [string, RegExp];
    content?: [string, string];
    rule?: string;
    severity?: string;
    file?: string;
    finding?: { file: string; trigger: string };
  };
}
export function hostileArchives(): HostileArchive[];
export function makeTarBytes(entries: { name: string | Buffer; content?: string | Buffer; type?: string; link?: string }[]): Buffer;
export function makeZipBytes(entries: { name: string | Buffer; utf8Flag?: boolean; content?: string | Buffer; stored?: boolean; declaredSize?: number; offsetOf?: number }[]): Buffer;
export interface ArchiveShape {
  id: string;
  about: string;
  name: string;
  data: Buffer;
  expect: {
    errors?: [string, RegExp][];
    contents?: [string, string][];
    files?: number;
    raised?: { maxFiles: number; maxTotalBytes: number };
    finding?: { file: string; trigger: string };
  };
}
export function archiveShapes(): ArchiveShape[];
