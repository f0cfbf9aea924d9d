import 'reflect-metadata';
import { GrpcMethod } from '@nestjs/microservices';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { AlsoServedAs } from './served-as';

@AlsoServedAs('GenerationService')
class JobsHandlers {
  @GrpcMethod('JobsService', 'GetJob')
  getJob(): string {
    return 'a job';
  }

  /** Not a gRPC method: left alone. */
  helper(): string {
    return 'help';
  }
}

describe('a controller served under its old service name too', () => {
  it('answers the same method under both names, and leaves other methods alone', () => {
    const patterns = (name: keyof JobsHandlers): unknown =>
      Reflect.getMetadata(
        PATTERN_METADATA,
        Object.getOwnPropertyDescriptor(JobsHandlers.prototype, name)?.value as object,
      );
    expect(patterns('getJob')).toEqual([
      expect.objectContaining({ service: 'JobsService', rpc: 'GetJob' }),
      expect.objectContaining({ service: 'GenerationService', rpc: 'GetJob' }),
    ]);
    expect(patterns('helper')).toBeUndefined();
    expect(new JobsHandlers().getJob()).toBe('a job');
  });
});
