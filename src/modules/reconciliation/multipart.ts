/**
 * A small multipart/form-data reader for the console's statement upload (one file and a few text
 * fields; the platform carries no multipart dependency). Refuses what it cannot read with a message.
 */
export interface Multipart {
  fields: Record<string, string>;
  files: { name: string; filename: string; contentType: string; content: Buffer }[];
}

export function parseMultipart(body: Buffer, contentType: string | undefined): Multipart | string {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!/^multipart\/form-data/i.test(contentType ?? '') || !m) return 'send multipart/form-data with a boundary';
  const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
  const out: Multipart = { fields: {}, files: [] };
  let pos = body.indexOf(boundary);
  if (pos < 0) return 'the multipart body has no part';
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return out;
    pos += 2; // CRLF
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return 'a multipart part has no header end';
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(boundary, headEnd + 4);
    if (next < 0) return 'the multipart body is not terminated';
    const content = body.subarray(headEnd + 4, next - 2); // the CRLF before the boundary
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
    if (!name) return 'a multipart part has no name';
    if (filename !== undefined) out.files.push({ name, filename, contentType: type, content: Buffer.from(content) });
    else out.fields[name] = content.toString('utf8');
    pos = next;
  }
}
