// The engine worker's host driven as the page drives it, without a worker: messages in through
// send, every message out kept in `inbox`, `next` to wait for the next one of a kind and `all` for
// those of a kind so far. `open` and `losses` go to the host as they are (the device-loss tests
// open devices they can lose, and count losses on a clock they move).
import type { Gpu } from '../../src/gpu/device';
import { EngineHost } from '../../src/worker/host';
import type { FromWorker, ToWorker } from '../../src/worker/protocol';
import type { DeviceLosses } from '../../src/worker/recovery';

export type Msg<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

export function hostHarness(open?: () => Promise<Gpu>, losses?: DeviceLosses) {
  const inbox: FromWorker[] = [];
  const waiters: { test: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  const host = new EngineHost(
    (m) => {
      inbox.push(m);
      for (const w of [...waiters]) {
        if (w.test(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    },
    open,
    losses,
  );
  /** The next message of this type (and `where`) posted from now on. */
  const next = <T extends FromWorker['type']>(type: T, where: (m: Msg<T>) => boolean = () => true) =>
    new Promise<Msg<T>>((resolve) => {
      waiters.push({ test: (m) => m.type === type && where(m as Msg<T>), resolve: resolve as (m: FromWorker) => void });
    });
  const send = (m: ToWorker) => host.handle(m);
  /** Every message of this type posted so far. */
  const all = <T extends FromWorker['type']>(type: T) => inbox.filter((m): m is Msg<T> => m.type === type);
  return { inbox, next, send, all };
}
