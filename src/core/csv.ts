// CSV for people who open it in Excel: cells quoted when they hold a comma, a quote or a line
// break, and a cell a spreadsheet would run as a formula (= + - @, a tab or a return first) kept as
// text by a leading apostrophe. Lines end in CRLF; a file starts with a byte-order mark (BOM) so
// that Excel reads the Chinese as UTF-8.

export const CSV_BOM = '\uFEFF';

/** One cell: null and undefined are empty, booleans 是/否, numbers as they are (never a formula). */
export function csvCell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  let s = v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? '是' : '否') : String(v);
  if (/^'*[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n\t]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One line, CRLF-terminated. */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\r\n`;
