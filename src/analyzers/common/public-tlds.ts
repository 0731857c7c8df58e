// Top-level domains under which a bare dotted string counts as a public hostname (an
// indicator), the one definition both front-ends read. Common generic and country TLDs
// plus the free ones popular with throwaway hosts (.cf, .tk, .ml, .ga, .gq).
// The front-ends' lists differ (kept as they were): JS leaves out TLDs that are also
// common file extensions or identifiers (sh, py, js, md, rs, pl, ts) and knows more
// country and new generic TLDs; Python knows sh, us and cam.

const SHARED =
  "com net org io co me info biz xyz top site online live pro fun app dev cc tk ml ga cf gq ru cn su ua de uk fr nl " +
  "eu ca au jp kr in br ir tr pl it es ch se no fi cz ro hu vn id th my sg hk tw club shop store tech space website " +
  "cloud link click host icu buzz monster work ws to ly gg lol rest cyou sbs";

const JS_ONLY =
  "edu gov mil int name ai page vip today world life be by kz ar mx nz za ph pk ng ke eg sa ae il at dk pt gr bg rs " +
  "hr sk si lt lv ee is ie lu tv im am fm gl pw li asia mobi tel travel network systems services solutions digital " +
  "email run wtf ninja zone one win bid stream download review party trade date racing loan men science";

const PYTHON_ONLY = "sh us cam";

const words = (text: string): string[] => text.split(" ");

/** Lower-case TLDs (no dot) per front-end. */
export const PUBLIC_TLDS: { js: ReadonlySet<string>; python: ReadonlySet<string> } = {
  js: new Set([...words(SHARED), ...words(JS_ONLY)]),
  python: new Set([...words(SHARED), ...words(PYTHON_ONLY)]),
};
