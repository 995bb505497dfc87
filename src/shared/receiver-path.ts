/**
 * What a receiver path may be, in one place for the settings contract, the Connect form and the
 * receiver itself: `/` then letters, digits and `-._~/`, with no empty segment. Nothing express
 * would read as a route pattern, and nothing the receiver's direct delivery route (which compares
 * the path exactly) would match where express's router would not.
 * Isomorphic: no node:* and no DOM.
 */
const RECEIVER_PATH = /^\/[A-Za-z0-9\-._~/]*$/;

export const RECEIVER_PATH_RULE = 'must start with / and hold only A-Z a-z 0-9 - . _ ~ / (no empty segment)';

export function isReceiverPath(path: string): boolean {
  return RECEIVER_PATH.test(path) && !path.includes('//');
}
