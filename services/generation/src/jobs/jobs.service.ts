import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { JobEntity } from './job.entity';
import { JobLogEntity } from './job-log.entity';
import { jobRows } from './jobs.repository';

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
      ? await jobRows.ownJob(this.dataSource, userId, jobId)
      : null;
    if (!job || job.status === 'reserving') {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    return job;
  }

  /** Any user's job with its whole log, oldest line first (support's review; roles checked by support). */
  async log(jobId: string): Promise<{ job: JobEntity; lines: JobLogEntity[] }> {
    const job = await jobRows.job(this.dataSource, jobId);
    if (!job) {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    const lines = await jobRows.log(this.dataSource, jobId);
    return { job, lines };
  }

  /** History, newest first. */
  async list(
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: JobEntity[]; nextCursor: string | null }> {
    const size = Math.min(Math.max(limit || 20, 1), 100);
    const rows = await jobRows.newestFirst(
      this.dataSource,
      userId,
      size + 1,
      cursor ? decodeCursor(cursor) : undefined,
    );
    const items = rows.slice(0, size);
    return { items, nextCursor: rows.length > size ? encodeCursor(items[items.length - 1]) : null };
  }
}
