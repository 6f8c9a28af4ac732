/**
 * Pure gluster helpers: validated, quoted command lines and parsers of gluster's output.
 * No I/O; imports nothing else from the project.
 */
export * from './errors';
export * from './shell-quote';
export * from './validators';
export * from './georep-options';
export * from './command-builder';
export * from './xml-output';
export * from './volume-parsers';
export * from './georep-status-parser';
export * from './georep-config-parser';
export * from './georep-action-parser';
export * from './canary-commands';
export * from './overlay-commands';
export * from './status-rollup';
export * from './heal-commands';
export * from './host-match';
export * from './mount-broker';
export * from './georep-keys';
export * from './preflight-commands';
export * from './eventsapi';
