import { ProblemError, type Problem } from '@fluxnote/contracts';

/** The problem a call was refused with; fails if it succeeded or threw something else. */
export async function problemOf(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) {
      return error.problem;
    }
    throw error;
  }
  throw new Error('expected a problem');
}
