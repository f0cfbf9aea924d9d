import { get as httpGet } from 'node:http';

export interface EventStreamReader<T> {
  /** The events received so far (id and parsed data). */
  events: { id: string; event: string; data: T }[];
  /** The response's status code. */
  status: Promise<number>;
  close(): void;
}

/** An SSE connection read as it arrives: the events so far, and a way to hang up. */
export function readEventStream<T>(
  url: string,
  headers: Record<string, string>,
): EventStreamReader<T> {
  const events: EventStreamReader<T>['events'] = [];
  let buffer = '';
  const req = httpGet(url, { headers });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) {
            events.push({ id, event, data: JSON.parse(data) as T });
          }
        }
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
  return { events, status, close: () => req.destroy() };
}
