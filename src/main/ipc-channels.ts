/**
 * The only two IPC channels of the app, shared by main (src/main/ipc-binding.ts) and the preload
 * (src/preload/ipc-transport.ts). Every contract command travels over INVOKE_CHANNEL and every
 * pushed event over PUSH_CHANNEL: a new capability never adds a channel (DESIGN.md section 2).
 * Imports nothing, so the self-contained preload bundle can include it.
 */
export const INVOKE_CHANNEL = 'flowscope:invoke';
export const PUSH_CHANNEL = 'flowscope:push';

/** Longest command name either side accepts (contract names are far shorter). */
export const MAX_COMMAND_NAME_LENGTH = 100;
