/**
 * A small reader of iCalendar text (RFC 5545), enough to read back what the check-in attaches:
 * unfolds lines, splits each into name, parameters and value (a parameter value in quotes may hold
 * ':' and ';'), and unescapes TEXT values.
 */
export interface IcsLine {
  name: string;
  params: Record<string, string>;
  value: string;
}

export function readIcs(ics: string): IcsLine[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line) => line.length > 0)
    .map(readLine);
}

/** The value of the one property `name` of the lines (throws when absent or repeated). */
export function property(lines: readonly IcsLine[], name: string): IcsLine {
  const found = lines.filter((l) => l.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0]!;
}

/** A TEXT value as written before escaping (\\, \;, \, and \n). */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function readLine(line: string): IcsLine {
  let i = 0;
  let quoted = false;
  while (i < line.length && (quoted || line[i] !== ':')) {
    if (line[i] === '"') quoted = !quoted;
    i++;
  }
  if (i === line.length) throw new Error(`no value in ${JSON.stringify(line)}`);
  const [name, ...params] = splitUnquoted(line.slice(0, i), ';');
  return {
    name: name!,
    params: Object.fromEntries(
      params.map((p) => {
        const at = p.indexOf('=');
        return [p.slice(0, at), p.slice(at + 1).replace(/^"(.*)"$/, '$1')];
      }),
    ),
    value: line.slice(i + 1),
  };
}

function splitUnquoted(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}
