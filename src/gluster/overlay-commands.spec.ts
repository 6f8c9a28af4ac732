import { GlusterArgumentError } from './errors';
import { parseOverlayRemoval, removeOverlayFilesCommand } from './overlay-commands';

const SD = '5e3f4b2a-1c7d-4e8f-9a0b-6c2d3e4f5a6b';
const DISK = '2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f';
const BASE = '3d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f7a';
const OVERLAY = '4e5f6a7b-8c9d-4e0f-8a1b-3c4d5e6f7a8b';
const dir = `${SD}/images/${DISK}`;
const files = [`${dir}/${OVERLAY}`, `${dir}/${OVERLAY}.meta`, `${dir}/${OVERLAY}.lease`];
const listing = (label: string, names: string[]) => names.map((n) => `${label} ${dir}/${n}`);
const baseFiles = [BASE, `${BASE}.meta`, `${BASE}.lease`];
const overlayNames = [OVERLAY, `${OVERLAY}.meta`, `${OVERLAY}.lease`];

describe('overlay removal on the slave volume', () => {
  it('passes the volume and each file as its own argument of a fixed script', () => {
    const c = removeOverlayFilesCommand('site2vol', files);
    expect(c.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.argv.slice(3)).toEqual(['georep-overlays', 'site2vol', ...files]);
    // mounted as gsyncd mounts a slave (client-pid -1), else the read-only slave volume refuses the removal
    expect(c.argv[2]).toContain('--volfile-id="$1" --client-pid=-1');
    expect(c.argv[2]).not.toContain(OVERLAY);
  });

  it('refuses anything but overlay files of a domain, and hostile volume names', () => {
    for (const bad of [
      `${dir}/../${OVERLAY}`,
      `${dir}/*`,
      `/${dir}/${OVERLAY}`,
      `${dir}/${OVERLAY}.img`,
      `${SD}/dom_md/metadata`,
    ])
      expect(() => removeOverlayFilesCommand('site2vol', [bad])).toThrow(GlusterArgumentError);
    expect(() => removeOverlayFilesCommand('v;rm -rf /', files)).toThrow(GlusterArgumentError);
    expect(() => removeOverlayFilesCommand('site2vol', [])).toThrow(GlusterArgumentError);
  });

  it('reads a removal that removed exactly the overlay and left the base', () => {
    const out = [
      ...listing('BEFORE', [...baseFiles, ...overlayNames]),
      ...files.map((f) => `REMOVED ${f}`),
      ...listing('AFTER', baseFiles),
      'DONE',
    ].join('\n');
    expect(parseOverlayRemoval(out, files)).toEqual({ removed: files, absent: [] });
  });

  it('says which files were already gone (a second try)', () => {
    const out = [...listing('BEFORE', baseFiles), ...listing('AFTER', baseFiles), 'DONE'].join('\n');
    expect(parseOverlayRemoval(out, files)).toEqual({ removed: [], absent: files });
  });

  it('fails when an overlay is still there, another file vanished, or the script did not end', () => {
    const still = [...listing('BEFORE', [...baseFiles, OVERLAY]), ...listing('AFTER', [...baseFiles, OVERLAY]), 'DONE'];
    expect(() => parseOverlayRemoval(still.join('\n'), files)).toThrow(/still on the slave volume/);
    const vanished = [...listing('BEFORE', [...baseFiles, OVERLAY]), ...listing('AFTER', [`${BASE}.meta`]), 'DONE'];
    expect(() => parseOverlayRemoval(vanished.join('\n'), files)).toThrow(/other files vanished/);
    expect(() => parseOverlayRemoval(listing('BEFORE', baseFiles).join('\n'), files)).toThrow(/did not run to its end/);
  });
});
