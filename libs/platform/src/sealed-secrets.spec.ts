import { randomUUID } from 'node:crypto';
import {
  generateSealingKeyPair,
  SealedSecretRefused,
  SecretOpener,
  SecretSealer,
  type SealedFor,
} from './sealed-secrets';

describe('sealed secrets', () => {
  const alice: SealedFor = { userId: randomUUID(), purpose: 'login_code' };
  let keys: { publicKey: string; privateKey: string };
  let sealer: SecretSealer;
  let opener: SecretOpener;

  beforeAll(async () => {
    keys = await generateSealingKeyPair();
    sealer = await SecretSealer.fromPublicKey(keys.publicKey);
    opener = await SecretOpener.fromPrivateKeys([keys.privateKey]);
  });

  it('opens what was sealed for the same user and purpose, and shows nothing of it sealed', async () => {
    const sealed = await sealer.seal('482913', alice);
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed).not.toContain('482913');
    expect(Buffer.from(sealed.split('.')[0], 'base64url').toString()).not.toContain('482913');
    expect(await opener.open(sealed, alice)).toBe('482913');
    // each seal is fresh: the same code twice looks different
    expect(await sealer.seal('482913', alice)).not.toBe(sealed);
  });

  it.each([
    ['another user', { userId: randomUUID(), purpose: 'login_code' as const }],
    ['another purpose', { userId: alice.userId, purpose: 'reset_token' as const }],
  ])('refuses a secret presented as for %s', async (_what, claimed) => {
    const sealed = await sealer.seal('482913', alice);
    await expect(opener.open(sealed, claimed)).rejects.toThrow(SealedSecretRefused);
  });

  it('refuses a tampered, a foreign or a malformed seal', async () => {
    const [header, key, iv, text, tag] = (await sealer.seal('482913', alice)).split('.');
    const flipped = Buffer.from(text, 'base64url');
    flipped[0] = flipped[0] ^ 1;
    const tampered = [header, key, iv, flipped.toString('base64url'), tag].join('.');
    await expect(opener.open(tampered, alice)).rejects.toThrow(SealedSecretRefused);

    const other = await generateSealingKeyPair();
    const foreign = await (await SecretSealer.fromPublicKey(other.publicKey)).seal('1', alice);
    await expect(opener.open(foreign, alice)).rejects.toThrow(/no private key with id/);
    await expect(opener.open('not.a.jwe', alice)).rejects.toThrow(SealedSecretRefused);
  });

  it('opens seals to the previous key while a rotation settles', async () => {
    const next = await generateSealingKeyPair();
    const rotated = await SecretOpener.fromPrivateKeys([next.privateKey, keys.privateKey]);
    const old = await sealer.seal('old', alice);
    const fresh = await (await SecretSealer.fromPublicKey(next.publicKey)).seal('new', alice);
    expect(await rotated.open(old, alice)).toBe('old');
    expect(await rotated.open(fresh, alice)).toBe('new');
    await expect(SecretOpener.fromPrivateKeys([])).rejects.toThrow(/at least one/);
  });
});
