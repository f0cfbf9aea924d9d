/** A plain pg pool on the gateway's database (platform clock). */
export const PLATFORM_DB = Symbol('PLATFORM_DB');
