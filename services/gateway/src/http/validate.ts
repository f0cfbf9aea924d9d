import { parseInput } from '@fluxnote/contracts';

/** Parses a request's input with a schema or throws a 400 problem listing each bad field. */
export const validate = parseInput;
