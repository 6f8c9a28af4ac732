import { privateMountScript } from './canary-commands';
import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateVolumeName } from './validators';

/**
 * A DR run's quiesce, on the slave volume: remove the overlay volumes its VM snapshots put on top of
 * the disks (the writes after the snapshot), so the copy holds the disks as they were when the guests
 * were frozen. A fixed script mounts the volume privately (as geo-replication does, so a read-only
 * slave volume takes the removal), lists each disk's directory, removes exactly
 * the files given (positional arguments, never parsed by the shell), and lists the directories again;
 * parseOverlayRemoval checks that nothing else changed.
 */
const ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<domain id>/images/<disk id>/<volume id>[.meta|.lease]`: a volume's files as VDSM lays them out on a file domain. */
const OVERLAY_FILE = new RegExp(`^${ID}/images/${ID}/${ID}(\\.meta|\\.lease)?$`);
const MAX_FILES = 3000;

const LIST = (label: string) =>
  [
    'for f in "$@"; do',
    '  dir=${f%/*}',
    `  ls -1A "$d/$dir" 2>/dev/null | while IFS= read -r n; do echo "${label} $dir/$n"; done`,
    'done',
  ].join('\n');

const REMOVE_OVERLAYS = [
  privateMountScript('georep-overlays', true),
  'shift',
  LIST('BEFORE'),
  'for f in "$@"; do',
  '  if [ -e "$d/$f" ]; then rm -f -- "$d/$f" || exit 95; echo "REMOVED $f"; fi',
  'done',
  LIST('AFTER'),
  'echo DONE',
].join('\n');

/** On a slave host: removes these overlay files (relative to the volume's root) from the volume. */
export function removeOverlayFilesCommand(volume: string, files: readonly string[]): GlusterCommand {
  const v = validateVolumeName(volume, 'volume');
  if (files.length === 0 || files.length > MAX_FILES)
    throw new GlusterArgumentError('files', `must be 1-${MAX_FILES} overlay files`);
  for (const f of files)
    if (!OVERLAY_FILE.test(f))
      throw new GlusterArgumentError('files', 'each must be <domain id>/images/<disk id>/<volume id>[.meta|.lease]');
  return plainCommand(['sh', '-c', REMOVE_OVERLAYS, 'georep-overlays', v, ...files]);
}

export interface OverlayRemoval {
  /** The files that were there and are removed. */
  removed: string[];
  /** The files that were not there (removed by an earlier try, or never copied). */
  absent: string[];
}

/** Reads what the removal printed; throws when a file is still there or anything else in those directories changed. */
export function parseOverlayRemoval(stdout: string, files: readonly string[]): OverlayRemoval {
  const lines = stdout.split('\n').map((l) => l.trimEnd());
  if (!lines.includes('DONE')) throw new GlusterArgumentError('overlays', 'the overlay removal did not run to its end');
  const pick = (label: string) =>
    new Set(lines.filter((l) => l.startsWith(`${label} `)).map((l) => l.slice(label.length + 1)));
  const before = pick('BEFORE');
  const after = pick('AFTER');
  const removed = pick('REMOVED');
  const wanted = new Set(files);
  const left = files.filter((f) => after.has(f));
  if (left.length > 0)
    throw new GlusterArgumentError(
      'overlays',
      `still on the slave volume after the removal: ${left.slice(0, 5).join(', ')}`,
    );
  const touched = [...before].filter((f) => !wanted.has(f) && !after.has(f));
  if (touched.length > 0)
    throw new GlusterArgumentError('overlays', `other files vanished meanwhile: ${touched.slice(0, 5).join(', ')}`);
  return { removed: files.filter((f) => removed.has(f)), absent: files.filter((f) => !removed.has(f)) };
}
