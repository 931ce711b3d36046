// What a spreadsheet shows of our CSV cells: the text as it was, never a formula run.
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvLine } from './csv.js';

describe('csv', () => {
  it('quotes a comma, a quote, a line break or a tab, doubling quotes', () => {
    expect(csvCell('东莞市,长安镇')).toBe('"东莞市,长安镇"');
    expect(csvCell('他说"好"')).toBe('"他说""好"""');
    expect(csvCell('a\r\nb')).toBe('"a\r\nb"');
    expect(csvCell('plain 文本')).toBe('plain 文本');
  });

  it('keeps what a spreadsheet would run as a formula as text', () => {
    for (const s of ['=1+1', '+86 769', '-5', '@SUM(A1)', "'=x"])
      expect(csvCell(s).startsWith("'")).toBe(true);
    expect(csvCell(-5)).toBe('-5'); // a number is never a formula
    expect(csvCell('A-1')).toBe('A-1');
  });

  it('writes empty for null, 是/否 for booleans, and CRLF lines', () => {
    expect(csvLine([null, undefined, true, false, 3])).toBe(',,是,否,3\r\n');
    expect(CSV_BOM).toBe('\uFEFF');
  });
});
