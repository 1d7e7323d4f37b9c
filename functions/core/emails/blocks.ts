import escapeHtml from 'escape-html';
import { oneLine } from '../plain-text.ts';

/**
 * An email body as a few kinds of blocks, rendered once as plain text and once as HTML, so both
 * parts always say the same thing and every piece of user text passes through one escape.
 */
export type Block =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string }
  /** A link the reader follows (a signed page link): a button in HTML, the bare URL in text. */
  | { type: 'link'; text: string; href: string }
  /**
   * Links that each give one answer to the question before them (one-click ratings): a row of
   * small buttons in HTML, then `note` (what the ends of the scale mean); one line each in text.
   */
  | { type: 'choices'; choices: Choice[]; note?: string }
  | { type: 'list'; items: ListItem[] }
  | { type: 'table'; head: string[]; rows: string[][] }
  | { type: 'bars'; unit: string; rows: BarRow[] };

export interface ListItem {
  title: string;
  details?: string[];
}

export interface Choice {
  /** The button's text, e.g. "4". */
  text: string;
  /** What following it means, e.g. "Rate 4 of 5": the text part's line, and the button's name for screen readers. */
  label: string;
  href: string;
}

export interface BarRow {
  label: string;
  value: number;
  max: number;
  note?: string;
}

export interface RenderedBody {
  text: string;
  html: string;
}

export function renderBlocks(title: string, blocks: readonly Block[]): RenderedBody {
  return {
    text: `${blocks.map(blockText).join('\n\n')}\n`,
    html: page(title, blocks.map(blockHtml).join('\n')),
  };
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'heading':
      return `${block.text}\n${'-'.repeat(block.text.length)}`;
    case 'paragraph':
      return block.text;
    case 'link':
      return `${block.text}:\n${block.href}`;
    case 'choices':
      return block.choices.map((choice) => `${choice.label}:\n${choice.href}`).join('\n');
    case 'list':
      return block.items
        .map((item) =>
          [`- ${oneLine(item.title)}`, ...(item.details ?? []).map((d) => `    ${d}`)].join('\n'),
        )
        .join('\n');
    case 'table': {
      // A cell is one line: a line break in a comment would start a row of its own.
      const rows = block.rows.map((r) => r.map(oneLine));
      const widths = block.head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      return [line(block.head), ...rows.map(line)].join('\n');
    }
    case 'bars': {
      const width = Math.max(...block.rows.map((r) => r.label.length));
      return block.rows
        .map((r) => {
          const filled = r.max > 0 ? Math.round((20 * r.value) / r.max) : 0;
          const bar = '#'.repeat(filled).padEnd(20, '.');
          return `${r.label.padEnd(width)}  ${bar}  ${r.value} ${block.unit}${r.note ? `  ${r.note}` : ''}`;
        })
        .join('\n');
    }
  }
}

function blockHtml(block: Block): string {
  const e = escapeHtml;
  switch (block.type) {
    case 'heading':
      return `<h2 style="font-size:17px;margin:24px 0 8px">${e(block.text)}</h2>`;
    case 'paragraph':
      return `<p style="margin:0 0 12px">${e(block.text)}</p>`;
    case 'link':
      return (
        `<p style="margin:16px 0"><a href="${e(block.href)}" style="display:inline-block;background:#2b6cb0;` +
        `color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none;font-weight:600">${e(block.text)}</a></p>`
      );
    case 'choices':
      return (
        `<p style="margin:16px 0 4px">${block.choices
          .map(
            (choice) =>
              `<a href="${e(choice.href)}" aria-label="${e(choice.label)}" style="display:inline-block;min-width:24px;` +
              'text-align:center;background:#2b6cb0;color:#ffffff;padding:10px 14px;margin:0 8px 8px 0;border-radius:4px;' +
              `text-decoration:none;font-weight:600">${e(choice.text)}</a>`,
          )
          .join('')}</p>` +
        (block.note ? `<p style="margin:0 0 12px;font-size:13px;color:#4a5568">${e(block.note)}</p>` : '')
      );
    case 'list':
      return `<ul style="padding-left:20px">${block.items
        .map(
          (item) =>
            `<li style="margin-bottom:8px"><strong>${e(item.title)}</strong>${(item.details ?? [])
              .map((d) => `<br>${e(d)}`)
              .join('')}</li>`,
        )
        .join('')}</ul>`;
    case 'table':
      return `<table style="border-collapse:collapse"><thead><tr>${block.head
        .map((h) => `<th style="text-align:left;padding:4px 12px 4px 0">${e(h)}</th>`)
        .join('')}</tr></thead><tbody>${block.rows
        .map((r) => `<tr>${r.map((c) => `<td style="padding:4px 12px 4px 0">${e(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'bars':
      return `<table style="border-collapse:collapse">${block.rows
        .map((r) => {
          const pct = r.max > 0 ? Math.round((100 * r.value) / r.max) : 0;
          return (
            `<tr><td style="padding:2px 12px 2px 0">${e(r.label)}</td>` +
            `<td style="width:200px"><div role="img" aria-label="${e(`${r.value} ${block.unit}`)}" ` +
            `style="background:#2b6cb0;height:12px;width:${pct}%"></div></td>` +
            `<td style="padding:2px 0 2px 12px">${e(`${r.value} ${block.unit}`)}${r.note ? ` ${e(r.note)}` : ''}</td></tr>`
          );
        })
        .join('')}</table>`;
  }
}

function page(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
    '<body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#1a202c;max-width:640px;margin:auto;padding:16px">' +
    `${body}<hr style="margin-top:32px;border:none;border-top:1px solid #e2e8f0">` +
    '<p style="font-size:12px;color:#718096">Sent by onramp, the phased onboarding of your outsourcing partner.</p>' +
    '</body></html>'
  );
}
