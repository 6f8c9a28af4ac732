import { expectedStatusAfter, refusalOf } from './session-rules';

describe('session state rules (DESIGN.md section 6)', () => {
  it('allows each verb from the statuses the design lists', () => {
    expect(['created', 'stopped'].map((s) => refusalOf('start', s as never, false))).toEqual([null, null]);
    expect(
      ['active', 'passive', 'initializing', 'paused', 'faulty', 'partial_faulty'].map((s) =>
        refusalOf('stop', s as never, false),
      ),
    ).toEqual(Array(6).fill(null));
    expect(['active', 'passive', 'initializing'].map((s) => refusalOf('pause', s as never, false))).toEqual([
      null,
      null,
      null,
    ]);
    expect(refusalOf('resume', 'paused', false)).toBeNull();
    expect(['stopped', 'created'].map((s) => refusalOf('delete', s as never, false))).toEqual([null, null]);
  });

  it('refuses the rest naming the current status, and says what would work', () => {
    expect(refusalOf('start', 'active', false)).toBe(
      'the session is active: it can be started only when it is created, stopped; use force to ask gluster anyway',
    );
    expect(refusalOf('stop', 'stopped', false)).toBe(
      'the session is stopped: it can be stopped only when it is active, passive, initializing, paused, faulty, partial_faulty; use force to ask gluster anyway',
    );
    // gluster "succeeds" at pausing a stopped session: the service refuses it
    expect(refusalOf('pause', 'stopped', false)).toBe(
      'the session is stopped: it can be paused only when it is active, passive, initializing; use force to ask gluster anyway',
    );
    expect(refusalOf('resume', 'active', false)).toBe(
      'the session is active: it can be resumed only when it is paused; use force to ask gluster anyway',
    );
    expect(refusalOf('delete', 'active', false)).toBe(
      'the session is active: it can be deleted only when it is stopped, created; stop it first',
    );
    expect(refusalOf('start', 'unknown', false)).toMatch(/^the session is unknown:/);
  });

  it('lets force override the four controls, never delete', () => {
    expect(refusalOf('start', 'active', true)).toBeNull();
    expect(refusalOf('pause', 'stopped', true)).toBeNull();
    expect(refusalOf('delete', 'active', true)).toMatch(/^the session is active/);
  });

  it('names the statuses a verb leads to', () => {
    expect(expectedStatusAfter('stop')).toEqual(['stopped']);
    expect(expectedStatusAfter('pause')).toEqual(['paused']);
    expect(expectedStatusAfter('start')).toContain('active');
    expect(expectedStatusAfter('resume')).toContain('initializing');
  });
});
