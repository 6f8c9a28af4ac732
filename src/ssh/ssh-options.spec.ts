import { ConfigError } from '../config/config';
import { DEFAULT_SSH_OPTIONS, sshOptionsFromEnv } from './ssh-options';

describe('SSH options from the environment', () => {
  it('uses the defaults when nothing is set', () => {
    expect(sshOptionsFromEnv({})).toEqual(DEFAULT_SSH_OPTIONS);
  });

  it('reads seconds and counts', () => {
    const options = sshOptionsFromEnv({
      GEOREP_SSH_CONNECT_TIMEOUT_SECONDS: '5',
      GEOREP_SSH_COMMAND_TIMEOUT_SECONDS: '600',
      GEOREP_SSH_KEEPALIVE_SECONDS: '0',
      GEOREP_SSH_IDLE_SECONDS: '30',
      GEOREP_SSH_MAX_COMMANDS_PER_HOST: '8',
    });
    expect(options).toMatchObject({
      connectTimeoutMs: 5000,
      commandTimeoutMs: 600_000,
      keepaliveIntervalMs: 0,
      idleTimeoutMs: 30_000,
      maxConcurrentCommandsPerEndpoint: 8,
    });
  });

  it('names every bad setting', () => {
    let error: unknown;
    try {
      sshOptionsFromEnv({
        GEOREP_SSH_CONNECT_TIMEOUT_SECONDS: '0',
        GEOREP_SSH_MAX_COMMANDS_PER_HOST: '10',
        GEOREP_SSH_IDLE_SECONDS: '1.5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'GEOREP_SSH_CONNECT_TIMEOUT_SECONDS: must be a whole number of seconds between 1 and 600',
      'GEOREP_SSH_IDLE_SECONDS: must be a whole number of seconds between 1 and 86400',
      'GEOREP_SSH_MAX_COMMANDS_PER_HOST: must be a whole number between 1 and 9',
    ]);
  });
});
