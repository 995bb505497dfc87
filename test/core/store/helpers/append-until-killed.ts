/**
 * Child process of the crash test: appends batches to the store in `argv[2]` forever, with several
 * appends in flight (group commit), and prints `ack <first> <last>` for each batch only after its
 * append resolved, i.e. when the receiver would have answered 2xx. The test kills it with SIGKILL.
 */
import { EventStore } from '../../../../src/core/store/event-store.js';
import { parseAll, sid, stepEnded } from '../../../shared/studio-fixtures.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: append-until-killed <data dir>');
const store = EventStore.open(dataDir);
let next = 0;

async function appendForever(): Promise<never> {
  for (;;) {
    const first = next;
    next += 10;
    const raw = Array.from({ length: 10 }, (_, i) =>
      stepEnded({
        id: `crash-${first + i}`,
        data: { execution_sid: sid('FN', 1 + ((first + i) % 7)), step_sid: sid('FT', first + i + 1) },
      }),
    );
    await store.append({ accepted: parseAll(raw), rejected: [], receivedAt: new Date() });
    process.stdout.write(`ack ${first} ${first + 9}\n`);
  }
}

for (let lane = 0; lane < 4; lane++) void appendForever();
