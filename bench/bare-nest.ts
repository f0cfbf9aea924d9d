// The ceiling for the gateway: a bare NestJS route on this machine (no auth, no I/O), in its
// own process like the gateway. Prints its port.
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class BareController {
  @Post('v1/generations')
  @HttpCode(202)
  submit(@Body() body: { model?: string }): {
    id: string;
    status: string;
    model: string | undefined;
  } {
    return { id: 'bare', status: 'queued', model: body.model };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): { port: number } }).address();
  process.stdout.write(`${port}\n`);
}

void main();
