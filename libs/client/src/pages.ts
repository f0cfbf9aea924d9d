/** One page of a collection, as every paged operation answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every item of a paged collection, fetching the next page only when the last one is used up:
 * `for await (const job of pages((cursor) => unwrap(api.GET('/v1/generations', { params: { query: { cursor } } }))))`.
 */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
