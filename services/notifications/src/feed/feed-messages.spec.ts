import { jobFailedMessage, jobSucceededMessage } from './feed-messages';

const ref = {
  jobId: '00000000-0000-4000-8000-000000000001',
  userId: '00000000-0000-4000-8000-000000000002',
  model: 'wan-2.6',
  mode: 'text-to-video',
};

describe('feed messages', () => {
  it('says what failed, why, and what was given back', () => {
    const message = jobFailedMessage({
      ...ref,
      reason: 'provider_5xx',
      refunded: { videoCredits: 1, imageCredits: 0 },
    });
    expect(message.category).toBe('jobs');
    expect(message.body).toContain('wan-2.6');
    expect(message.body).toContain('server error');
    expect(message.body).toContain('1 video credit;');
  });

  it('names both pools when both were refunded', () => {
    const message = jobFailedMessage({
      ...ref,
      reason: 'timeout',
      refunded: { videoCredits: 1, imageCredits: 50 },
    });
    expect(message.body).toContain('1 video credit and 50 image credits');
  });

  it('announces a finished job', () => {
    expect(jobSucceededMessage({ ...ref, outputUrl: 'simulator://x' }).title).toBe(
      'Your generation is ready',
    );
  });
});
