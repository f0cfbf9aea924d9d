import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingEmail {
  /** Stable per delivery, so a receiver can drop a copy sent again after a crash. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The email channel's port. A rejected promise is a failed attempt (retried later). */
export abstract class EmailSender {
  abstract readonly description: string;
  abstract send(email: OutgoingEmail): Promise<void>;
  abstract close(): void;
}

/** Real SMTP through nodemailer (`SMTP_URL`, e.g. `smtps://user:pass@host:465`). */
export class SmtpEmailSender extends EmailSender {
  readonly description: string;
  private readonly transport: Transporter;

  constructor(url: string) {
    super();
    this.transport = nodemailer.createTransport(url);
    const parsed = new URL(url);
    this.description = `SMTP ${parsed.hostname}:${parsed.port || '(default port)'}`;
  }

  async send(email: OutgoingEmail): Promise<void> {
    await this.transport.sendMail(email);
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Embedded mode: each email is built by nodemailer as the exact MIME message SMTP
 * would carry and written to `<dir>/<time>-<id>.eml` (open it in any mail client).
 */
export class FileEmailSender extends EmailSender {
  readonly description: string;
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true });

  constructor(private readonly dir: string) {
    super();
    this.description = `.eml files in ${dir}`;
  }

  async send(email: OutgoingEmail): Promise<void> {
    const built = (await this.transport.sendMail(email)) as { message: Buffer };
    await mkdir(this.dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.messageId.replace(/[^a-zA-Z0-9-]/g, '')}.eml`;
    await writeFile(join(this.dir, name), built.message);
  }

  close(): void {
    this.transport.close();
  }
}
