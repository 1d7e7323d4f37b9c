import escapeHtml from 'escape-html';

/**
 * The pages behind the links in emails: plain HTML5 that works without JavaScript, readable on a
 * phone, with no external assets. Every page is a status code, a title (also its one h1) and a
 * body of HTML in which every piece of user text has gone through `escapeHtml`.
 */
export interface Page {
  status: number;
  title: string;
  /** HTML inside <main>, after the h1; user text already escaped. */
  body: string;
}

/**
 * Sent with every page. The CSP allows the inline stylesheet and a form posting back to the same
 * origin, and nothing else: no scripts, no frames (no clickjacking of a one-click answer), no
 * other origin. The token rides in the URL, so no Referer may carry it anywhere, and no cache
 * may keep a page that shows someone's answer.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

// Colours meet WCAG AA contrast on white: text #1a202c (16:1), muted #4a5568 (7.5:1), accent
// #2b6cb0 (5.4:1, also white on it), errors #9b2c2c (8:1).
const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:17px;line-height:1.5;color:#1a202c;background:#fff;margin:0}',
  'main{max-width:36rem;margin:0 auto;padding:1.5rem 1rem}',
  'h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}',
  'fieldset{border:1px solid #a0aec0;border-radius:4px;margin:0 0 1.25rem;padding:.75rem 1rem}',
  'legend{font-weight:600;padding:0 .25rem}',
  '.choice{display:block;padding:.35rem 0}',
  '.choice input{margin-right:.5rem;transform:scale(1.2)}',
  'label.field{display:block;font-weight:600;margin-bottom:.25rem}',
  'textarea{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:1px solid #4a5568;border-radius:4px}',
  '.hint{color:#4a5568;font-size:.95rem;margin:.25rem 0 .5rem}',
  '.error{color:#9b2c2c;font-weight:600;margin:.25rem 0}',
  '.problems{border:2px solid #9b2c2c;border-radius:4px;padding:.75rem 1rem;margin:0 0 1.25rem}',
  '.problems h2{font-size:1.1rem;margin:0 0 .5rem}',
  'button{font:inherit;font-weight:600;color:#fff;background:#2b6cb0;border:0;border-radius:4px;padding:.6rem 1.25rem;cursor:pointer}',
  'button:focus,input:focus,textarea:focus,a:focus{outline:3px solid #1a202c;outline-offset:2px}',
  'a{color:#2b6cb0}',
  'dt{font-weight:600}',
  'dd{margin:0 0 .75rem;white-space:pre-wrap}',
  'footer{max-width:36rem;margin:0 auto;padding:0 1rem 1.5rem;color:#4a5568;font-size:.9rem}',
].join('');

/** The whole document of a page. */
export function renderPage(page: Pick<Page, 'title' | 'body'>): string {
  const title = escapeHtml(page.title);
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${title} · onramp</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${title}</h1>\n${page.body}\n</main>` +
    '<footer><p>onramp, the phased onboarding of an outsourcing partner.</p></footer></body></html>\n'
  );
}

/** A paragraph of plain text, escaped. */
export function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

/** A form's problems, announced to screen readers, each escaped; nothing when there are none. */
export function problemsList(problems: readonly string[]): string {
  if (problems.length === 0) return '';
  return (
    '<div class="problems" role="alert"><h2>Please check your answer</h2><ul>' +
    problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('') +
    '</ul></div>'
  );
}
