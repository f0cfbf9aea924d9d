import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { accountsV1, ProblemError } from '@fluxnote/contracts';
import { IdentityService, type SessionView } from './identity.service';
import type { UserEntity } from './user.entity';

const signUpInput = z.object({
  email: z.string().trim().email('is not an email address').max(254),
  password: z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(256, 'must be at most 256 characters'),
  brand: z.enum(['fluxnote', 'flux-kontext']),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or IN')
    .nullable(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({
      field: i.path.join('.'),
      message: i.message,
    }));
    throw ProblemError.badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), {
      errors,
    });
  }
  return result.data;
}

function toUser(user: UserEntity): accountsV1.User {
  return {
    id: user.id,
    email: user.email,
    brand: user.brand,
    country: user.country ?? '',
    roles: user.roles,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}

function toSession(session: SessionView): accountsV1.Session {
  return {
    user: toUser(session.user),
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresIn: session.expiresIn,
  };
}

@Controller()
@accountsV1.AccountsServiceControllerMethods()
export class IdentityGrpcController implements accountsV1.AccountsServiceController {
  constructor(private readonly identity: IdentityService) {}

  async signUp(request: accountsV1.SignUpRequest): Promise<accountsV1.Session> {
    const input = parse(signUpInput, {
      email: request.email,
      password: request.password,
      brand: request.brand || 'fluxnote',
      country: request.country ? request.country.toUpperCase() : request.client?.country || null,
    });
    return toSession(await this.identity.signUp(input));
  }

  async logIn(request: accountsV1.LogInRequest): Promise<accountsV1.LogInResult> {
    if (!request.email || !request.password) {
      throw ProblemError.badRequest('email and password are required.');
    }
    return { session: toSession(await this.identity.logIn(request.email, request.password)) };
  }

  async refresh(request: accountsV1.RefreshRequest): Promise<accountsV1.Session> {
    if (!request.refreshToken) {
      throw ProblemError.badRequest('refreshToken is required.');
    }
    return toSession(await this.identity.refresh(request.refreshToken));
  }

  async logOut(request: accountsV1.LogOutRequest): Promise<accountsV1.LogOutResult> {
    if (request.refreshToken) {
      await this.identity.logOut(request.refreshToken);
    }
    return {};
  }

  async getUser(request: accountsV1.GetUserRequest): Promise<accountsV1.User> {
    return toUser(await this.identity.getUser(request.userId));
  }
}
