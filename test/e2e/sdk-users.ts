import { createFluxNoteClient, unwrap, type FluxNoteClient } from '@fluxnote/client';
import { expectEventually } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { mailTo } from './platform-under-test';

/** The password every user signed up here has. */
export const password = 'a long enough password';

/**
 * Clients of the platform `platform()` returns, through the SDK as an app would: new users, and
 * the codes and links their mail brings.
 */
export function sdkUsers(platform: () => Platform) {
  let counter = 0;
  const client = (): FluxNoteClient => createFluxNoteClient({ baseUrl: platform().gatewayUrl });

  /** A new user, usable the moment this returns (billing has opened their account). */
  async function signUp(): Promise<{ sdk: FluxNoteClient; email: string; id: string }> {
    const sdk = client();
    const email = `tour-${++counter}-${Date.now()}@example.com`;
    const tokens = await unwrap(
      sdk.api.POST('/v1/auth/signup', { body: { email, password, country: 'US' } }),
    );
    await expectEventually(() => unwrap(sdk.api.GET('/v1/usage')));
    return { sdk, email, id: tokens.user.id };
  }

  /** The six-digit log-in code last mailed to `email`. */
  const code = async (email: string): Promise<string> =>
    /(\d{6})/.exec((await mailTo(platform(), email, /log-in code/)).subject)![1];

  /** The token of the `path` link in the mail to `email` whose subject matches. */
  const link = async (email: string, subject: RegExp, path: string): Promise<string> => {
    const mail = await mailTo(platform(), email, subject);
    return decodeURIComponent(new RegExp(`${path}\\?token=([^\\s\\]]+)`).exec(mail.text)![1]);
  };

  return { client, signUp, code, link };
}
