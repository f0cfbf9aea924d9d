const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds (`P10D`, `PT15M`). */
export function parseIsoDuration(text: string): number {
  const match = pattern.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new RangeError(`"${text}" is not an ISO 8601 duration such as P10D or PT1H30M`);
  }
  const [, w, d, h, m, s] = match;
  const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  return Math.round((((num(w) * 7 + num(d)) * 24 + num(h)) * 60 + num(m)) * 60_000 + num(s) * 1000);
}
