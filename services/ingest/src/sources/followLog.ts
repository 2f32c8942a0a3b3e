import type { LineIngester } from '../lineIngester.js';
import { followFile, type FollowOptions } from './followFile.js';

/**
 * Feeds a followed log into an ingester until the signal aborts. Event ids come from the file's
 * inode and byte offset, so re-reading a file after a restart reproduces the same ids (consumers
 * count each event once) instead of counting its lines twice.
 */
export async function followLogInto(
  path: string,
  ingester: LineIngester,
  options: FollowOptions,
): Promise<void> {
  for await (const batch of followFile(path, options)) {
    for (const line of batch) {
      await ingester.line(line.text, {
        origin: `${path}:${line.line}`,
        sourceId: `file:${path}:${line.inode}@${line.offset}`,
      });
    }
  }
}
