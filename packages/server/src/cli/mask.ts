// Credentials and configuration text never reach a message: URLs lose their user-info and secret-looking
// query values, and a JSON syntax error is reported by position only (V8 quotes the text around it).

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"']*)@/gi;
const SECRET_QUERY =
  /([?&;](?:password|passwd|pass|pwd|sslpassword|token|access_token|secret|key|api_key|apikey)=)[^&\s"'#]*/gi;
const SECRET_TOKENS = /\b(wbhsec_|persona_(?:sandbox|production)_|whsec_)[A-Za-z0-9_-]+/g;
// A URL-like word that is not well formed (`postgres:/app:pw@db`, `postgres//app:p@ss@db`): a scheme of two letters
// or more (so not a Windows drive), a user, then everything up to the word's last `@` is the password.
const BARE_USERINFO = /^([a-z][a-z0-9+.-]+(?::\/{0,2}|\/\/))([^\s:@/]+):\S*@/i;

// A plain user name (`postgres://app@db`) says which role connects and helps; anything after a colon is a
// password, and a long opaque user-only value is a token (`https://ghp_…@host`).
function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(':');
  if (colon !== -1) return `${userinfo.slice(0, colon)}:***`;
  return /^[A-Za-z0-9_.-]{1,32}$/.test(userinfo) ? userinfo : '***';
}

/**
 * Masks credentials in free text: the user-info of any URL (`postgress://app:pw@db` → `postgress://app:***@db`),
 * also in a mistyped one (`postgres:/app:pw@db`), secret-looking query parameters, and Persona secret or API-key
 * tokens.
 *
 * @example
 * ```ts
 * maskCredentials('bad URL postgress://app:pw@db/app') // 'bad URL postgress://app:***@db/app'
 * ```
 */
export function maskCredentials(text: string): string {
  return text
    .replace(URL_USERINFO, (_, scheme: string, userinfo: string) => `${scheme}${maskUserinfo(userinfo)}@`)
    .replace(SECRET_QUERY, '$1***')
    .replace(SECRET_TOKENS, '$1***')
    .replace(/\S+/g, (word) => word.replace(BARE_USERINFO, '$1$2:***@'));
}

/**
 * Describes a `JSON.parse` failure without the text it quotes (which may be part of a secret): the line and
 * column when the engine reports a position, else only that the JSON is invalid.
 *
 * @example
 * ```ts
 * describeJsonError(error, text) // 'syntax error at line 3, column 14'
 * ```
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const at = /position (\d+)/.exec(message);
  if (at === null) return 'syntax error (the parser gave no position)';
  const position = Math.min(Number(at[1]), text.length);
  const before = text.slice(0, position).split('\n');
  return `syntax error at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
