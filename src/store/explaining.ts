// The explanation card's side of the store: one explanation of the shown pair at the shown epoch
// asked of the engine at a time, asked again when what is shown moved on while it was computed,
// and, at full speed, brief ones spaced out.
import type { ExplanationData, FromWorker, RunInfo, RunStatus, Speed, ToWorker } from '../worker/protocol';
import { isFast, shownSnapshot, type AttentionView, type Pair, type Shown } from './shown';

/** While playing at full speed, explanations are asked for at most this often. */
const FAST_EXPLAIN_INTERVAL_MS = 3000;

export interface ExplainingState {
  explanation: ExplanationData | null;
  explainError: string | null;
  explaining: boolean;
}

/** What the explaining needs of the store. */
export interface ExplainingContext {
  get(): ExplainingState & Shown & { runId: number; info: RunInfo | null; pair: Pair | null; view: AttentionView; status: RunStatus; speed: Speed };
  set(patch: Partial<ExplainingState>): void;
  send(message: ToWorker): void;
}

export function createExplaining(ctx: ExplainingContext) {
  const { get, set } = ctx;
  let requestSeq = 0;
  let inFlight: { requestId: number; key: string } | null = null;
  let lastRequest = 0;
  let explainTimer: ReturnType<typeof setTimeout> | null = null;

  /** What an explanation is of: the run, epoch, pair and head shown, brief or not. */
  function explainKey(): string {
    const s = get();
    const snap = shownSnapshot(s);
    return s.pair && snap ? `${s.runId}:${snap.epoch}:${s.pair.user}:${s.pair.item}:${s.view.head}:${isFast(s)}` : '';
  }

  /** Asks for the explanation of what is shown, unless it is at hand or one is on its way. */
  function request(): void {
    const s = get();
    const snap = shownSnapshot(s);
    if (!s.pair || !snap || !s.info || inFlight) return;
    // At full speed the explanation follows the run at a walk: each one is a few forward passes
    // on the GPU that the training would wait for.
    if (isFast(s)) {
      const wait = lastRequest + FAST_EXPLAIN_INTERVAL_MS - Date.now();
      if (wait > 0) {
        if (!explainTimer) explainTimer = setTimeout(() => {
          explainTimer = null;
          request();
        }, wait);
        return;
      }
    }
    const key = explainKey();
    const e = s.explanation;
    if (e && `${s.runId}:${e.epoch}:${e.user.index}:${e.item.index}:${e.head}:${e.brief}` === key) return;
    const requestId = ++requestSeq;
    lastRequest = Date.now();
    inFlight = { requestId, key };
    set({ explaining: true });
    ctx.send({ type: 'explain', requestId, runId: s.runId, epoch: snap.epoch, user: s.pair.user, item: s.pair.item, head: s.view.head, brief: isFast(s) });
  }

  return {
    request,

    /** A new run: no explanation, and a reply still to come belongs to the run before. */
    reset(): ExplainingState {
      inFlight = null;
      return { explanation: null, explainError: null, explaining: false };
    },

    /** Handles the engine's explanations; false for any other message. */
    receive(msg: FromWorker): boolean {
      if (msg.type !== 'explanation') return false;
      if (!inFlight || msg.requestId !== inFlight.requestId) return true;
      const key = inFlight.key;
      inFlight = null;
      if (msg.runId === get().runId) {
        set({ explanation: msg.explanation ?? get().explanation, explainError: msg.error ?? null, explaining: false });
      }
      // Ask again if what is shown moved on while this one was computed.
      if (explainKey() !== key) request();
      return true;
    },
  };
}
