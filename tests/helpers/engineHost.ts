// The engine worker's host driven as the page drives it, without a worker: messages in through
// send, every message out kept in `inbox`, and `next` to wait for the next one of a kind.
import { EngineHost } from '../../src/worker/host';
import type { FromWorker, ToWorker } from '../../src/worker/protocol';

export type Msg<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

export function hostHarness() {
  const inbox: FromWorker[] = [];
  const waiters: { test: (m: FromWorker) => boolean; resolve: (m: FromWorker) => void }[] = [];
  const host = new EngineHost((m) => {
    inbox.push(m);
    for (const w of [...waiters]) {
      if (w.test(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  /** The next message of this type (and `where`) posted from now on. */
  const next = <T extends FromWorker['type']>(type: T, where: (m: Msg<T>) => boolean = () => true) =>
    new Promise<Msg<T>>((resolve) => {
      waiters.push({ test: (m) => m.type === type && where(m as Msg<T>), resolve: resolve as (m: FromWorker) => void });
    });
  const send = (m: ToWorker) => host.handle(m);
  return { inbox, next, send };
}
