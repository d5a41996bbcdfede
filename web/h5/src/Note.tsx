import { ApiError } from './api.ts';
import { t, type Key } from './i18n.ts';

/** API error codes the driver can meet, in the driver's language (the server's text is English). */
const ERRORS: Record<string, Key> = {
  charger_offline: 'e_charger_offline',
  gun_busy: 'e_gun_busy',
  session_in_progress: 'e_session_in_progress',
  start_refused: 'e_start_refused',
  charger_refuses_sessions: 'e_charger_offline',
  stop_refused: 'e_stop_refused',
  insufficient_balance: 'lowBalance',
  driver_blocked: 'e_blocked',
  tag_blocked: 'e_blocked',
  unknown_tag: 'e_no_driver',
  no_driver: 'e_no_driver',
  tag_expired: 'e_blocked',
  bad_code: 'e_bad_code',
  too_many_codes: 'e_too_many_codes',
  too_many_attempts: 'e_too_many_attempts',
  not_found: 'notFound',
  unauthorized: 'e_login',
  rate_limited: 'e_too_many_codes',
  validation_failed: 'e_invalid',
  bad_request: 'e_invalid',
};

/** A message for the driver: a known code in their language, otherwise a generic one naming the code. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const k = ERRORS[e.code];
    if (k) return t(k);
    return t('e_generic', { code: e.code });
  }
  return t('e_network');
}

/** An error (or notice) that stays until the driver dismisses it: a poll never clears it. */
export function Note({ text, kind = 'err', onClose, testId = 'h5-error' }: { text: string | null | undefined; kind?: 'err' | 'ok'; onClose: () => void; testId?: string }) {
  if (!text) return null;
  return (
    <div className={`note ${kind}`} data-testid={testId} role={kind === 'err' ? 'alert' : 'status'}>
      <span>{text}</span>
      <button className="x" onClick={onClose} aria-label={t('dismiss')} data-testid={`${testId}-close`}>
        ×
      </button>
    </div>
  );
}
