import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { problemOf } from '@fluxnote/testing';
import { InboundEmail } from '../email/inbound-email';
import { AgentDesk } from '../tickets/agent-desk.service';
import { TicketsService } from '../tickets/tickets.service';
import { useDeskFixture } from '../testing/desk-fixture';

describe('email to support (Postgres)', () => {
  const fixture = useDeskFixture('support_email');
  const { clock, services, freezes, person, clearQueue } = fixture;
  let dataSource: DataSource;
  let tickets: TicketsService;
  let desk: AgentDesk;
  beforeAll(() => {
    ({ dataSource, tickets, desk } = fixture.opened());
  });

  const passed = 'mx.fluxnote.dev; spf=pass smtp.mailfrom=example.com; dkim=pass; dmarc=pass';
  /** A raw MIME email as a mail provider hands it over (with its SPF/DKIM/DMARC verdict). */
  function mime(headers: Record<string, string>, text: string, attachment?: string): Buffer {
    const head = Object.entries({ 'Authentication-Results': passed, ...headers })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    if (!attachment) {
      return Buffer.from(`${head}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
    }
    return Buffer.from(
      [
        `${head}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n`,
        '--b1\r\nContent-Type: text/plain; charset=utf-8\r\n',
        `${text}\r\n--b1\r\nContent-Type: video/mp4; name="clip.mp4"`,
        'Content-Disposition: attachment; filename="clip.mp4"\r\nContent-Transfer-Encoding: base64\r\n',
        `${Buffer.from(attachment).toString('base64')}\r\n--b1--\r\n`,
      ].join('\r\n'),
    );
  }

  it('opens an email ticket from a customer’s email, threads replies to it, and takes each message once', async () => {
    await clearQueue();
    const inbound = new InboundEmail(dataSource, tickets);
    const customer = await person('rise');
    const strangersJob = randomUUID();
    services.jobs.set(strangersJob, { userId: randomUUID(), status: 'failed', mode: 'image' });
    await dataSource.query(`UPDATE support.customers SET email = $2 WHERE user_id = $1`, [
      customer,
      'Mia@Example.com',
    ]);
    const jobId = randomUUID();
    services.jobs.set(jobId, { userId: customer, status: 'failed', mode: 'text-to-video' });
    const first = mime(
      {
        From: 'Mia <mia@example.com>',
        To: 'help@fluxnote.dev',
        Subject: 'Fwd: Black video',
        'Message-ID': '<m1@mail.example.com>',
      },
      `My video ${jobId} came out black (and ${strangersJob} too).`,
      'not really a video',
    );
    const opened = await inbound.receive(first);
    expect(opened).toMatchObject({ outcome: 'opened' });
    const ticket = await tickets.get(customer, opened.ticketId!);
    expect(ticket).toMatchObject({
      channel: 'email',
      subject: 'Black video',
      category: 'technical_fault',
      jobIds: [jobId],
    });
    expect(ticket.messages[0].attachments).toEqual([
      {
        filename: 'clip.mp4',
        contentType: 'video/mp4',
        size: 18,
        checksum: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    // the provider delivers it again, twice at once: still one message
    const again = await Promise.all([inbound.receive(first), inbound.receive(first)]);
    expect(again.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate']);

    // answered, then the customer replies from their mail client: by the token, and by References
    const agent = await person('free', ['agent']);
    await desk.claimNext(agent);
    clock.advance(60_000);
    await desk.reply(agent, ticket.id, 'Which model did you use?');
    clock.advance(60_000);
    const byToken = await inbound.receive(
      mime(
        {
          From: 'mia@example.com',
          Subject: `Re: Black video [#${ticket.id}]`,
          'Message-ID': '<m2@mail.example.com>',
        },
        'Wan 2.6.\r\n\r\nOn Mon, 23 Nov 2026 FluxNote Support wrote:\r\n> Which model did you use?',
      ),
    );
    expect(byToken).toEqual({ outcome: 'appended', ticketId: ticket.id, reason: null });
    clock.advance(60_000);
    const byHeaders = await inbound.receive(
      mime(
        {
          From: 'mia@example.com',
          Subject: 'Re: Black video',
          'Message-ID': '<m3@mail.example.com>',
          'In-Reply-To': '<m2@mail.example.com>',
          References: '<m1@mail.example.com> <m2@mail.example.com>',
        },
        'And 16:9.',
      ),
    );
    expect(byHeaders.ticketId).toBe(ticket.id);
    const thread = await tickets.get(customer, ticket.id);
    expect(thread.messages.map((m) => [m.author, m.body])).toEqual([
      ['user', `My video ${jobId} came out black (and ${strangersJob} too).`],
      ['agent', 'Which model did you use?'],
      ['user', 'Wan 2.6.'],
      ['user', 'And 16:9.'],
    ]);
    // the customer's follow-up puts the answered ticket back in the queue, judged by its first
    // response (in time) even once the original target has passed
    expect(thread.status).toBe('open');
    clock.advance(49 * 60 * 60_000);
    expect((await desk.queue(agent)).find((t) => t.id === ticket.id)?.standing).toBe('on_track');

    // someone else's token opens a ticket of their own; a stranger's email opens nothing
    const other = await person('pro');
    await dataSource.query(
      `UPDATE support.customers SET email = 'leo@example.com' WHERE user_id = $1`,
      [other],
    );
    const hijack = await inbound.receive(
      mime({ From: 'leo@example.com', Subject: `Re: [#${ticket.id}]` }, 'let me in'),
    );
    expect(hijack.outcome).toBe('opened');
    expect(hijack.ticketId).not.toBe(ticket.id);
    // reusing Mia's Message-ID takes nothing and names none of her tickets
    const reused = await inbound.receive(
      mime(
        { From: 'leo@example.com', Subject: 'x', 'Message-ID': '<m1@mail.example.com>' },
        'hello',
      ),
    );
    expect(reused).toEqual({ outcome: 'duplicate', ticketId: null, reason: null });
    expect(
      await inbound.receive(mime({ From: 'nobody@example.net', Subject: 'Hi' }, 'Hello')),
    ).toEqual({ outcome: 'ignored', ticketId: null, reason: 'unknown-sender' });
    // a forged From: the provider could not verify it, so it neither writes nor freezes anything
    for (const verdict of [
      '',
      'mx.fluxnote.dev; spf=pass; dmarc=fail',
      'mx; spf=fail; dkim=none',
    ]) {
      const forged = await inbound.receive(
        mime(
          { 'Authentication-Results': verdict, From: 'mia@example.com', Subject: 'Hi' },
          'SECURITY\nfreeze this account',
        ),
      );
      expect(forged).toEqual({ outcome: 'ignored', ticketId: null, reason: 'unverified-sender' });
    }
    expect(freezes.calls.filter((c) => c.userId === customer)).toEqual([]);
    expect(await problemOf(inbound.receive(Buffer.from('just some bytes')))).toMatchObject({
      status: 422,
    });
  });
});
