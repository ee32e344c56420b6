// A guided first run on the toy, in four short steps: what the graph is, one epoch stepped by
// hand, one forward pass animated from that epoch's numbers, and why Tim gets The Avengers. It sits
// in the page (not over it), so everything stays usable; skipping or finishing it is remembered
// in localStorage, so it shows once.
import { useState } from 'react';
import { defaultPair, shownSnapshot } from '../store/shown';
import { MessagePassing } from './MessagePassing';
import { useActions, useRunShallow } from './StoreContext';

const KEY = 'gat-lab-tour';

function remembered(): boolean {
  try {
    return localStorage.getItem(KEY) !== null;
  } catch {
    return false; // storage blocked: show the tour, which then cannot be remembered
  }
}

function remember(how: 'skipped' | 'finished'): void {
  try {
    localStorage.setItem(KEY, how);
  } catch {
    // storage blocked: nothing to keep
  }
}

const TITLES = ['What you are looking at', 'Train one epoch', 'One forward pass', 'Why Tim gets The Avengers'];

export function Tour() {
  const a = useActions();
  const s = useRunShallow((s) => ({ toy: s.dataset.kind === 'toy', info: s.info, epoch: s.epoch, status: s.status, snapshot: shownSnapshot(s), explanation: s.explanation }));
  const [open, setOpen] = useState(() => !remembered());
  const [step, setStep] = useState(0);
  const [startEpoch, setStartEpoch] = useState<number | null>(null);
  if (!open || !s.toy || !s.info || !s.snapshot) return null;
  const pair = defaultPair(s.info, true, null);
  const close = (how: 'skipped' | 'finished') => {
    remember(how);
    setOpen(false);
  };
  const stepped = startEpoch !== null && s.epoch > startEpoch;
  return (
    <section className="tour card" aria-label="Guided tour" data-testid="tour" data-step={step + 1}>
      <div className="tour-head">
        <h2>
          <span className="muted">{step + 1} / {TITLES.length} · </span>
          {TITLES[step]}
        </h2>
        <button className="btn small" onClick={() => close('skipped')} data-testid="tour-skip">Skip the tour</button>
      </div>
      <div className="tour-body">
        {step === 0 && (
          <p>
            Below is the graph the model learns from: three users on the left, three movies on the right, and a line for each rating, coloured by its stars.
            Tim rated only Guardians of the Galaxy; his 5★ for The Avengers (dashed) is held out, and the question is whether the model learns to recommend it.
            A graph attention network passes messages along these lines; how much each one counts (its attention, α) is the line’s width.
          </p>
        )}
        {step === 1 && (
          <p>
            One epoch is one pass over the training ratings: the model predicts each one, measures its error (MSE), and nudges its weights.{' '}
            <button className="btn small" onClick={() => { setStartEpoch(s.epoch); a.step(1); }} disabled={s.status !== 'idle' || stepped} data-testid="tour-step-epoch">
              Step one epoch
            </button>{' '}
            {stepped ? `Done: epoch ${s.epoch.toLocaleString('en-US')}. The graph, the curves and the explanation all moved to it.` : 'Or press → on the keyboard.'}
          </p>
        )}
        {step === 2 && pair && <MessagePassing info={s.info} snapshot={s.snapshot} pair={pair} />}
        {step === 3 && (
          <p data-testid="tour-why">
            {s.explanation ? s.explanation.sentence : 'The explanation is on its way…'} The panel “Why this score?” below splits these reasons into those that raise the score and
            those that lower it, each measured by taking ratings out and running the model again. Train on (▶) and watch them change.
          </p>
        )}
      </div>
      <div className="tour-nav">
        <button className="btn small" onClick={() => setStep(step - 1)} disabled={step === 0} data-testid="tour-back">Back</button>
        {step < TITLES.length - 1 ? (
          <button className="btn small primary" onClick={() => setStep(step + 1)} data-testid="tour-next">Next</button>
        ) : (
          <button className="btn small primary" onClick={() => close('finished')} data-testid="tour-done">Done</button>
        )}
      </div>
    </section>
  );
}
