/**
 * A statement file parsed and stored with its run, in the caller's transaction, a chunk at a time
 * through one COPY (stage.ts): memory holds a chunk, not the file.
 *
 * Measured and left out: parsing on a worker thread. The staging of a million rows is bound by the
 * CPU of both sides (the parse and its COPY text about 2.2 s, the database's COPY about 2.2 s, on two
 * cores); a worker added its start (0.4-1 s, tsx and the parser's imports) and a third busy thread,
 * and staged in 4.5-5.3 s where one thread took 3.5-3.8 s (bench/reconciliation, 2026-12-06).
 */
import type { Queryable } from '../../platform/db/index.ts';
import { readStatement, statementRows, type Mapping, type StatementCheck, type StatementFormat, type StatementProblem } from './statement.ts';
import { stager, STAGE_CHUNK } from './stage.ts';

export interface StatementInput {
  format: StatementFormat;
  /** CSV text, or the XLSX bytes (base64 text in JSON) */
  content: string | Buffer;
  mapping?: Mapping;
  check: StatementCheck & { timeZone: string };
}
export interface Staged {
  problems: StatementProblem[];
  moreProblems: number;
  count: number;
}

/** Parses and stores the statement; with problems nothing of it stays (the caller refuses it). */
export async function stageStatement(q: Queryable, runId: number, input: StatementInput): Promise<Staged> {
  const stage = stager(q, runId);
  try {
    const parsed = await readStatement(statementRows(input.format, input.content, input.check.timeZone), input.mapping, input.check, undefined, { chunk: STAGE_CHUNK, write: stage.write });
    await stage.close(parsed.problems.length > 0);
    return { problems: parsed.problems, moreProblems: parsed.moreProblems, count: parsed.count };
  } catch (e) {
    await stage.close(true).catch(() => {});
    throw e;
  }
}
