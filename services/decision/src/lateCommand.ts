import { MirrorAction, type MirrorCommand } from '@pdme/common/proto';

/**
 * A mirror command is late when it is issued after the time it had to be live by: the cache cannot
 * be warm and the DNS answer propagated before the predicted demand. A live-by of 0 means unknown
 * (a resend); an unmirror has no deadline.
 */
export function isLateCommand(command: Pick<MirrorCommand, 'action' | 'issuedMs' | 'liveByMs'>): boolean {
  return (
    command.action === MirrorAction.MIRROR_ACTION_MIRROR &&
    command.liveByMs > 0 &&
    command.issuedMs > command.liveByMs
  );
}
