/**
 * Fast pure unit tests beside the code, integration tests against real services, and the real-gluster
 * lab tests (`*.lab-spec.ts`), which share one machine-wide lab and so run one file at a time
 * (scripts/test.sh runs them beside the other two projects).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const realServices = {
  testEnvironment: 'node',
  rootDir: '.',
  transform: { '^.+\\.ts$': tsJest },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
module.exports = {
  // Integration tests start real services and processes; unit tests finish in milliseconds anyway.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    { ...realServices, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
    { ...realServices, displayName: 'lab', testMatch: ['<rootDir>/test/**/*.lab-spec.ts'] },
  ],
};
