import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import { outboundUrl } from '../../platform/outbound-url.ts';
import type { SectionProvisioner } from '../registry/index.ts';
import { openSecret, sealSecret } from '../../platform/secrets.ts';
import { WECHATPAY_DEFAULT_BASE, type WechatpayMerchant } from './wechatpay/client.ts';

const pem = (kind: 'private' | 'public') =>
  z.string().refine(
    (v) => {
      try {
        if (kind === 'private') createPrivateKey(v);
        else createPublicKey(v);
        return true;
      } catch {
        return false;
      }
    },
    kind === 'private' ? 'a PEM private key (apiclient_key.pem)' : 'a PEM public key or platform certificate',
  );

const platformKey = z.object({ serial: z.string().min(1).max(64), publicKey: pem('public') });

export const wechatpaySettingsSchema = z.object({
  mchid: z.string().regex(/^[0-9A-Za-z]{1,32}$/, 'the merchant number (商户号)'),
  appid: z.string().regex(/^[0-9A-Za-z_]{1,32}$/, 'the AppID bound to the merchant'),
  apiV3Key: z.string().refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'the APIv3 key has exactly 32 bytes').optional(),
  merchantSerial: z.string().min(1).max(64),
  merchantPrivateKey: pem('private').optional(),
  platformSerial: z.string().min(1).max(64),
  platformPublicKey: pem('public'),
  /** More platform keys while WeChat migrates from certificates to the WeChat Pay public key (both are used, chosen by Wechatpay-Serial). */
  extraPlatformKeys: z.array(platformKey).optional(),
  apiBaseUrl: outboundUrl().default(WECHATPAY_DEFAULT_BASE),
});
export type WechatpaySettings = z.infer<typeof wechatpaySettingsSchema>;

export const paymentsSettingsSchema = z.object({ wechatpay: wechatpaySettingsSchema.optional() });
export type PaymentsSettings = z.infer<typeof paymentsSettingsSchema>;

/** Saves one operator's WeChat Pay merchant; secrets left out keep their stored value. */
export async function saveWechatpaySettings(q: Queryable, operatorId: string, s: WechatpaySettings, timezone: string): Promise<void> {
  const cur = await q.query<{ api_v3_key_enc: string | null; merchant_private_key_enc: string | null }>(
    `SELECT api_v3_key_enc, merchant_private_key_enc FROM payment_merchants WHERE operator_id = $1 AND provider = 'wechatpay' FOR UPDATE`,
    [operatorId],
  );
  const apiV3 = s.apiV3Key ? sealSecret(s.apiV3Key) : (cur.rows[0]?.api_v3_key_enc ?? null);
  const priv = s.merchantPrivateKey ? sealSecret(s.merchantPrivateKey) : (cur.rows[0]?.merchant_private_key_enc ?? null);
  if (!apiV3) throw new AppError(400, 'invalid_settings', 'payments.wechatpay.apiV3Key is required the first time');
  if (!priv) throw new AppError(400, 'invalid_settings', 'payments.wechatpay.merchantPrivateKey is required the first time');
  const keys = [{ serial: s.platformSerial, publicKey: s.platformPublicKey }, ...(s.extraPlatformKeys ?? []).filter((k) => k.serial !== s.platformSerial)];
  await q.query(
    `INSERT INTO payment_merchants (operator_id, provider, mchid, appid, api_v3_key_enc, merchant_serial, merchant_private_key_enc, platform_keys, api_base_url, timezone)
     VALUES ($1, 'wechatpay', $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (operator_id, provider) DO UPDATE SET mchid = EXCLUDED.mchid, appid = EXCLUDED.appid, api_v3_key_enc = EXCLUDED.api_v3_key_enc,
       merchant_serial = EXCLUDED.merchant_serial, merchant_private_key_enc = EXCLUDED.merchant_private_key_enc, platform_keys = EXCLUDED.platform_keys,
       api_base_url = EXCLUDED.api_base_url, timezone = EXCLUDED.timezone, updated_at = now()`,
    [operatorId, s.mchid, s.appid, apiV3, s.merchantSerial, priv, JSON.stringify(keys), s.apiBaseUrl.replace(/\/+$/, ''), timezone],
  );
}

interface MerchantRow {
  operator_id: string;
  mchid: string;
  appid: string;
  api_v3_key_enc: string | null;
  merchant_serial: string;
  merchant_private_key_enc: string | null;
  platform_keys: { serial: string; publicKey: string }[];
  api_base_url: string;
  timezone: string;
  updated_at: Date;
}

export interface LoadedMerchant extends WechatpayMerchant {
  operatorId: string;
  timezone: string;
}

/** The operator's merchant with secrets opened, or null when WeChat Pay is not configured. */
export async function loadWechatpayMerchant(q: Queryable, operatorId: string): Promise<LoadedMerchant | null> {
  const r = await q.query<MerchantRow>(`SELECT * FROM payment_merchants WHERE operator_id = $1 AND provider = 'wechatpay'`, [operatorId]);
  const m = r.rows[0];
  if (!m || !m.api_v3_key_enc || !m.merchant_private_key_enc) return null;
  return {
    operatorId,
    timezone: m.timezone,
    mchid: m.mchid,
    appid: m.appid,
    apiV3Key: openSecret(m.api_v3_key_enc),
    merchantSerial: m.merchant_serial,
    merchantPrivateKey: openSecret(m.merchant_private_key_enc),
    platformKeys: m.platform_keys,
    apiBaseUrl: m.api_base_url,
  };
}

export async function listMerchantOperators(q: Queryable): Promise<{ operatorId: string; timezone: string }[]> {
  const r = await q.query<{ operator_id: string; timezone: string }>(`SELECT operator_id, timezone FROM payment_merchants WHERE provider = 'wechatpay' ORDER BY operator_id`);
  return r.rows.map((x) => ({ operatorId: x.operator_id, timezone: x.timezone }));
}

/** The settings as the console sees them: secrets are write-only, shown only as set or not. */
export async function paymentsSettingsView(q: Queryable, operatorId: string) {
  const r = await q.query<MerchantRow>(`SELECT * FROM payment_merchants WHERE operator_id = $1 AND provider = 'wechatpay'`, [operatorId]);
  const m = r.rows[0];
  if (!m) return { wechatpay: null };
  const [first, ...extra] = m.platform_keys;
  return {
    wechatpay: {
      mchid: m.mchid,
      appid: m.appid,
      apiV3KeySet: !!m.api_v3_key_enc,
      merchantSerial: m.merchant_serial,
      merchantPrivateKeySet: !!m.merchant_private_key_enc,
      platformSerial: first?.serial ?? null,
      platformPublicKey: first?.publicKey ?? null,
      extraPlatformKeys: extra,
      apiBaseUrl: m.api_base_url,
      updatedAt: m.updated_at.toISOString(),
    },
  };
}

export const paymentsProvisioner: SectionProvisioner<PaymentsSettings> = {
  section: 'payments',
  schema: paymentsSettingsSchema,
  refine(value, _op, issue) {
    if (value.wechatpay && !value.wechatpay.apiV3Key) issue(['wechatpay', 'apiV3Key'], 'the APIv3 key is required');
    if (value.wechatpay && !value.wechatpay.merchantPrivateKey) issue(['wechatpay', 'merchantPrivateKey'], 'the merchant private key is required');
  },
  async apply(q, operatorId, value, ctx) {
    if (value.wechatpay) await saveWechatpaySettings(q, operatorId, value.wechatpay, ctx.timezone);
  },
};
