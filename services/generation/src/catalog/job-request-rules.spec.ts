import { evaluateJobOptions, evaluateJobRequest, type JobRequest } from './job-request-rules';
import { defaultModels, type JobMode } from './model-catalog';
import { defaultTemplates, type TemplateSpec } from './template-catalog';

const base: JobRequest = {
  model: 'wan-2.6',
  mode: 'text-to-video',
  prompt: 'a red fox in snow',
  country: 'US',
};

describe('evaluateJobRequest', () => {
  it.each<
    [
      string,
      Partial<JobRequest>,
      { videoCredits: number; imageCredits: number; internalCost: number },
    ]
  >([
    ['a default-length Wan video', {}, { videoCredits: 1, imageCredits: 0, internalCost: 10 }],
    [
      'a 20 s Sora 2 Pro video still costs one video credit',
      { model: 'sora-2-pro', durationSec: 20 },
      { videoCredits: 1, imageCredits: 0, internalCost: 240 },
    ],
    [
      'an image',
      { model: 'flux-kontext-pro', mode: 'text-to-image' },
      { videoCredits: 0, imageCredits: 10, internalCost: 0 },
    ],
    [
      'a video with face identity',
      { faceIdentity: true },
      { videoCredits: 1, imageCredits: 50, internalCost: 10 },
    ],
    [
      'Kling where it is offered',
      { model: 'kling-3.0', country: 'US' },
      { videoCredits: 1, imageCredits: 0, internalCost: 30 },
    ],
    [
      'unknown country',
      { model: 'kling-3.0', country: null },
      { videoCredits: 1, imageCredits: 0, internalCost: 30 },
    ],
  ])('prices %s', (_name, change, expected) => {
    const result = evaluateJobRequest(defaultModels, { ...base, ...change });
    expect(result.ok && result.quote).toMatchObject(expected);
  });

  it.each<[string, Partial<JobRequest>, string, string]>([
    ['an unknown model', { model: 'dall-e-9' }, 'invalid', 'model'],
    ['an unknown mode', { mode: 'text-to-song' }, 'invalid', 'mode'],
    ['a mode the model lacks', { mode: 'text-to-image' }, 'invalid', 'mode'],
    ['an empty prompt', { prompt: '   ' }, 'invalid', 'prompt'],
    [
      'a prompt over the limit',
      { model: 'runway-gen-4', prompt: 'x'.repeat(1001) },
      'limit',
      'prompt',
    ],
    ['a duration over the limit', { model: 'veo-3.1', durationSec: 9 }, 'limit', 'durationSec'],
    ['a fractional duration', { durationSec: 2.5 }, 'invalid', 'durationSec'],
    [
      'an unsupported aspect ratio',
      { model: 'veo-3.1', aspectRatio: '1:1' },
      'invalid',
      'aspectRatio',
    ],
  ])('refuses %s', (_name, change, kind, field) => {
    const result = evaluateJobRequest(defaultModels, { ...base, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.refusal).toMatchObject({ kind, field });
  });

  it.each(['DE', 'FR', 'IT', 'NL'])(
    'refuses Kling 3.0 in %s with video alternatives only',
    (country) => {
      const result = evaluateJobRequest(defaultModels, { ...base, model: 'kling-3.0', country });
      expect(result.ok).toBe(false);
      if (!result.ok && result.refusal.kind === 'region') {
        expect(result.refusal.alternatives).toContain('wan-2.6');
        expect(result.refusal.alternatives).not.toContain('kling-3.0');
        expect(result.refusal.alternatives).not.toContain('flux-kontext-pro');
      } else {
        throw new Error('expected a region refusal');
      }
    },
  );
});

describe('evaluateJobOptions', () => {
  const news = defaultTemplates.find((t) => t.id === 'news');
  const faceless = defaultTemplates.find((t) => t.id === 'faceless');

  it('takes the template’s caption style unless the job names one', () => {
    expect(evaluateJobOptions(base, 'text-to-video', news)).toEqual({
      ok: true,
      captions: 'kinetic',
    });
    expect(evaluateJobOptions({ ...base, captions: 'karaoke' }, 'text-to-video', news)).toEqual({
      ok: true,
      captions: 'karaoke',
    });
    const still = { ...base, imageUrl: 'https://images.example.com/fox.jpg' };
    expect(evaluateJobOptions(still, 'image-to-video', undefined)).toEqual({
      ok: true,
      captions: null,
    });
    expect(
      evaluateJobOptions({ ...base, voiceClone: true, faceIdentity: true }, 'text-to-video', news),
    ).toMatchObject({ ok: true });
  });

  it.each<[string, Partial<JobRequest>, JobMode, TemplateSpec | undefined, string]>([
    [
      'two voices at once',
      { voiceId: 'EXAVITQu4vr4xnSDxMaL', voiceClone: true },
      'text-to-video',
      undefined,
      'options.voiceId',
    ],
    [
      'a voice id that is not one',
      { voiceId: 'no spaces!' },
      'text-to-video',
      undefined,
      'options.voiceId',
    ],
    [
      'an unknown caption style',
      { captions: 'comic-sans' },
      'text-to-video',
      undefined,
      'options.captions',
    ],
    [
      'captions on a still image',
      { captions: 'kinetic' },
      'text-to-image',
      undefined,
      'options.captions',
    ],
    [
      'a voiceover on a still image',
      { voiceClone: true },
      'text-to-image',
      undefined,
      'options.voiceover',
    ],
    ['image-to-video without its image', {}, 'image-to-video', undefined, 'options.imageUrl'],
    [
      'an input image that is not https',
      { imageUrl: 'http://images.example.com/a.jpg' },
      'image-to-video',
      undefined,
      'options.imageUrl',
    ],
    [
      'an input image that is not a URL',
      { imageUrl: 'fox.jpg' },
      'image-to-video',
      undefined,
      'options.imageUrl',
    ],
    [
      'an input image on text-to-video',
      { imageUrl: 'https://images.example.com/a.jpg' },
      'text-to-video',
      undefined,
      'options.imageUrl',
    ],
    [
      'a face in the faceless template',
      { faceIdentity: true },
      'text-to-video',
      faceless,
      'options.faceIdentity',
    ],
  ])('refuses %s', (_name, change, mode, template, field) => {
    expect(evaluateJobOptions({ ...base, ...change }, mode, template)).toEqual({
      ok: false,
      refusal: { kind: 'invalid', field, detail: expect.any(String) as string },
    });
  });
});
