/**
 * What a voice clone's sample and a face identity's photo may be, recognised by their first
 * bytes (the declared Content-Type alone proves nothing about an upload).
 */
export const likenessKinds = ['voice', 'face'] as const;
export type LikenessKind = (typeof likenessKinds)[number];

/** The words a user sees for each kind. */
export const likenessNames: Record<LikenessKind, { one: string; many: string; file: string }> = {
  voice: { one: 'voice clone', many: 'voice clones', file: 'voice sample' },
  face: { one: 'face identity', many: 'face identities', file: 'photo' },
};

/** Smallest and largest upload (the largest stays under gRPC's 4 MiB message limit). */
export const likenessBytes = { min: 1024, max: 3 * 1024 * 1024 } as const;

/** How many of each kind one user may keep. */
export const likenessesPerUser = 10;

const ascii = (data: Buffer, at: number, text: string) =>
  data.length >= at + text.length && data.toString('latin1', at, at + text.length) === text;

const signatures: Record<LikenessKind, Record<string, (data: Buffer) => boolean>> = {
  voice: {
    'audio/mpeg': (d) => ascii(d, 0, 'ID3') || (d[0] === 0xff && (d[1] & 0xe0) === 0xe0),
    'audio/wav': (d) => ascii(d, 0, 'RIFF') && ascii(d, 8, 'WAVE'),
    'audio/ogg': (d) => ascii(d, 0, 'OggS'),
    'audio/flac': (d) => ascii(d, 0, 'fLaC'),
    'audio/mp4': (d) => ascii(d, 4, 'ftyp'),
    // what browsers' MediaRecorder produces
    'audio/webm': (d) => d.length >= 4 && d.readUInt32BE(0) === 0x1a45dfa3,
  },
  face: {
    'image/jpeg': (d) => d.length >= 3 && d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff,
    'image/png': (d) => d.length >= 8 && d.readBigUInt64BE(0) === 0x89504e470d0a1a0an,
    'image/webp': (d) => ascii(d, 0, 'RIFF') && ascii(d, 8, 'WEBP'),
  },
};

/** Other names clients send for the same formats. */
const aliases: Record<string, string> = {
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-flac': 'audio/flac',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'image/jpg': 'image/jpeg',
};

/** The formats a kind accepts, for error messages and the API's documentation. */
export function acceptedMediaTypes(kind: LikenessKind): string[] {
  return Object.keys(signatures[kind]);
}

export type MediaCheck =
  { ok: true; mediaType: string } | { ok: false; status: 415 | 422; detail: string };

/**
 * Checks an upload of `kind` declared as `contentType` (parameters such as `; codecs=opus`
 * are ignored): the type must be one the kind accepts (415) and the bytes must be that
 * format, of a usable size (422).
 */
export function checkLikenessMedia(
  kind: LikenessKind,
  contentType: string,
  data: Buffer,
): MediaCheck {
  const declared = contentType.split(';')[0].trim().toLowerCase();
  const mediaType = aliases[declared] ?? declared;
  const names = likenessNames[kind];
  const matches = signatures[kind][mediaType] as ((d: Buffer) => boolean) | undefined;
  if (!matches) {
    return {
      ok: false,
      status: 415,
      detail: `A ${names.file} must be one of ${acceptedMediaTypes(kind).join(', ')}; got "${declared || 'no Content-Type'}".`,
    };
  }
  if (data.length < likenessBytes.min || data.length > likenessBytes.max) {
    return {
      ok: false,
      status: 422,
      detail: `A ${names.file} must be between ${likenessBytes.min / 1024} KB and ${likenessBytes.max / 1024 / 1024} MB; this one is ${data.length} bytes.`,
    };
  }
  if (!matches(data)) {
    return {
      ok: false,
      status: 422,
      detail: `The upload is not ${mediaType} data, as its Content-Type says.`,
    };
  }
  return { ok: true, mediaType };
}
