// The dashboard's only stylesheet and script, served by the handler itself (no CDN, no build step). The CSP
// forbids inline script and style, so everything the pages need is here.
import { createHash } from 'node:crypto';

const CSS = `:root{--bg:#f6f7f9;--fg:#1b1f24;--muted:#4a5360;--line:#d0d5dc;--card:#fff;--accent:#0b5cad;
--ok:#106b35;--warn:#8a5300;--bad:#b3261e;--info:#38418f;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font-size:15px;line-height:1.45}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem;z-index:2}.skip:focus{left:.5rem}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:1rem;padding:.6rem 1.2rem;background:#14213d;color:#fff}
header.top a{color:#fff;text-decoration:none;padding:.3rem .5rem;border-radius:4px}
header.top a[aria-current=page]{background:#2f4a85;text-decoration:underline}
header.top .brand{font-weight:700;margin-right:1rem}header.top nav ul{display:flex;gap:.3rem;list-style:none;margin:0;padding:0}
header.top .mode{margin-left:auto;font-size:.85rem;background:#2f4a85;padding:.2rem .5rem;border-radius:4px}
header.top form{margin:0}header.top button{background:transparent;color:#fff;border:1px solid #9fb0d0}
main{padding:1rem 1.2rem;max-width:1200px;margin:0 auto}h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:1.2rem 0 .6rem}
.cards{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.8rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.7rem .9rem}
.card .n{font-size:1.6rem;font-weight:700;display:block}.card a{text-decoration:none;color:inherit}.card a:hover .label{text-decoration:underline}
.panel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
table{border-collapse:collapse;width:100%;background:var(--card)}th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted)}td code,dd code{font-size:.85rem}
.status{display:inline-block;padding:.05rem .45rem;border-radius:10px;font-size:.8rem;font-weight:600;border:1px solid currentColor}
.status-succeeded{color:var(--ok)}.status-dead{color:var(--bad)}.status-retrying{color:var(--warn)}.status-pending,.status-processing{color:var(--info)}
form.filters{display:flex;flex-wrap:wrap;gap:.7rem;align-items:flex-end;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.7rem}
form.filters label,form.stack label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.2rem}
input,select,textarea{font:inherit;padding:.35rem .45rem;border:1px solid #7b8594;border-radius:4px;background:#fff;color:var(--fg)}
textarea{width:100%;min-height:10rem;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
button,.button{font:inherit;padding:.4rem .8rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}
section.panel form{margin-top:.7rem}form.stack{display:flex;flex-direction:column;gap:.8rem;max-width:760px}form.stack label.check{flex-direction:row;align-items:center;gap:.5rem;color:var(--fg);font-size:inherit}form.inline{display:inline}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
pre{background:#0f1720;color:#e6edf3;padding:.8rem;border-radius:6px;overflow:auto;font-size:.82rem;max-height:36rem}
.notice{border-left:4px solid var(--info);background:#eef0fb;padding:.6rem .8rem;margin:.8rem 0}
.notice.bad{border-color:var(--bad);background:#fdecea}.notice.ok{border-color:var(--ok);background:#e8f5ec}.notice.warn{border-color:var(--warn);background:#fdf3e1}
.muted{color:var(--muted)}.pager{display:flex;gap:.8rem;margin:.8rem 0;align-items:center}
.chart svg{width:100%;height:auto;display:block}.legend{display:flex;gap:1rem;font-size:.85rem;list-style:none;padding:0;margin:.3rem 0}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.sw-received{background:#0b5cad}.sw-succeeded{background:#106b35}.sw-failed{background:#b3261e}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.login{max-width:420px;margin:4rem auto}`;

const JS = `// Reloads a page that asks for it (data-refresh on <body>, in seconds) while nobody is typing, so an operator
// who replayed an event watches it reach its outcome.
(function () {
  var seconds = Number(document.body.getAttribute('data-refresh'));
  if (!(seconds > 0)) return;
  setTimeout(function tick() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) { setTimeout(tick, seconds * 1000); return; }
    location.reload();
  }, seconds * 1000);
})();
`;

function versioned(text: string, type: string): { text: string; type: string; etag: string } {
  return { text, type, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"` };
}

/** Served under `<base>/assets/<name>`; the version in the URL changes with the content, so it is cached long. */
export const ASSETS: Readonly<Record<string, { text: string; type: string; etag: string }>> = {
  'dashboard.css': versioned(CSS, 'text/css; charset=utf-8'),
  'dashboard.js': versioned(JS, 'text/javascript; charset=utf-8'),
};
