import {
  createParamDecorator,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemError } from '@fluxnote/contracts';
import { TokenVerifier, type Caller } from './token-verifier';

const ROLES = 'fluxnote:roles';
const OPEN_TO_SUSPENDED = 'fluxnote:open-to-suspended';

/** Routes only for callers holding one of these roles. */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);

/**
 * Routes a suspended user may still use: seeing who they are and why they are
 * suspended, appealing, their notifications and log-ins, deleting the account.
 */
export const OpenToSuspended = (): MethodDecorator & ClassDecorator =>
  SetMetadata(OPEN_TO_SUSPENDED, true);

type AuthedRequest = Request & { caller?: Caller };

/** Requires a valid bearer token; @Roles narrows further. Applied to every /v1 controller but sign-up and log-in. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw ProblemError.unauthorized('Send Authorization: Bearer <accessToken>.');
    }
    request.caller = await this.verifier.verify(match[1]);
    if (
      request.caller.status !== 'active' &&
      !this.reflector.getAllAndOverride<boolean | undefined>(OPEN_TO_SUSPENDED, targets)
    ) {
      throw new ProblemError({
        type: 'account-' + request.caller.status,
        title: 'Account ' + request.caller.status,
        status: 423,
        detail:
          'This account is suspended: you can read why (GET /v1/account/suspension) and appeal once (POST /v1/account/suspension/appeal).',
      });
    }
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
    if (roles && !roles.some((role) => request.caller!.roles.includes(role))) {
      throw ProblemError.forbidden(`This needs the ${roles.join(' or ')} role.`);
    }
    return true;
  }
}

/** The authenticated caller of the request. */
export const CurrentCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Caller => {
    const caller = context.switchToHttp().getRequest<AuthedRequest>().caller;
    if (!caller) {
      throw ProblemError.unauthorized();
    }
    return caller;
  },
);
