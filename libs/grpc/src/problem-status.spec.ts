import { ProblemError } from '@fluxnote/contracts';
import { grpcErrorToProblem, problemToGrpcError } from './problem-status';

describe('problems over gRPC', () => {
  it('carries a problem with any text as printable ASCII and gets it back exactly', () => {
    const problem = {
      type: 'account-locked',
      title: 'Account locked',
      status: 423,
      detail: 'Reset it from “Forgot password” — café, 東京, 🔒, tab\there.',
      retryAfter: 60,
    };
    const error = problemToGrpcError(problem);
    const raw = error.metadata.get('x-problem-json')[0] as string;
    expect(raw).toMatch(/^[\x20-\x7e]*$/);
    const back = grpcErrorToProblem(error, 'accounts');
    expect(back).toBeInstanceOf(ProblemError);
    expect(back.problem).toEqual(problem);
  });
});
