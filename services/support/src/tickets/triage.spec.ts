import { triage, type TicketCategory } from './triage';

const cases: [string, TicketCategory][] = [
  ['SECURITY\nSomeone changed my email', 'security'],
  ['I think my account was hacked, there are jobs I never made', 'security'],
  ['Someone logged in from Brazil, it was not me', 'security'],
  ['My lawyer says your model copied our trademark', 'legal'],
  ['This is a DMCA notice for a video on your platform', 'legal'],
  ['Why was my account suspended? I want to appeal', 'suspension_appeal'],
  ['My refund was approved two weeks ago but I never received it', 'failed_refund'],
  ['The refund is still waiting, my card was closed', 'failed_refund'],
  ['You declined my refund request, that is unfair', 'refund_appeal'],
  ['My prompt about a boxing match was blocked, it is a false positive', 'content_policy_review'],
  ["I can't log in, the verification code never arrives", 'account_access'],
  ['I forgot my password and the link expired', 'account_access'],
  ['I was charged twice for the Pro subscription', 'billing'],
  ['How do I cancel my renewal?', 'billing'],
  ['My video generation failed three times', 'technical_fault'],
  ['The job is stuck at processing for an hour', 'technical_fault'],
  ['The download button is broken on Safari', 'bug'],
  ['How do I make a vertical video for reels?', 'how_to'],
];

describe('ticket triage', () => {
  it.each(cases)('%s → %s', (body, category) => {
    expect(triage({ subject: '', body, jobIds: [] })).toBe(category);
  });

  it('keeps the user’s choice unless the text says security or legal', () => {
    expect(
      triage({ subject: '', body: 'Question about plans', chosen: 'billing', jobIds: [] }),
    ).toBe('billing');
    expect(
      triage({
        subject: 'Billing',
        body: 'Someone hacked my account',
        chosen: 'billing',
        jobIds: [],
      }),
    ).toBe('security');
  });

  it('treats a ticket naming jobs as a technical fault when the text says nothing more', () => {
    expect(triage({ subject: '', body: 'Please look at these', jobIds: ['j1'] })).toBe(
      'technical_fault',
    );
  });

  it('does not read SECURITY anywhere but the first line', () => {
    expect(
      triage({ subject: '', body: 'Hello\nSECURITY question about plans', jobIds: [] }),
    ).not.toBe('security');
  });
});
