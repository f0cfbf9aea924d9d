import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import {
  list,
  page,
  pageQuery,
  requestSchema,
  responseSchema,
  timestamp,
  uuid,
} from '../api/schemas';
import { generationSchema } from './views';

export const submitBody = requestSchema(
  'GenerationRequest',
  z.object({
    model: z.string().min(1).max(100).meta({ description: 'A model id from `/v1/models`.' }),
    mode: z.string().min(1).max(50).meta({ description: 'One of the model’s modes.' }),
    prompt: z.string().max(20_000),
    durationSec: z.number().int().min(1).max(600).optional(),
    aspectRatio: z.string().max(10).optional(),
    template: z.string().max(50).optional().meta({ description: 'A studio template id.' }),
    options: z
      .object({
        voiceClone: z
          .string()
          .uuid()
          .optional()
          .meta({ description: 'One of the caller’s voice clones.' }),
        voiceId: z.string().min(1).max(64).optional().meta({ description: 'A stock voice.' }),
        faceIdentity: z
          .string()
          .uuid()
          .optional()
          .meta({ description: 'One of the caller’s face identities.' }),
        captions: z.enum(['karaoke', 'word-by-word', 'kinetic']).optional(),
        imageUrl: z
          .string()
          .max(2000)
          .url()
          .startsWith('https://')
          .optional()
          .meta({ description: 'Image-to-video: the still to animate.' }),
      })
      .strict()
      .optional(),
    projectId: z.string().uuid().optional(),
  }),
);
export type SubmitInput = z.infer<typeof submitBody>;

export const listQuery = pageQuery;
export const uploadQuery = z.object({
  name: z.string().trim().min(1).max(100).meta({ description: 'What the caller calls it.' }),
});

const quoteSchema = responseSchema(
  'GenerationQuote',
  z.object({
    videoCredits: z.number().int(),
    imageCredits: z.number().int(),
    internalCost: z.number(),
    durationSec: z.number().int(),
    aspectRatio: z.string(),
  }),
);
export type QuoteView = z.infer<typeof quoteSchema>;

const statusEventSchema = responseSchema(
  'GenerationStatusEvent',
  z.object({ id: uuid, status: generationSchema.shape.status, at: timestamp }),
);

const shareSchema = responseSchema(
  'ShareLink',
  z.object({
    url: z.string().meta({ description: 'Where anyone holding it sees the output.' }),
    token: z.string().meta({ description: 'Shown once.' }),
    createdAt: timestamp,
  }),
);

const sharedSchema = responseSchema(
  'SharedGeneration',
  z.object({
    id: uuid,
    model: z.string(),
    mode: z.string(),
    createdAt: timestamp,
    output: z.object({ url: z.string() }).nullable(),
  }),
);
export type SharedView = z.infer<typeof sharedSchema>;

const modelSchema = responseSchema(
  'Model',
  z.object({
    id: z.string(),
    name: z.string(),
    modes: z.array(z.string()),
    internalCostPerSecond: z.number(),
    maxDurationSec: z.number().int(),
    defaultDurationSec: z.number().int(),
    maxPromptLength: z.number().int(),
    aspectRatios: z.array(z.string()),
  }),
);

const templateSchema = responseSchema(
  'Template',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    aspectRatio: z.string().optional(),
    captionStyle: z.string().optional(),
    voiceTone: z.string().optional(),
    face: z.boolean().meta({ description: 'The template needs a face identity.' }),
  }),
);

export const likenessSchema = responseSchema(
  'Likeness',
  z.object({
    id: uuid,
    name: z.string(),
    mediaType: z.string(),
    bytes: z.number().int(),
    createdAt: timestamp,
  }),
);
export type LikenessView = z.infer<typeof likenessSchema>;

const jobId = { id: 'The generation id.' };
const jobProblems = [
  'insufficient-credits',
  'content-policy',
  'model-limit',
  'unknown-likeness',
  'forbidden',
  'model-not-offered-in-region',
  'not-found',
] as const;
const statusStream = (description: string) =>
  ({ description, events: { event: 'status', data: statusEventSchema } }) as const;

