import type {
  EventPayload,
  loginChallengedV2,
  loginThrottledV2,
  passwordChangedV1,
  passwordResetRequestedV2,
  suspensionAppealDecidedV1,
  userStatusChangedV1,
} from '@fluxnote/contracts';
import type { Message } from './templates';

/**
 * Security messages: must-deliver. Codes and one-time links go by email only —
 * never into the feed, which anyone holding a session could read. The event
 * carries them sealed; the caller passes them opened.
 */

function when(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', 'UTC');
}

export function loginCodeMessage(
  event: EventPayload<typeof loginChallengedV2>,
  code: string,
): Message {
  return {
    category: 'security',
    title: `Your log-in code: ${code}`,
    paragraphs: [
      `Someone — we hope you — signed in with your password from ${event.device}${event.country ? ` in ${event.country}` : ''}, a device or place we have not seen you use.`,
      `Enter ${code} to finish logging in. It works until ${when(event.expiresAt)}, for five tries.`,
      'If this was not you, do not share the code, and change your password: whoever tried knows it.',
    ],
    action: { label: 'Change your password', path: '/forgot-password' },
    channels: ['email'],
    holdsSecret: true,
  };
}

export function loginThrottledMessage(
  event: EventPayload<typeof loginThrottledV2>,
  unlockToken: string,
): Message {
  return {
    category: 'security',
    title: 'We paused log-ins to your account from new devices',
    paragraphs: [
      `There were ${event.failures} failed password attempts on your account from devices you have not used before, so new devices cannot log in until ${when(event.lockedUntil)}. Devices you already use are not affected.`,
      'If that was you, use the button to lift the pause now. If it was not, your password held; choose a stronger one if it is used elsewhere.',
    ],
    action: {
      label: 'Let me log in now',
      path: `/unlock?token=${encodeURIComponent(unlockToken)}`,
    },
    channels: ['email'],
    holdsSecret: true,
  };
}

export function passwordResetMessage(
  event: EventPayload<typeof passwordResetRequestedV2>,
  resetToken: string,
): Message {
  return {
    category: 'security',
    title: 'Choose a new password',
    paragraphs: [
      `Someone asked to reset your password. The link works once, until ${when(event.expiresAt)}. Choosing a new password ends every session and unlocks your account if it was locked.`,
      'If you did not ask, ignore this email: your password stays as it is.',
    ],
    action: {
      label: 'Choose a new password',
      path: `/reset-password?token=${encodeURIComponent(resetToken)}`,
    },
    channels: ['email'],
    holdsSecret: true,
  };
}

export function passwordChangedMessage(_event: EventPayload<typeof passwordChangedV1>): Message {
  return {
    category: 'security',
    title: 'Your password was changed',
    paragraphs: [
      'Your password was just changed and every session was ended, so you need to log in again on each device.',
      'If you did not do this, contact support at once from the Help page.',
    ],
    action: { label: 'Contact support', path: '/help' },
    channels: ['in_app', 'email', 'push'],
  };
}

/** Null for changes the user made or saw themselves. */
export function statusChangedMessage(
  event: EventPayload<typeof userStatusChangedV1>,
): Message | null {
  switch (event.status) {
    case 'locked':
      return {
        category: 'security',
        title: 'Your account is locked',
        paragraphs: [
          event.reason,
          'To get back in, choose a new password with “Forgot password” on the log-in page: it unlocks your account and only you, with access to this inbox, can do it.',
        ],
        action: { label: 'Recover your account', path: '/forgot-password' },
        channels: ['in_app', 'email', 'push'],
      };
    case 'frozen':
      return {
        category: 'security',
        title: 'Your account is frozen for a security review',
        paragraphs: [
          event.reason,
          'While it is frozen, nobody can log in, start generations or change billing. A senior agent will review it and write to you; you do not need to do anything now.',
        ],
        action: { label: 'Open your support tickets', path: '/help/tickets' },
        channels: ['in_app', 'email', 'push'],
      };
    case 'suspended':
      return {
        category: 'security',
        title: 'Your account is suspended',
        paragraphs: [
          event.reason,
          ...(event.rule ? [`Rule: ${event.rule}.`] : []),
          ...(event.evidence?.length ? [`Cited: ${event.evidence.join(', ')}.`] : []),
          'You can appeal once, with a statement: a senior agent decides within 48 hours, and that decision is final.',
        ],
        action: { label: 'Appeal', path: '/account/suspension' },
        channels: ['in_app', 'email', 'push'],
      };
    case 'active':
      if (event.cause === 'password_reset' || event.cause === 'appeal_overturned') {
        return null; // the password-changed and appeal-decided messages say it
      }
      return {
        category: 'security',
        title: 'Your account is active again',
        paragraphs: [event.reason],
        action: { label: 'Open FluxNote', path: '/' },
        channels: ['in_app', 'email', 'push'],
      };
    case 'deleting':
      return null; // the deletion has its own messages
  }
}

export function appealDecidedMessage(
  event: EventPayload<typeof suspensionAppealDecidedV1>,
): Message {
  return event.decision === 'overturned'
    ? {
        category: 'security',
        title: 'Your appeal was accepted',
        paragraphs: [
          'A senior agent reviewed your appeal and lifted the suspension; your account is active again.',
          ...(event.note ? [event.note] : []),
        ],
        action: { label: 'Open FluxNote', path: '/' },
        channels: ['in_app', 'email', 'push'],
      }
    : {
        category: 'security',
        title: 'Your appeal was declined',
        paragraphs: [
          'A senior agent reviewed your appeal and the suspension stays. This decision is final.',
          ...(event.note ? [event.note] : []),
          'If you wish, you can delete your account and all of its data from Settings.',
        ],
        action: { label: 'Account settings', path: '/account' },
        channels: ['in_app', 'email', 'push'],
      };
}
