/**
 * CSV records (RFC 4180) from a stream of text or bytes, as csv-parse reads a statement (BOM
 * dropped, any number of columns per record, an empty line kept as one empty field), about ten times
 * faster: a chunk without a quote is split on line ends and commas; only text with quotes goes
 * through the quoted-field state machine. A million-row statement is the bench's case (issue 12).
 * Bad quoting (a quote inside an unquoted field, text after a closing quote, a quote never closed)
 * throws, as csv-parse does.
 */

function bad(record: number, what: string): never {
  throw new Error(`CSV record ${record}: ${what}`);
}

/** Parses complete records of `text`; returns them and the tail that is not a complete record yet. */
function parse(text: string, final: boolean, recordNo: number): { records: string[][]; rest: string } {
  const records: string[][] = [];
  const lastNl = text.lastIndexOf('\n');
  if (text.indexOf('"') < 0) {
    const end = final ? text.length : lastNl;
    if (end < 0) return { records, rest: text };
    const body = text.slice(0, end);
    const lines = body.split('\n');
    // a final text that ends with a line end has no record after it
    if (final && lines.length && lines[lines.length - 1] === '' && (end === 0 || text[end - 1] === '\n')) lines.pop();
    for (const l of lines) records.push((l.endsWith('\r') ? l.slice(0, -1) : l).split(','));
    return { records, rest: final ? '' : text.slice(end + 1) };
  }
  let i = 0;
  let start = 0; // where the record being read began
  const n = text.length;
  let fields: string[] = [];
  while (i < n || (final && start < n)) {
    // one field
    let value: string;
    if (text[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          if (final) bad(recordNo + records.length + 1, 'a quoted field is never closed');
          return { records, rest: text.slice(start) };
        }
        out += text.slice(j, q);
        if (text[q + 1] === '"') {
          out += '"';
          j = q + 2;
          continue;
        }
        if (q + 1 >= n && !final) return { records, rest: text.slice(start) };
        i = q + 1;
        break;
      }
      value = out;
      const c = text[i];
      if (c === '\r' && i + 1 >= n && !final) return { records, rest: text.slice(start) };
      if (i < n && c !== ',' && c !== '\n' && !(c === '\r' && text[i + 1] === '\n')) bad(recordNo + records.length + 1, 'text after a closing quote');
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
      if (j >= n && !final) return { records, rest: text.slice(start) };
      value = text.slice(i, j);
      if (value.includes('"')) bad(recordNo + records.length + 1, 'a quote inside an unquoted field');
      if (text[j] === '\n' && value.endsWith('\r')) value = value.slice(0, -1);
      i = j;
    }
    fields.push(value);
    if (text[i] === ',') {
      i++;
      if (i >= n && final) fields.push('');
      else continue;
    }
    if (text[i] === '\r') i++;
    if (i < n && text[i] !== '\n') continue;
    // end of the record (a line end, or the end of the final text)
    records.push(fields);
    fields = [];
    i++;
    start = i;
    if (i >= n) break;
  }
  return { records, rest: final ? '' : text.slice(start) };
}

/** The records of each chunk of input as one array (a million-row file: one await per chunk, not per record). */
export async function* csvRecordBatches(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[][]> {
  const dec = new TextDecoder('utf-8');
  let buf = '';
  let started = false;
  let count = 0;
  for await (const c of input) {
    buf += typeof c === 'string' ? c : dec.decode(c, { stream: true });
    if (!started && buf.length) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      started = true;
    }
    const { records, rest } = parse(buf, false, count);
    buf = rest;
    count += records.length;
    if (records.length) yield records;
  }
  buf += dec.decode();
  if (!started && buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
  if (buf.length) {
    const { records } = parse(buf, true, count);
    if (records.length) yield records;
  }
}

export async function* csvRecords(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  for await (const records of csvRecordBatches(input)) yield* records;
}
