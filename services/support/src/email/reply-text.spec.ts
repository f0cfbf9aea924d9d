import { cleanSubject, replyText, ticketTokenOf } from './reply-text';

describe('email replies', () => {
  it('keeps what the customer wrote and drops the quoted conversation', () => {
    expect(
      replyText(
        'Still broken, see the attached clip.\r\n\r\nOn Mon, 23 Nov 2026 at 10:00, FluxNote Support <help@fluxnote.dev> wrote:\r\n> We returned 2 credits.\r\n> Anything else?',
      ),
    ).toBe('Still broken, see the attached clip.');
    expect(replyText('Thanks!\n-----Original Message-----\nFrom: support')).toBe('Thanks!');
    expect(replyText('Yes\n\nFrom: FluxNote Support\nSent: Monday\nSubject: Re: x')).toBe('Yes');
    expect(replyText('> only a quote\n> nothing else')).toBe('> only a quote\n> nothing else');
    // "From:" in the customer's own words is not a quote
    expect(replyText('From: my phone, the app crashes\nevery time')).toBe(
      'From: my phone, the app crashes\nevery time',
    );
  });

  it('finds the ticket token in a subject and names the ticket without prefixes', () => {
    const id = '3f1c2b9e-8a7d-4c6b-9e5f-1a2b3c4d5e6f';
    expect(ticketTokenOf(`Re: Lost credits [#${id}]`)).toBe(id);
    expect(ticketTokenOf('Re: Lost credits')).toBeNull();
    expect(cleanSubject(`RE: Fwd: Lost credits [#${id}]`)).toBe('Lost credits');
  });
});
