import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { problemOf } from '@fluxnote/testing';
import { loginClient } from '../security/login-history';
import { openAccountsTestbed, type AccountsServices } from '../testing/accounts-services';
import type { Role } from './user.entity';

describe('freeze, suspension and appeal (Postgres)', () => {
  let dataSource: DataSource;
  let services: AccountsServices;
  let close: () => Promise<void>;
  const clock = new FixedClock(new Date('2026-11-03T09:00:00Z'));
  const phone = loginClient({ ip: '8.8.8.8', country: '', deviceId: 'phone', userAgent: 'App' });
  let n = 0;
  let agent: string;
  let senior: string;
  let admin: string;

  beforeAll(async () => {
    ({ dataSource, services, close } = await openAccountsTestbed('staff', clock));
    agent = (await user(['user', 'agent'])).id;
    senior = (await user(['user', 'agent', 'senior_agent'])).id;
    admin = (await user(['user', 'admin'])).id;
  });

  afterAll(async () => {
    await close();
  });

  async function user(roles: Role[] = ['user']): Promise<{ id: string; email: string }> {
    const email = `member${++n}@example.com`;
    const session = await services.identity.signUp({
      email,
      password: 'correct horse battery',
      brand: 'fluxnote',
      country: 'US',
      client: phone,
      roles,
    });
    return { id: session.user.id, email };
  }

  async function events(type: string, userId: string): Promise<Record<string, unknown>[]> {
    const rows = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM accounts.outbox WHERE envelope->>'type' = $1 AND key = $2 ORDER BY seq`,
      [type, userId],
    );
    return rows.map((r) => r.envelope.data);
  }

  async function audit(userId: string): Promise<{ action: string; actor_id: string }[]> {
    return dataSource.query(
      `SELECT action, actor_id, status_before, status_after, ticket_id FROM accounts.staff_actions
        WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
  }

  it('freezes on an agent’s word (no log-in, sessions ended), and only a senior agent unfreezes', async () => {
    const member = await user();
    const session = await services.logins.logIn(member.email, 'correct horse battery', phone);
    if (session.kind !== 'session') {
      throw new Error('expected a session');
    }
    const frozen = await services.staff.freeze(member.id, agent, 'SECURITY ticket', 'T-1');
    expect(frozen.status).toBe('frozen');
    // again: nothing more happens
    await services.staff.freeze(member.id, agent, 'again', 'T-1');
    expect(await events('accounts.user.status_changed.v1', member.id)).toEqual([
      expect.objectContaining({
        status: 'frozen',
        previousStatus: 'active',
        cause: 'security_review',
      }),
    ]);
    expect((await problemOf(services.sessions.rotate(session.session.refreshToken))).status).toBe(
      401,
    );
    expect(
      await problemOf(services.logins.logIn(member.email, 'correct horse battery', phone)),
    ).toMatchObject({ status: 423, type: 'account-frozen' });

    // a plain agent cannot take the senior action; a plain user cannot freeze at all
    expect(
      await problemOf(services.staff.unfreeze(member.id, agent, 'looks fine', 'T-1')),
    ).toMatchObject({ status: 403 });
    const other = await user();
    expect((await problemOf(services.staff.freeze(other.id, member.id, 'x', null))).status).toBe(
      403,
    );

    const active = await services.staff.unfreeze(
      member.id,
      senior,
      'reviewed: owner confirmed',
      'T-1',
    );
    expect(active.status).toBe('active');
    expect(
      (await problemOf(services.staff.unfreeze(member.id, senior, 'again', null))).status,
    ).toBe(409);
    expect(await audit(member.id)).toEqual([
      expect.objectContaining({
        action: 'freeze',
        actor_id: agent,
        status_before: 'active',
        status_after: 'frozen',
        ticket_id: 'T-1',
      }),
      expect.objectContaining({
        action: 'unfreeze',
        actor_id: senior,
        status_before: 'frozen',
        status_after: 'active',
      }),
    ]);
    expect((await services.logins.logIn(member.email, 'correct horse battery', phone)).kind).toBe(
      'session',
    );
  });

  it('suspends (admin only) naming the rule and evidence; the user may log in only to appeal, once; a senior agent’s decision is final', async () => {
    const member = await user();
    const input = {
      rule: 'Repeated sexual content involving real people',
      evidence: ['gen_7f3a', 'gen_91bc'],
      reason: 'Three warnings were ignored.',
    };
    expect((await problemOf(services.staff.suspend(member.id, senior, input))).status).toBe(403);
    const suspension = await services.staff.suspend(member.id, admin, input);
    expect(suspension).toMatchObject({ rule: input.rule, evidence: input.evidence, appeal: null });
    expect((await events('accounts.user.status_changed.v1', member.id)).at(-1)).toMatchObject({
      status: 'suspended',
      rule: input.rule,
      evidence: input.evidence,
    });
    expect((await problemOf(services.staff.suspend(member.id, admin, input))).status).toBe(409);

    // API.md's body, {rule, evidence}: the user reads which rule and how much was cited
    const other = await user();
    const plain = await services.staff.suspend(other.id, admin, {
      rule: input.rule,
      evidence: ['gen_01'],
    });
    expect(plain.reason).toBe(
      'Your account is suspended for breaking the rule “Repeated sexual content involving real people”, as one generation or action shows.',
    );
    expect((await events('accounts.user.status_changed.v1', other.id)).at(-1)).toMatchObject({
      reason: plain.reason,
    });

    // a suspended user can still log in, with a session that says so
    const login = await services.logins.logIn(member.email, 'correct horse battery', phone);
    expect(login.kind === 'session' && login.session.user.status).toBe('suspended');

    // deciding before any appeal: nothing to decide
    expect(
      (await problemOf(services.staff.decideAppeal(suspension.id, senior, 'upheld', 'x', null)))
        .status,
    ).toBe(409);

    const appealed = await services.staff.appeal(member.id, 'Those were my own photos.');
    expect(appealed.appeal?.decideBy.getTime()).toBe(clock.now().getTime() + 48 * 3_600_000);
    expect(await problemOf(services.staff.appeal(member.id, 'Please, again.'))).toMatchObject({
      status: 409,
    });
    expect(await events('accounts.suspension.appealed.v1', member.id)).toEqual([
      expect.objectContaining({
        suspensionId: suspension.id,
        statement: 'Those were my own photos.',
      }),
    ]);

    expect(
      (await problemOf(services.staff.decideAppeal(suspension.id, agent, 'overturned', 'ok', null)))
        .status,
    ).toBe(403);
    const decided = await services.staff.decideAppeal(
      suspension.id,
      senior,
      'overturned',
      'The photos were the user’s own; consent confirmed.',
      'T-9',
    );
    expect(decided.decision?.decision).toBe('overturned');
    expect((await services.identity.getUser(member.id)).status).toBe('active');
    expect(
      (await problemOf(services.staff.decideAppeal(suspension.id, senior, 'upheld', 'no', null)))
        .status,
    ).toBe(409);
    expect((await audit(member.id)).map((a) => a.action)).toEqual(['suspend', 'appeal_overturned']);
  });

  it('keeps an upheld suspension and refuses an appeal from an account that is not suspended', async () => {
    const member = await user();
    expect((await problemOf(services.staff.appeal(member.id, 'why?'))).status).toBe(409);
    const suspension = await services.staff.suspend(member.id, admin, {
      rule: 'Spam',
      evidence: ['bulk job submissions'],
      reason: 'Automated abuse.',
    });
    await services.staff.appeal(member.id, 'It was a script bug.');
    await services.staff.decideAppeal(suspension.id, senior, 'upheld', 'Evidence is clear.', null);
    expect((await services.identity.getUser(member.id)).status).toBe('suspended');
    expect(await events('accounts.suspension.appeal_decided.v1', member.id)).toEqual([
      expect.objectContaining({ decision: 'upheld' }),
    ]);
  });

  it('lists the accounts that are not active, by id, a page at a time, for other services to rebuild from', async () => {
    const frozen = await user();
    const suspended = await user();
    const active = await user();
    clock.advance(60_000);
    await services.staff.freeze(frozen.id, agent, 'SECURITY ticket', 'T-9');
    const at = clock.now();
    await services.staff.suspend(suspended.id, admin, {
      rule: 'Spam',
      evidence: ['bulk job submissions'],
      reason: 'Automated abuse.',
    });
    const all = await services.identity.restricted(null, 1000);
    const mine = all.filter((a) => [frozen.id, suspended.id, active.id].includes(a.userId));
    expect(mine).toEqual(
      [
        { userId: frozen.id, status: 'frozen', changedAt: at },
        { userId: suspended.id, status: 'suspended', changedAt: at },
      ].sort((a, b) => a.userId.localeCompare(b.userId)),
    );
    // by pages: each after the last id of the one before, together the whole list once
    const paged: string[] = [];
    for (let page = await services.identity.restricted(null, 1); page.length > 0;) {
      paged.push(...page.map((a) => a.userId));
      page = await services.identity.restricted(page[0].userId, 1);
    }
    expect(paged).toEqual(all.map((a) => a.userId));
  });

  it('lets an admin set roles (user always kept, audited, announced), and no one else', async () => {
    const member = await user();
    const changed = await services.staff.setRoles(
      member.id,
      admin,
      ['agent', 'senior_agent'],
      'joins support',
    );
    expect(changed.roles).toEqual(['user', 'agent', 'senior_agent']);
    expect((await services.identity.getUser(member.id)).roles).toEqual([
      'user',
      'agent',
      'senior_agent',
    ]);
    // the same roles again: nothing more happens
    await services.staff.setRoles(member.id, admin, ['senior_agent', 'agent', 'user'], '');
    expect(await events('accounts.user.roles_changed.v1', member.id)).toEqual([
      { userId: member.id, roles: ['user', 'agent', 'senior_agent'] },
    ]);
    expect((await audit(member.id)).map((a) => [a.action, a.actor_id])).toEqual([
      ['set_roles', admin],
    ]);

    expect(
      (await problemOf(services.staff.setRoles(member.id, senior, ['admin'], ''))).status,
    ).toBe(403);
    expect(
      await problemOf(services.staff.setRoles(member.id, admin, ['agent', 'wizard'], '')),
    ).toMatchObject({ status: 400, detail: 'Unknown roles: wizard.' });
    expect((await problemOf(services.staff.setRoles(admin, admin, ['agent'], ''))).status).toBe(
      409,
    );
  });
});
