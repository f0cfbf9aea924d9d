import { existsSync, readFileSync } from 'node:fs';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { dockerfileFor } from '../../tools/build/dockerfiles';
import { render, podSpec, prefix, find, serviceNames } from './rendered-chart';

/**
 * Images cannot be built on this machine, so their Dockerfiles are linted here: the
 * dockerfile-utils validator (the one behind the VS Code Docker language server), plus
 * the rules this project's images follow.
 */
const prod = render('prod');

describe.each(serviceNames())('services/%s/Dockerfile', (service) => {
  const path = `services/${service}/Dockerfile`;
  const content = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const dockerfile = DockerfileParser.parse(content);
  const stages = dockerfile.getFROMs();
  const lastStage = stages[stages.length - 1];
  const instructionsAfterLastFrom = dockerfile
    .getInstructions()
    .filter((i) => lastStage && i.getRange().start.line > lastStage.getRange().start.line);

  it('is the one generated from tools/build/dockerfiles.ts (npm run generate:dockerfiles)', () => {
    expect(content).toBe(dockerfileFor(service));
  });

  it('has no validator findings', () => {
    const findings = validate(content).map(
      (d) =>
        `${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
    );
    expect(findings).toEqual([]);
  });

  it('is multi-stage, building from the Nx build output of this service', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(content).toContain(`npx nx run ${service}:build`);
    expect(content).toContain(`dist/services/${service}/`);
  });

  it('pins its base images to versions (no latest, no bare names)', () => {
    const args = Object.fromEntries(
      dockerfile
        .getInitialARGs()
        .flatMap((arg) =>
          arg.getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const),
        ),
    );
    for (const from of stages) {
      const image = (from.getImage() ?? '').replace(
        /\$\{(\w+)\}/g,
        (_, name: string) => args[name] ?? '',
      );
      expect(image).toMatch(/:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  it('runs as a non-root user, with only the runtime packages, the command the chart expects', () => {
    const user = instructionsAfterLastFrom.find((i) => i.getKeyword() === 'USER');
    expect(user?.getArgumentsContent()).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(content).toMatch(/npm install --omit=dev/);
    const cmd = instructionsAfterLastFrom.find((i) => i.getKeyword() === 'CMD');
    const entry = `services/${service}/src/main.js`;
    expect(cmd?.getArgumentsContent()).toBe(`["${entry}"]`);
    const job = find(prod, 'Job', `${prefix}-${service}-migrate`);
    expect(podSpec(job).containers[0].args?.[0]).toBe(entry);
  });

  it('matches the uid the chart runs pods as', () => {
    const user = instructionsAfterLastFrom.find((i) => i.getKeyword() === 'USER');
    const pod = podSpec(find(prod, 'Deployment', `${prefix}-${service}`));
    expect(user?.getArgumentsContent()?.split(':')[0]).toBe(
      String(pod.securityContext?.['runAsUser']),
    );
  });
});