export const generationOperations = {
  models: defineOperation({
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    tag: 'generation',
    summary: "The models offered in the caller's country",
    auth: 'bearer',
    responses: { 200: { description: 'The models.', json: list(modelSchema) } },
  }),
  templates: defineOperation({
    method: 'get',
    path: '/v1/templates',
    operationId: 'listTemplates',
    tag: 'generation',
    summary: 'Studio templates',
    auth: 'bearer',
    responses: { 200: { description: 'The templates.', json: list(templateSchema) } },
  }),
  submit: defineOperation({
    method: 'post',
    path: '/v1/generations',
    operationId: 'submitGeneration',
    tag: 'generation',
    summary: 'Submit a generation job',
    description:
      'Its credits are held at once and come back by themselves if the platform fails it. With an Idempotency-Key, a retry answers the same job.',
    auth: 'bearer',
    headers: ['Idempotency-Key'],
    body: { json: submitBody },
    responses: { 202: { description: 'Queued.', json: generationSchema } },
    problems: jobProblems,
  }),
  quote: defineOperation({
    method: 'post',
    path: '/v1/generations/quote',
    operationId: 'quoteGeneration',
    tag: 'generation',
    summary: 'Price a job and check it (nothing is held)',
    auth: 'bearer',
    body: { json: submitBody },
    responses: { 200: { description: 'The price.', json: quoteSchema } },
    problems: jobProblems,
  }),
  list: defineOperation({
    method: 'get',
    path: '/v1/generations',
    operationId: 'listGenerations',
    tag: 'generation',
    summary: "The caller's generations, newest first",
    auth: 'bearer',
    query: listQuery,
    responses: { 200: { description: 'One page.', json: page(generationSchema) } },
  }),
  streamAll: defineOperation({
    method: 'get',
    path: '/v1/generations/stream',
    operationId: 'streamGenerations',
    tag: 'generation',
    summary: "Live status of all the caller's jobs (Server-Sent Events)",
    auth: 'bearer',
    headers: ['Last-Event-ID'],
    responses: { 200: statusStream('Every status change of every job of the caller.') },
  }),
  streamOne: defineOperation({
    method: 'get',
    path: '/v1/generations/{id}/stream',
    operationId: 'streamGeneration',
    tag: 'generation',
    summary: 'Live status of one job (Server-Sent Events)',
    auth: 'bearer',
    pathParams: jobId,
    headers: ['Last-Event-ID'],
    responses: { 200: statusStream('Every status change of the job.') },
  }),
  get: defineOperation({
    method: 'get',
    path: '/v1/generations/{id}',
    operationId: 'getGeneration',
    tag: 'generation',
    summary: 'One generation',
    auth: 'bearer',
    pathParams: jobId,
    responses: { 200: { description: 'The generation.', json: generationSchema } },
  }),
  cancel: defineOperation({
    method: 'post',
    path: '/v1/generations/{id}/cancel',
    operationId: 'cancelGeneration',
    tag: 'generation',
    summary: 'Cancel a job that has not started',
    description: 'Its credits are released at once; a job that runs already is 409.',
    auth: 'bearer',
    pathParams: jobId,
    responses: { 200: { description: 'Cancelled.', json: generationSchema } },
    problems: ['conflict'],
  }),
  delete: defineOperation({
    method: 'delete',
    path: '/v1/generations/{id}',
    operationId: 'deleteGeneration',
    tag: 'generation',
    summary: 'Delete a generation, its output and its log',
    auth: 'bearer',
    pathParams: jobId,
    responses: { 204: { description: 'Deleted.', empty: true } },
    problems: ['conflict'],
  }),
  share: defineOperation({
    method: 'post',
    path: '/v1/generations/{id}/share',
    operationId: 'shareGeneration',
    tag: 'generation',
    summary: 'A new unguessable link to the output',
    description: 'An earlier link stops working.',
    auth: 'bearer',
    pathParams: jobId,
    responses: { 201: { description: 'The link.', json: shareSchema } },
    problems: ['conflict'],
  }),
  unshare: defineOperation({
    method: 'delete',
    path: '/v1/generations/{id}/share',
    operationId: 'unshareGeneration',
    tag: 'generation',
    summary: 'Stop sharing the output',
    auth: 'bearer',
    pathParams: jobId,
    responses: { 204: { description: 'The link no longer works.', empty: true } },
  }),
  deleteProject: defineOperation({
    method: 'delete',
    path: '/v1/projects/{id}',
    operationId: 'deleteProject',
    tag: 'generation',
    summary: 'Delete a project with its generations and their logs',
    auth: 'bearer',
    pathParams: { id: 'The project id.' },
    responses: {
      200: {
        description: 'How many generations went.',
        json: responseSchema('ProjectDeletion', z.object({ deletedGenerations: z.number().int() })),
      },
    },
    problems: ['conflict'],
  }),
  shared: defineOperation({
    method: 'get',
    path: '/v1/shared/{token}',
    operationId: 'getSharedGeneration',
    tag: 'generation',
    summary: 'What a share link shows (no account needed)',
    auth: 'none',
    pathParams: { token: 'The share token.' },
    responses: { 200: { description: 'The shared output.', json: sharedSchema } },
  }),
} as const;

/** The routes of one kind of likeness (voice clones or face identities). */
function likenessOperations(
  kind: 'VoiceClone' | 'FaceIdentity',
  kinds: 'VoiceClones' | 'FaceIdentities',
  path: string,
  what: string,
  media: readonly string[],
) {
  return {
    create: defineOperation({
      method: 'post',
      path,
      operationId: `create${kind}`,
      tag: 'generation',
      summary: `Upload a ${what}`,
      description:
        'The raw file is the body, with its own Content-Type; it stays private to the caller and is destroyed on delete.',
      auth: 'bearer',
      query: uploadQuery,
      body: { raw: media, description: `The ${what} itself, up to 3 MB.` },
      responses: { 201: { description: 'Kept.', json: likenessSchema } },
      problems: ['invalid-media'],
      rateLimited: true,
    }),
    list: defineOperation({
      method: 'get',
      path,
      operationId: `list${kinds}`,
      tag: 'generation',
      summary: `The caller's ${what}s, newest first`,
      auth: 'bearer',
      responses: { 200: { description: 'All of them.', json: list(likenessSchema) } },
    }),
    delete: defineOperation({
      method: 'delete',
      path: `${path}/{id}`,
      operationId: `delete${kind}`,
      tag: 'generation',
      summary: `Delete a ${what} (the file is destroyed)`,
      auth: 'bearer',
      description: 'A job that has not finished yet and uses it keeps it (409).',
      pathParams: { id: `The ${what}'s id.` },
      responses: { 204: { description: 'Deleted.', empty: true } },
      problems: ['conflict'],
    }),
  };
}

export const voiceCloneOperations = likenessOperations(
  'VoiceClone',
  'VoiceClones',
  '/v1/voice-clones',
  'voice sample',
  ['audio/mpeg', 'audio/wav', 'audio/ogg', 'audio/flac', 'audio/mp4', 'audio/webm'],
);
export const faceIdentityOperations = likenessOperations(
  'FaceIdentity',
  'FaceIdentities',
  '/v1/face-identities',
  'face photo',
  ['image/jpeg', 'image/png', 'image/webp'],
);
