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
    ecosystem?: string;
    name?: string;
    version?: string;
  };
}
export function hostileCases(): HostileCase[];
