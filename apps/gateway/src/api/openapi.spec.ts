import 'reflect-metadata';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { LiveController } from './live.controller';
import { OpenApiController } from './openapi.controller';
import { OrchestratorsController } from './orchestrators.controller';
import { PlaybackController } from './playback.controller';
import { VodController } from './vod.controller';
import { OPENAPI_DOCUMENT } from './openapi';

/** Every route the controllers declare appears in /openapi.json with the same method. */
describe('OpenAPI document', () => {
  it('lists every controller route', () => {
    const routes: string[] = [];
    for (const ctrl of [LiveController, PlaybackController, VodController, OrchestratorsController, OpenApiController]) {
      const prefix = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '').replace(/^\/|\/$/g, '');
      for (const name of Object.getOwnPropertyNames(ctrl.prototype)) {
        const fn = (ctrl.prototype as unknown as Record<string, unknown>)[name];
        if (typeof fn !== 'function' || name === 'constructor') continue;
        const path = Reflect.getMetadata(PATH_METADATA, fn) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as number | undefined;
        if (path === undefined || method === undefined) continue;
        const full = ('/' + [prefix, path].filter((p) => p !== '' && p !== '/').join('/')).replace(/:(\w+)/g, '{$1}');
        routes.push(`${RequestMethod[method]?.toLowerCase()} ${full}`);
      }
    }
    const documented = Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p.replace(/\{[^}]+\}/g, '{}')}`));
    expect(routes.length).toBeGreaterThanOrEqual(7);
    for (const r of routes) expect(documented).toContain(r.replace(/\{[^}]+\}/g, '{}'));
  });
});
