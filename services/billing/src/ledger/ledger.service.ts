import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { creditsGrantedV1, isUuid, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { groupCommit, isUniqueViolation } from '@fluxnote/persistence';
import { BILLING_CONFIG, type BillingConfig } from '../config/billing.config';
import {
  currencyForCountry,
  findPlan,
  hasPriorityLane,
  isBrand,
  type Plan,
} from '../plans/plan-catalog';
import {
  addMonths,
  creditPools,
  remaining,
  type CreditAmounts,
  type CreditPool,
} from './credit-pool';
import { countCreditsMoved } from './ledger-metrics';
import { ReservationEntity } from './reservation.entity';
import {
  ledgerRows,
  pendingReservation,
  planOf,
  recordReleaseBeforeReserve,
  settleReservation,
  type CreditEntry,
  type CreditGrant,
  type OnePoolHold,
} from './ledger.repository';
import { accountNotOpened } from '../subscriptions/billing-account.repository';

export type { CreditAmounts } from './credit-pool';
export type { CreditGrant } from './ledger.repository';

export interface UsageView {
  plan: string;
  periodStart: Date;
  periodEnd: Date;
  pools: Record<
    CreditPool,
    { allowance: number; used: number; reserved: number; remaining: number; packCredits: number }
  >;
}

/** A hold as answered to its holder, with whether the holder's plan earns the priority lane. */
export type HeldReservation = ReservationEntity & { priorityLane: boolean };

/**
 * The credit ledger: two-phase reservations over maintained balances.
 * Every change appends entries and updates the balance row in one transaction;
 * the balance check and the hold are a single conditional UPDATE, so concurrent
 * reservations can never overspend.
 */
@Injectable()
export class LedgerService {
  /** Concurrent one-pool holds, gathered into one statement and one commit (group-commit.ts). */
  private readonly holdOnePool = groupCommit(
    (holds: readonly OnePoolHold[]) => ledgerRows.holdOnePools(this.dataSource, holds),
    { statement: 'billing_hold' },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Gives credits (support's goodwill, an approved false-positive prompt) as extra
   * credits, once per key: a repeated call answers the first grant.
   */
  async grant(
    key: string,
    userId: string,
    credits: CreditAmounts,
    reason: string,
    agentId: string | null,
  ): Promise<CreditGrant> {
    if (credits.video < 0 || credits.image < 0 || credits.video + credits.image === 0) {
      throw ProblemError.badRequest('A grant gives a positive number of credits.');
    }
    if (agentId !== null && !isUuid(agentId)) {
      throw ProblemError.badRequest('agent_id is a user id.', { field: 'agentId' });
    }
    return this.dataSource.transaction(async (manager) => {
      if (!(await ledgerRows.shareAccount(manager, userId))) {
        throw accountNotOpened();
      }
      const createdAt = this.clock.now();
      const granted = await ledgerRows.insertGrant(manager, {
        key,
        userId,
        credits,
        reason,
        agentId,
        createdAt,
      });
      if (!granted) {
        const first = await ledgerRows.grant(manager, key);
        if (!first || first.userId !== userId) {
          throw ProblemError.conflict('This grant key belongs to another grant.');
        }
        return first;
      }
      await this.addPackCredits(manager, userId, credits, `grant:${key}`);
      await this.outbox.add(manager, creditsGrantedV1, userId, {
        userId,
        videoCredits: credits.video,
        imageCredits: credits.image,
        reason,
      });
      return granted;
    });
  }

  /** Gives back what a committed job spent, once per job (support, after a technical-fault review). */
  async refundJobCredits(
    key: string,
    reason: string,
    agentId: string | null,
  ): Promise<CreditGrant> {
    const reservation = await ledgerRows.reservation(this.dataSource, key);
    if (!reservation || reservation.userId === null) {
      throw ProblemError.notFound(`No job reservation ${key}.`);
    }
    if (reservation.status !== 'committed') {
      throw ProblemError.conflict(
        `Only credits a job spent can be refunded; this reservation is ${reservation.status}.`,
        { reservationStatus: reservation.status },
      );
    }
    return this.grant(
      `job-refund:${key}`,
      reservation.userId,
      { video: reservation.videoCredits, image: reservation.imageCredits },
      reason || 'job credits refunded after review',
      agentId,
    );
  }

  /** Opens the free-plan account of a new user (idempotent). */
  async openAccount(
    manager: EntityManager,
    userId: string,
    brand: string,
    planId: string,
    country: string | null = null,
  ): Promise<void> {
    const plan = isBrand(brand) ? findPlan(brand, planId) : undefined;
    if (!plan) {
      throw new Error(`unknown plan ${brand}/${planId}`);
    }
    const now = this.clock.now();
    const opened = await ledgerRows.openAccount(manager, {
      userId,
      brand,
      plan: plan.id,
      periodStart: now,
      periodEnd: addMonths(now, 1),
      country,
      currency: currencyForCountry(country),
    });
    if (!opened) {
      return;
    }
    const allowances: Record<CreditPool, number> = {
      video: plan.videoCredits,
      image: plan.imageCredits,
    };
    for (const pool of creditPools) {
      await ledgerRows.openBalance(manager, userId, pool, allowances[pool]);
      await this.appendEntry(manager, userId, pool, 'allowance', allowances[pool], null);
    }
  }

  /**
   * Puts a plan's allowance in force. `keep-used` (an upgrade, a revert): the new
   * allowance applies at once minus what this cycle already used. `new-cycle`
   * (a renewal): used goes back to zero and whatever ran past the allowance is
   * taken from the pack credits, which are spent after the allowance and never reset.
   */
  async applyPlanAllowance(
    manager: EntityManager,
    userId: string,
    plan: Plan,
    mode: 'keep-used' | 'new-cycle',
  ): Promise<void> {
    const allowances: Record<CreditPool, number> = {
      video: plan.videoCredits,
      image: plan.imageCredits,
    };
    for (const pool of creditPools) {
      if (mode === 'keep-used') {
        await ledgerRows.setAllowance(manager, userId, pool, allowances[pool]);
      } else {
        await ledgerRows.startCycle(manager, userId, pool, allowances[pool]);
      }
      await this.appendEntry(
        manager,
        userId,
        pool,
        mode === 'keep-used' ? 'allowance' : 'reset',
        allowances[pool],
        null,
      );
    }
  }

  /** Adds a credit pack's credits; they outlive the cycle. */
  async addPackCredits(
    manager: EntityManager,
    userId: string,
    credits: CreditAmounts,
    reference: string,
  ): Promise<void> {
    for (const pool of creditPools) {
      if (credits[pool] === 0) {
        continue;
      }
      await ledgerRows.addPackCredits(manager, userId, pool, credits[pool]);
      await this.appendEntry(manager, userId, pool, 'pack', credits[pool], reference);
    }
  }

  /** Credits spent (committed) since a moment, per pool, and the number of image jobs among them. */
  async usedSince(
    manager: EntityManager,
    userId: string,
    since: Date,
  ): Promise<{ video: number; image: number; imageJobs: number }> {
    return ledgerRows.committedSince(manager, userId, since);
  }

  async reserve(
    key: string,
    userId: string,
    credits: CreditAmounts,
    ttlSeconds?: number,
  ): Promise<HeldReservation> {
    if (credits.video < 0 || credits.image < 0 || credits.video + credits.image === 0) {
      throw ProblemError.badRequest('A reservation holds a positive number of credits.');
    }
    const ttl = ttlSeconds || this.config.RESERVATION_TTL_SECONDS;
    if (credits.video === 0 || credits.image === 0) {
      const fast = await this.reserveOnePool(key, userId, credits, ttl);
      if (fast) {
        countCreditsMoved('hold', credits);
        return fast;
      }
    }
    const existing = await ledgerRows.reservation(this.dataSource, key);
    if (existing) {
      return this.withLane(this.sameReservation(existing, userId));
    }
    const expiresAt = new Date(this.clock.now().getTime() + ttl * 1000);
    try {
      const held = await this.dataSource.transaction(async (manager) => {
        for (const pool of creditPools) {
          const amount = credits[pool];
          if (amount === 0) {
            continue;
          }
          if (!(await ledgerRows.holdFromPool(manager, userId, pool, amount))) {
            throw await this.shortfall(manager, userId, pool, amount);
          }
          await this.appendEntry(manager, userId, pool, 'reserve', amount, key);
        }
        const reservation = pendingReservation(key, userId, credits, expiresAt);
        await ledgerRows.insertReservation(manager, reservation);
        return reservation;
      });
      countCreditsMoved('hold', credits);
      return await this.withLane(held);
    } catch (error) {
      if (isUniqueViolation(error)) {
        // A concurrent call with the same key won; answer with its reservation.
        const winner = (await ledgerRows.reservation(this.dataSource, key))!;
        return this.withLane(this.sameReservation(winner, userId));
      }
      throw error;
    }
  }

  async commit(key: string, reason: string): Promise<ReservationEntity> {
    return this.settle(key, 'committed', reason);
  }

  async release(key: string, reason: string): Promise<ReservationEntity> {
    return this.settle(key, 'released', reason);
  }

  /**
   * Settles a reservation. Credits move in one place only, `settlePending`: one statement
   * for the status, the balance and the entries. A key that is not pending is answered by
   * what it already is (`settledAlready`). A key that was unknown at the first look and
   * pending at the second (its Reserve landed in between) goes round once more; a
   * reservation leaves pending once and never returns, so that is at most twice.
   */
  private async settle(
    key: string,
    target: 'committed' | 'released',
    reason: string,
  ): Promise<ReservationEntity> {
    for (;;) {
      const settled =
        (await this.settlePending(key, target, reason)) ??
        (await this.settledAlready(key, target, reason));
      if (settled) {
        return settled;
      }
    }
  }

  /**
   * The common reservation — one pool — in one statement (atomic on its own), shared with the
   * one-pool holds of concurrent submits: the conditional hold, its entry and the reservation
   * row. Null when it held nothing: the key exists already (a retry, or a concurrent twin that
   * won the unique key) or the pool is short; the general path then answers.
   */
  private async reserveOnePool(
    key: string,
    userId: string,
    credits: CreditAmounts,
    ttlSeconds: number,
  ): Promise<HeldReservation | null> {
    const pool: CreditPool = credits.video > 0 ? 'video' : 'image';
    const at = this.clock.now();
    const expiresAt = new Date(at.getTime() + ttlSeconds * 1000);
    let holder: { brand: string; plan: string } | null;
    try {
      holder = await this.holdOnePool({ key, userId, pool, credits, at, expiresAt });
    } catch (error) {
      if (isUniqueViolation(error)) {
        return null; // the statement rolled back as a whole; the winner's reservation answers
      }
      throw error;
    }
    if (!holder) {
      return null;
    }
    return Object.assign(pendingReservation(key, userId, credits, expiresAt), {
      priorityLane: hasPriorityLane(holder.brand, holder.plan),
    });
  }

  /** The answer to a hold's holder: whether their plan earns the priority lane, as of now. */
  private async withLane(reservation: ReservationEntity): Promise<HeldReservation> {
    const rows = await planOf.run(this.dataSource, [reservation.userId]);
    const account = rows[0];
    return Object.assign(reservation, {
      priorityLane: account ? hasPriorityLane(account.brand, account.plan) : false,
    });
  }

  /**
   * Settles a pending reservation in one statement: its status, the balance and the
   * entries. A concurrent settle of the same key waits for the row and then finds it no
   * longer pending. Null when it was not pending (unknown, or settled already): the
   * general path answers those.
   */
  private async settlePending(
    key: string,
    target: 'committed' | 'released',
    reason: string,
  ): Promise<ReservationEntity | null> {
    const now = this.clock.now();
    const rows = await settleReservation.run(this.dataSource, [key, target, now, reason || null]);
    const row = rows[0];
    if (!row) {
      return null;
    }
    countCreditsMoved(target === 'committed' ? 'commit' : 'release', {
      video: row.video_credits,
      image: row.image_credits,
    });
    return Object.assign(new ReservationEntity(), {
      key,
      userId: row.user_id,
      status: target,
      videoCredits: row.video_credits,
      imageCredits: row.image_credits,
      expiresAt: row.expires_at,
      settledAt: now,
      settleReason: reason || null,
    });
  }

  /**
   * Releases every pending reservation whose time is up; returns how many. One settled
   * between the look and the release (its job finished just then) is left as it was settled.
   */
  async releaseExpired(limit = 100): Promise<number> {
    const keys = await ledgerRows.expiredPending(this.dataSource, this.clock.now(), limit);
    let released = 0;
    for (const key of keys) {
      if (await this.settlePending(key, 'released', 'expired')) {
        released += 1;
      }
    }
    return released;
  }

  async usage(userId: string): Promise<UsageView> {
    const account = await ledgerRows.account(this.dataSource, userId);
    if (!account) {
      throw accountNotOpened();
    }
    const balances = await ledgerRows.balances(this.dataSource, userId);
    const view = (pool: CreditPool): UsageView['pools'][CreditPool] => {
      const b = balances.find((x) => x.pool === pool) ?? {
        allowance: 0,
        used: 0,
        reserved: 0,
        packCredits: 0,
      };
      return {
        allowance: b.allowance,
        used: b.used,
        reserved: b.reserved,
        packCredits: b.packCredits,
        remaining: remaining(b),
      };
    };
    return {
      plan: account.plan,
      periodStart: account.periodStart,
      periodEnd: account.periodEnd,
      pools: { video: view('video'), image: view('image') },
    };
  }

  /**
   * The answer for a key `settlePending` did not find pending: the reservation as it was
   * settled before, a conflict when it was settled the other way, or null when it is
   * pending now. An unknown key released is recorded as released, so that a Reserve
   * arriving late with it holds nothing; an unknown key committed is not found.
   */
  private async settledAlready(
    key: string,
    target: 'committed' | 'released',
    reason: string,
  ): Promise<ReservationEntity | null> {
    let found = await ledgerRows.reservation(this.dataSource, key);
    if (!found) {
      if (target === 'committed') {
        throw ProblemError.notFound(`No reservation ${key}.`);
      }
      await recordReleaseBeforeReserve.run(this.dataSource, [
        key,
        this.clock.now(),
        reason || 'released before reserve',
      ]);
      found = (await ledgerRows.reservation(this.dataSource, key))!;
    }
    if (found.status === 'pending') {
      return null;
    }
    if (found.status !== target) {
      throw ProblemError.conflict(`Reservation ${key} is already ${found.status}.`, {
        reservationStatus: found.status,
      });
    }
    return found;
  }

  private sameReservation(existing: ReservationEntity, userId: string): ReservationEntity {
    if (existing.userId !== null && existing.userId !== userId) {
      throw ProblemError.conflict('This reservation key belongs to another reservation.');
    }
    return existing;
  }

  private async shortfall(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    amount: number,
  ): Promise<ProblemError> {
    const balance = await ledgerRows.balance(manager, userId, pool);
    if (!balance) {
      return accountNotOpened();
    }
    return ProblemError.insufficientCredits(
      `This needs ${amount} ${pool} credit${amount === 1 ? '' : 's'} and ${remaining(balance)} remain this cycle.`,
      { pool, needed: amount, remaining: remaining(balance) },
    );
  }

  private async appendEntry(
    manager: EntityManager,
    userId: string,
    pool: CreditPool,
    kind: CreditEntry['kind'],
    amount: number,
    reservationKey: string | null,
  ): Promise<void> {
    await ledgerRows.appendEntry(manager, {
      userId,
      pool,
      kind,
      amount,
      reservationKey,
      at: this.clock.now(),
    });
  }
}
