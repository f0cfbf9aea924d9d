import { acceptedMediaTypes, checkLikenessMedia, likenessBytes } from './likeness-media';

/** `head` followed by filler up to a usable size. */
const file = (head: number[] | string, size = 4096) => {
  const start = typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head);
  return Buffer.concat([start, Buffer.alloc(Math.max(0, size - start.length), 0x11)]);
};

describe('voice samples and face photos, recognised by their bytes', () => {
  it.each([
    ['voice', 'audio/mpeg', file('ID3\x04')],
    ['voice', 'audio/mp3', file([0xff, 0xfb, 0x90, 0x64])],
    ['voice', 'audio/wav', file('RIFF\x24\x08\x00\x00WAVEfmt ')],
    ['voice', 'audio/x-wav', file('RIFF\x24\x08\x00\x00WAVEfmt ')],
    ['voice', 'audio/ogg', file('OggS\x00\x02')],
    ['voice', 'audio/flac', file('fLaC')],
    ['voice', 'audio/mp4', file('\x00\x00\x00\x20ftypM4A ')],
    ['voice', 'audio/webm;codecs=opus', file([0x1a, 0x45, 0xdf, 0xa3])],
    ['face', 'image/jpeg', file([0xff, 0xd8, 0xff, 0xe0])],
    ['face', 'image/jpg', file([0xff, 0xd8, 0xff, 0xe1])],
    ['face', 'image/png', file([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['face', 'IMAGE/WEBP', file('RIFF\x00\x10\x00\x00WEBPVP8 ')],
  ] as const)('accepts a %s upload declared %s', (kind, contentType, data) => {
    const check = checkLikenessMedia(kind, contentType, data);
    expect(check).toMatchObject({ ok: true });
    if (check.ok) {
      expect(acceptedMediaTypes(kind)).toContain(check.mediaType);
    }
  });

  it('refuses a format the kind does not take with 415, naming what it takes', () => {
    expect(checkLikenessMedia('face', 'audio/mpeg', file('ID3'))).toMatchObject({
      ok: false,
      status: 415,
      detail: expect.stringContaining('image/jpeg, image/png, image/webp') as string,
    });
    expect(checkLikenessMedia('voice', 'application/octet-stream', file('ID3'))).toMatchObject({
      ok: false,
      status: 415,
    });
    expect(checkLikenessMedia('voice', '', file('ID3'))).toMatchObject({ ok: false, status: 415 });
  });

  it('refuses bytes that are not what the Content-Type says, and sizes no one can use, with 422', () => {
    // a PNG sent as a JPEG, a WAV as a WebP image (both RIFF), a script as audio
    expect(checkLikenessMedia('face', 'image/jpeg', file([0x89, 0x50, 0x4e, 0x47]))).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(
      checkLikenessMedia('face', 'image/webp', file('RIFF\x00\x10\x00\x00WAVE')),
    ).toMatchObject({ ok: false, status: 422 });
    expect(checkLikenessMedia('voice', 'audio/ogg', file('#!/bin/sh\n'))).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(checkLikenessMedia('voice', 'audio/mpeg', file('ID3', 100))).toMatchObject({
      ok: false,
      status: 422,
    });
    expect(
      checkLikenessMedia('voice', 'audio/mpeg', file('ID3', likenessBytes.max + 1)),
    ).toMatchObject({ ok: false, status: 422 });
    expect(checkLikenessMedia('voice', 'audio/mpeg', Buffer.alloc(0))).toMatchObject({
      ok: false,
      status: 422,
    });
  });
});
