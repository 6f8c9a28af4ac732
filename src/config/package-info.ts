import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly author: string;
}

let cached: PackageInfo | undefined;

/**
 * name, version, description and author of package.json, found by walking up from this file (the same
 * from src/ under ts-jest and from dist/src/ when built). Read at run time rather than imported, so
 * the compiler does not copy package.json into dist/.
 */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<PackageInfo>;
      cached = {
        name: json.name ?? 'georep-api',
        version: json.version ?? '0.0.0',
        description: json.description ?? '',
        author: json.author ?? '',
      };
      return cached;
    }
  }
  throw new Error(`package.json not found above ${__dirname}`);
}
