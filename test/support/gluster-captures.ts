import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandOutput } from '../../src/gluster';

/** test/fixtures/gluster-10.3, seen from the sources or from the build (dist/test/support, dist/bench). */
export const CAPTURES_DIR =
  [
    path.resolve(__dirname, '..', 'fixtures', 'gluster-10.3'),
    path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'gluster-10.3'),
  ].find((dir) => fs.existsSync(dir)) ?? path.resolve(__dirname, '..', 'fixtures', 'gluster-10.3');

/** One captured output of GlusterFS 10.3 as the SSH client would have returned it (its exit code from `<name>.rc`). */
export function captured(name: string): CommandOutput {
  return {
    stdout: fs.readFileSync(path.join(CAPTURES_DIR, name), 'utf8'),
    stderr: '',
    exitCode: Number(fs.readFileSync(path.join(CAPTURES_DIR, `${name}.rc`), 'utf8').trim()),
  };
}
