import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { JobEntity } from './job.entity';
import { JobLogEntity } from './job-log.entity';

interface Cursor {
  createdAt: string;
  id: string;
}

function encodeCursor(job: JobEntity): string {
  return Buffer.from(
    JSON.stringify({ createdAt: job.createdAt.toISOString(), id: job.id }),
  ).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (
      typeof value.createdAt === 'string' &&
      typeof value.id === 'string' &&
      !Number.isNaN(Date.parse(value.createdAt))
    ) {
      return { createdAt: value.createdAt, id: value.id };
    }
  } catch {
    // reported below
  }
  throw ProblemError.badRequest('The cursor is not one this API returned.', { field: 'cursor' });
}

/** Reads of a user's own jobs. Another user's job is reported as not found. */
@Injectable()
export class JobsService {
  constructor(private readonly dataSource: DataSource) {}

  async get(userId: string, jobId: string): Promise<JobEntity> {
    const job = /^[0-9a-f-]{36}$/i.test(jobId)
      ? await this.dataSource.getRepository(JobEntity).findOneBy({ id: jobId, userId })
      : null;
    if (!job || job.status === 'reserving') {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    return job;
  }

  /** Any user's job with its whole log, oldest line first (support's review; roles checked by support). */
  async log(jobId: string): Promise<{ job: JobEntity; lines: JobLogEntity[] }> {
    const job = await this.dataSource.getRepository(JobEntity).findOneBy({ id: jobId });
    if (!job) {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    const lines = await this.dataSource
      .getRepository(JobLogEntity)
      .find({ where: { jobId }, order: { id: 'ASC' } });
    return { job, lines };
  }

  /** History, newest first. */
  async list(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: JobEntity[]; nextCursor: string | null }> {
    const size = Math.min(Math.max(limit || 20, 1), 100);
    const query = this.dataSource
      .getRepository(JobEntity)
      .createQueryBuilder('job')
      .where('job.user_id = :userId AND job.status <> :reserving', {
        userId,
        reserving: 'reserving',
      })
      .orderBy('job.created_at', 'DESC')
      .addOrderBy('job.id', 'DESC')
      .take(size + 1);
    if (cursor) {
      const after = decodeCursor(cursor);
      query.andWhere('(job.created_at, job.id) < (:createdAt, :id)', after);
    }
    const rows = await query.getMany();
    const items = rows.slice(0, size);
    return { items, nextCursor: rows.length > size ? encodeCursor(items[items.length - 1]) : null };
  }
}
