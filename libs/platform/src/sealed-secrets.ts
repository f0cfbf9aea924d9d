import {
  calculateJwkThumbprint,
  CompactEncrypt,
  compactDecrypt,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importPKCS8,
  importSPKI,
  type CryptoKey,
} from 'jose';
import type { SecretPurpose } from '@fluxnote/contracts';

/**
 * Secrets that must reach a user's inbox — a log-in code, an unlock or reset link's token — travel
 * in events sealed for notifications alone, so the bus, its retention and its dead letters, and
 * every other consumer of the topic, hold ciphertext only.
 *
 * A sealed secret is a compact JWE (RFC 7516): ECDH-ES key agreement on P-256 with notifications'
 * public key, A256GCM content encryption. Its protected header, which the encryption
 * authenticates, names the key (`kid`, the key's JWK thumbprint), the user (`sub`) and what the
 * secret is for (`pur`), so a sealed code can't be replayed into another user's event or used as
 * another kind of secret.
 */
const ALG = 'ECDH-ES';
const ENC = 'A256GCM';

async function keyId(key: CryptoKey): Promise<string> {
  const { kty, crv, x, y } = await exportJWK(key);
  return calculateJwkThumbprint({ kty, crv, x, y });
}

/** Who a secret is for and what it is; checked again when it is opened. */
export interface SealedFor {
  userId: string;
  purpose: SecretPurpose;
}

/** Accounts' half: it can seal, never open. */
export class SecretSealer {
  private constructor(
    private readonly key: CryptoKey,
    private readonly kid: string,
  ) {}

  /** From notifications' public key (SPKI PEM). */
  static async fromPublicKey(pem: string): Promise<SecretSealer> {
    const key = await importSPKI(pem, ALG, { extractable: true });
    return new SecretSealer(key, await keyId(key));
  }

  async seal(secret: string, to: SealedFor): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(secret))
      .setProtectedHeader({ alg: ALG, enc: ENC, kid: this.kid, sub: to.userId, pur: to.purpose })
      .encrypt(this.key);
  }
}

/** A sealed secret that can't be opened here, or is not what the event says it is. */
export class SealedSecretRefused extends Error {}

/** Notifications' half: the current private key, and the previous one while a rotation settles. */
export class SecretOpener {
  private constructor(private readonly keys: ReadonlyMap<string, CryptoKey>) {}

  /** From PKCS#8 PEMs, current first. */
  static async fromPrivateKeys(pems: readonly string[]): Promise<SecretOpener> {
    const keys = new Map<string, CryptoKey>();
    for (const pem of pems) {
      const key = await importPKCS8(pem, ALG, { extractable: true });
      keys.set(await keyId(key), key);
    }
    if (keys.size === 0) {
      throw new Error('a secret opener needs at least one private key');
    }
    return new SecretOpener(keys);
  }

  async open(sealed: string, expected: SealedFor): Promise<string> {
    let opened: Awaited<ReturnType<typeof compactDecrypt>>;
    try {
      opened = await compactDecrypt(
        sealed,
        (header) => {
          const key = header.kid ? this.keys.get(header.kid) : undefined;
          if (!key) {
            throw new SealedSecretRefused(`no private key with id ${header.kid ?? '(none)'}`);
          }
          return key;
        },
        { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] },
      );
    } catch (error) {
      throw error instanceof SealedSecretRefused
        ? error
        : new SealedSecretRefused(`the sealed secret does not open (${(error as Error).name})`);
    }
    const header = opened.protectedHeader;
    if (header['sub'] !== expected.userId || header['pur'] !== expected.purpose) {
      throw new SealedSecretRefused(
        `the sealed secret is for ${String(header['pur'])}, not ${expected.purpose} of this user`,
      );
    }
    return new TextDecoder().decode(opened.plaintext);
  }
}

/** A new key pair as PEMs: the private half for notifications, the public half for accounts. */
export async function generateSealingKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  const pair = await generateKeyPair(ALG, { crv: 'P-256', extractable: true });
  return {
    publicKey: await exportSPKI(pair.publicKey),
    privateKey: await exportPKCS8(pair.privateKey),
  };
}
