import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openTestServiceDatabase, problemOf, type TestDatabase } from '@fluxnote/testing';
import { generationDatabase } from '../generation.database';
import { likenessesPerUser } from './likeness-media';
import { Likenesses } from './likenesses';

const mp3 = Buffer.concat([Buffer.from('ID3\x04\x00', 'latin1'), Buffer.alloc(8000, 0x55)]);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(5000, 0x22),
]);

describe('voice clones and face identities (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let likenesses: Likenesses;

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase(
      'generation_likenesses',
      generationDatabase,
      12,
    ));
    likenesses = new Likenesses(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function jobUsing(userId: string, faceIdentityId: string, status: string) {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec, aspect_ratio,
         video_credits, image_credits, lane, face_identity_id)
       VALUES ($1, $2, $3, 'wan-2.6', 'text-to-video', 'me, surfing', 5, '16:9', 1, 50, 1, $4)`,
      [id, userId, status, faceIdentityId],
    );
    return id;
  }

  it('keeps each user’s files to themselves, newest first, and gives a provider the exact bytes', async () => {
    const owner = randomUUID();
    const stranger = randomUUID();
    const first = await likenesses.create(owner, 'voice', ' My voice ', 'audio/mp3', mp3);
    const second = await likenesses.create(owner, 'voice', 'Whisper', 'audio/mpeg', mp3);
    const face = await likenesses.create(owner, 'face', 'Studio portrait', 'image/png', png);
    expect(first).toMatchObject({ kind: 'voice', name: 'My voice', mediaType: 'audio/mpeg' });
    expect(first.bytes).toBe(mp3.length);

    expect((await likenesses.list(owner, 'voice')).map((l) => l.id)).toEqual([second.id, first.id]);
    expect((await likenesses.list(owner, 'face')).map((l) => l.id)).toEqual([face.id]);
    expect(await likenesses.list(stranger, 'voice')).toEqual([]);
    expect(await likenesses.media(face.id)).toEqual({ mediaType: 'image/png', data: png });

    // a stranger can neither use nor delete them; a face is not a voice
    expect(
      await problemOf(likenesses.assertOwned(stranger, 'voice', first.id, 'options.voiceClone')),
    ).toMatchObject({ status: 422, field: 'options.voiceClone' });
    expect(
      (await problemOf(likenesses.assertOwned(owner, 'voice', face.id, 'options.voiceClone')))
        .status,
    ).toBe(422);
    await likenesses.assertOwned(owner, 'face', face.id, 'options.faceIdentity');
    expect((await problemOf(likenesses.remove(stranger, 'voice', first.id))).status).toBe(404);
    expect((await problemOf(likenesses.remove(owner, 'voice', 'not-an-id'))).status).toBe(404);

    await likenesses.remove(owner, 'voice', first.id);
    expect((await likenesses.list(owner, 'voice')).map((l) => l.id)).toEqual([second.id]);
    expect(await likenesses.media(first.id)).toBeUndefined();
  });

  it('refuses a bad name, a wrong format and bytes that are not what they claim', async () => {
    const owner = randomUUID();
    expect(
      await problemOf(likenesses.create(owner, 'voice', '  ', 'audio/mpeg', mp3)),
    ).toMatchObject({ status: 400, field: 'name' });
    expect(await problemOf(likenesses.create(owner, 'face', 'Me', 'image/gif', png))).toMatchObject(
      { status: 415, type: 'unsupported-media-type' },
    );
    expect(
      await problemOf(likenesses.create(owner, 'face', 'Me', 'image/jpeg', png)),
    ).toMatchObject({ status: 422 });
    expect(await likenesses.list(owner, 'face')).toEqual([]);
  });

  it('keeps at most the cap of each kind, even when uploads race', async () => {
    const owner = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: likenessesPerUser + 4 }, (_, i) =>
        likenesses.create(owner, 'face', `Photo ${i}`, 'image/png', png),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(likenessesPerUser);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(4);
    expect(refused[0]).toMatchObject({ reason: { problem: { status: 409 } } });
    expect(await likenesses.list(owner, 'face')).toHaveLength(likenessesPerUser);
    // the other kind has its own cap
    await likenesses.create(owner, 'voice', 'Voice', 'audio/mpeg', mp3);
  });

  it('will not delete one a waiting or running job uses; once the job is done, deleting clears the job’s reference', async () => {
    const owner = randomUUID();
    const face = await likenesses.create(owner, 'face', 'Me', 'image/png', png);
    const job = await jobUsing(owner, face.id, 'queued');
    expect(await problemOf(likenesses.remove(owner, 'face', face.id))).toMatchObject({
      status: 409,
      jobId: job,
    });
    await dataSource.query(`UPDATE generation.jobs SET status = 'processing' WHERE id = $1`, [job]);
    expect((await problemOf(likenesses.remove(owner, 'face', face.id))).status).toBe(409);

    await dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [job]);
    await likenesses.remove(owner, 'face', face.id);
    const [row] = await dataSource.query<{ face_identity_id: string | null }[]>(
      `SELECT face_identity_id FROM generation.jobs WHERE id = $1`,
      [job],
    );
    expect(row.face_identity_id).toBeNull();
    expect(await likenesses.media(face.id)).toBeUndefined();
  });

  it('a delete racing a job that names the likeness: either the delete is refused or the job never refers to it', async () => {
    const owner = randomUUID();
    for (let round = 0; round < 10; round++) {
      const face = await likenesses.create(owner, 'face', `Race ${round}`, 'image/png', png);
      const [removed, inserted] = await Promise.allSettled([
        likenesses.remove(owner, 'face', face.id),
        jobUsing(owner, face.id, 'queued'),
      ]);
      if (removed.status === 'fulfilled') {
        // the job's insert waited for the delete and found the identity gone (foreign key)
        expect(inserted).toMatchObject({
          status: 'rejected',
          reason: { driverError: { code: '23503' } },
        });
      } else {
        expect(inserted.status).toBe('fulfilled');
        expect(removed).toMatchObject({ reason: { problem: { status: 409 } } });
        await dataSource.query(`DELETE FROM generation.jobs WHERE face_identity_id = $1`, [
          face.id,
        ]);
        await likenesses.remove(owner, 'face', face.id);
      }
    }
  });
});
