/**
 * What a suite's `beforeAll` opens and its tests use (a database, a platform): set once it is
 * open; read before that, it says so instead of failing on `undefined` somewhere else.
 */
export class SuiteValue<T> {
  private value: T | undefined;

  constructor(private readonly what: string) {}

  set(value: T): void {
    this.value = value;
  }

  get(): T {
    if (this.value === undefined) {
      throw new Error(`${this.what} is not open yet (use it inside a test)`);
    }
    return this.value;
  }

  /** The value, or undefined before it is set (for an `afterAll` after a failed `beforeAll`). */
  peek(): T | undefined {
    return this.value;
  }
}
