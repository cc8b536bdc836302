// Sign-in: a token field, or a note that the browser asks for basic-auth credentials.
import { html } from './html.js';
import { page } from './layout.js';

/**
 * The login page.
 *
 * @example
 * ```ts
 * loginPage('', { next: '/', error: null })
 * ```
 */
export function loginPage(base: string, options: { next: string; error: string | null }): string {
  return page(
    null,
    { title: 'Sign in', base },
    html`<div class="login panel"><h1>Sign in</h1>
${options.error ? html`<div class="notice bad" role="alert">${options.error}</div>` : ''}
<form method="post" action="${base}/login" class="stack">
<input type="hidden" name="next" value="${options.next}">
<label for="token">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<div><button type="submit">Sign in</button></div></form>
<p class="muted">The token was printed by <code>serve --dashboard --dev</code>, or is the one set in <code>PERSONA_DASHBOARD_TOKEN</code>.</p></div>`,
  );
}
