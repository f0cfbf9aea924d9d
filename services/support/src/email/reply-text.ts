/**
 * What the customer wrote in an email reply, without the quoted conversation
 * below it: lines quoted with `>`, and everything from a client's attribution
 * line ("On Mon, 23 Nov 2026 … wrote:", "-----Original Message-----", Outlook's
 * "From: … Sent: …" block) down. A message that is all quote is kept whole.
 */
export function replyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    if (
      /^On\b.+\bwrote:$/i.test(line) ||
      /^-{2,}\s*Original Message\s*-{2,}$/i.test(line) ||
      (/^From:\s/i.test(line) && /^(Sent|Date):\s/i.test(lines[i + 1] ?? ''))
    ) {
      break;
    }
    if (!line.startsWith('>')) {
      kept.push(line);
    }
  }
  const reply = kept.join('\n').trim();
  return reply || text.trim();
}

/** A ticket's token in an email subject (`[#<ticket id>]`), which the replies we send carry. */
export function ticketTokenOf(subject: string): string | null {
  return (
    /\[#([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]/i.exec(subject)?.[1] ??
    null
  );
}

/** The subject without reply prefixes and the ticket token: what the ticket is called. */
export function cleanSubject(subject: string): string {
  return subject
    .replace(/\[#[0-9a-f-]{36}\]/gi, '')
    .replace(/^\s*((re|fwd?|aw|sv)\s*:\s*)+/i, '')
    .trim();
}
