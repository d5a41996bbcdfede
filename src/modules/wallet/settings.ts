import type { Queryable } from '../../platform/db/index.ts';
import { parseYuan } from '../../platform/money.ts';
import { getOperator } from '../registry/index.ts';

export interface WalletSettings {
  /** A driver needs at least this much (wallet, or enterprise balance + credit limit) to start. */
  minStartBalanceFen: number;
  /** The least amount kept back for energy still flowing when the watcher stops a session. */
  stopMarginFen: number;
  /** Seconds of charging at the current power the margin also covers (the time a remote stop takes). */
  stopHorizonSeconds: number;
  /** A debit that takes a wallet below this raises a low-balance notification. */
  lowBalanceFen: number;
  /** What a start reserves on the payer's account (the hold is the lesser of this and what is available). */
  startHoldFen: number;
}

export const DEFAULT_SETTINGS: WalletSettings = { minStartBalanceFen: 500, stopMarginFen: 100, stopHorizonSeconds: 60, lowBalanceFen: 1000, startHoldFen: 3000 };

const yuanSetting = (v: unknown): number | undefined => {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseYuan(String(v));
  } catch {
    return undefined;
  }
};

/** The wallet_settings row wins; then the operator's provisioned settings (minStartBalance, lowBalance in yuan); then defaults. */
export async function walletSettings(q: Queryable, operatorId: string): Promise<WalletSettings> {
  const r = await q.query(`SELECT * FROM wallet_settings WHERE operator_id = $1`, [operatorId]);
  const row = r.rows[0];
  if (row)
    return {
      minStartBalanceFen: row.min_start_balance_fen,
      stopMarginFen: row.stop_margin_fen,
      stopHorizonSeconds: row.stop_horizon_seconds,
      lowBalanceFen: row.low_balance_fen,
      startHoldFen: Number(row.start_hold_fen ?? DEFAULT_SETTINGS.startHoldFen),
    };
  const op = await getOperator(q, operatorId);
  const s = (op?.settings ?? {}) as Record<string, unknown>;
  return {
    ...DEFAULT_SETTINGS,
    minStartBalanceFen: yuanSetting(s.minStartBalance) ?? DEFAULT_SETTINGS.minStartBalanceFen,
    lowBalanceFen: yuanSetting(s.lowBalance) ?? DEFAULT_SETTINGS.lowBalanceFen,
    startHoldFen: yuanSetting(s.startHold) ?? DEFAULT_SETTINGS.startHoldFen,
  };
}

/** startHoldFen left out keeps the stored value (default 30.00 yuan). */
export async function saveWalletSettings(q: Queryable, operatorId: string, s: Omit<WalletSettings, 'startHoldFen'> & { startHoldFen?: number }): Promise<void> {
  await q.query(
    `INSERT INTO wallet_settings (operator_id, min_start_balance_fen, stop_margin_fen, stop_horizon_seconds, low_balance_fen, start_hold_fen) VALUES ($1, $2, $3, $4, $5, COALESCE($6, $7::bigint))
     ON CONFLICT (operator_id) DO UPDATE SET min_start_balance_fen = $2, stop_margin_fen = $3, stop_horizon_seconds = $4, low_balance_fen = $5,
       start_hold_fen = COALESCE($6, wallet_settings.start_hold_fen), updated_at = now()`,
    [operatorId, s.minStartBalanceFen, s.stopMarginFen, s.stopHorizonSeconds, s.lowBalanceFen, s.startHoldFen ?? null, DEFAULT_SETTINGS.startHoldFen],
  );
}
