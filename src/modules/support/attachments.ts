/**
 * Attachments of a case (screenshots, files) are kept in the database (bytea) rather than in
 * DATA_DIR: every node of a cluster and every backup has them, and PGlite needs no second store.
 * Each is at most 5 MiB and a case has at most 20; they are served with nosniff, images inline and
 * everything else as a download, so a file cannot run as a page of the console.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { caseRow } from './cases.ts';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export function safeContentType(t: string | undefined): string {
  const base = (t ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(base) ? base : 'application/octet-stream';
}

export function safeFilename(name: string | undefined): string {
  const n = (name ?? '').replace(/[\\/\u0000-\u001f\u007f"]/g, '_').trim().slice(0, 200);
  return n || 'attachment';
}

export async function addAttachment(q: Queryable, operatorId: string, caseId: number, file: { filename: string; contentType: string; content: Buffer }, actor: string, now: Date) {
  const c = await caseRow(q, operatorId, caseId, true);
  if (!c) throw notFound(`case ${caseId}`);
  if (!file.content.length) throw new AppError(400, 'empty_file', 'the attachment is empty');
  if (file.content.length > MAX_ATTACHMENT_BYTES) throw new AppError(413, 'too_large', `an attachment may be at most ${MAX_ATTACHMENT_BYTES} bytes`);
  const n = (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM support_case_attachments WHERE operator_id = $1 AND case_id = $2`, [operatorId, caseId])).rows[0].n;
  if (n >= MAX_ATTACHMENTS) throw new AppError(409, 'too_many_attachments', `a case may have at most ${MAX_ATTACHMENTS} attachments`);
  const r = await q.query<{ id: number }>(
    `INSERT INTO support_case_attachments (operator_id, case_id, filename, content_type, size, sha256, content, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [operatorId, caseId, safeFilename(file.filename), safeContentType(file.contentType), file.content.length, createHash('sha256').update(file.content).digest('hex'), file.content, actor, now],
  );
  await q.query(`UPDATE support_cases SET updated_at = $3 WHERE operator_id = $1 AND id = $2`, [operatorId, caseId, now]);
  return Number(r.rows[0].id);
}

export async function getAttachment(q: Queryable, operatorId: string, caseId: number, id: number) {
  const r = await q.query<{ filename: string; content_type: string; content: Uint8Array }>(
    `SELECT filename, content_type, content FROM support_case_attachments WHERE operator_id = $1 AND case_id = $2 AND id = $3`,
    [operatorId, caseId, id],
  );
  const a = r.rows[0];
  if (!a) throw notFound(`attachment ${id}`);
  return { filename: a.filename, contentType: a.content_type, inline: INLINE.has(a.content_type), content: Buffer.from(a.content) };
}

export async function deleteAttachment(q: Queryable, operatorId: string, caseId: number, id: number, now: Date) {
  const r = await q.query(`DELETE FROM support_case_attachments WHERE operator_id = $1 AND case_id = $2 AND id = $3`, [operatorId, caseId, id]);
  if (!r.rowCount) throw notFound(`attachment ${id}`);
  await q.query(`UPDATE support_cases SET updated_at = $3 WHERE operator_id = $1 AND id = $2`, [operatorId, caseId, now]);
}

/** content-disposition with the UTF-8 name (Chinese file names) and an ASCII fallback. */
export const disposition = (kind: 'inline' | 'attachment', name: string) =>
  `${kind}; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
