import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** A fresh RSA-2048 key pair as PEM, generated at run time (no private key is ever committed). */
export function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** A certificate-style serial (40 hex) or a WeChat Pay public key id (PUB_KEY_ID_ + 32 digits). */
export function serialFor(style: 'cert' | 'pubkey'): string {
  if (style === 'cert') return randomBytes(20).toString('hex').toUpperCase();
  return 'PUB_KEY_ID_' + Array.from(randomBytes(16), (b) => String(b % 10)).join('').padStart(32, '0');
}

/** A printable 32-byte APIv3 key. */
export const apiV3Key = () => randomBytes(24).toString('base64').replace(/[+/=]/g, 'x').slice(0, 32);
