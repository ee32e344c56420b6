// The page: header, transport bar, settings, the graph with its time slider, the charts and the
// explain panel, the search card, and data files dropped anywhere on it; or, without WebGPU, a plain explanation of
// what is missing.
import { lazy, Suspense, useEffect } from 'react';
import { DropZone } from './DropZone';
import { ExplainPanel } from './ExplainPanel';
import { FatalMessage } from './FatalMessage';
import { GraphCard } from './GraphCard';
import { Header } from './Header';
import { Notices } from './Notices';
import { KeepNotices, RunFiles } from './RunFiles';
import { SearchCard } from './SearchCard';
import { SettingsPanel } from './SettingsPanel';
import { useActions, useRun } from './StoreContext';
import { Tour } from './Tour';
import { Transport } from './Transport';

// recharts is most of the bundle: it loads alongside the engine instead of before the page.
const ChartsCard = lazy(() => import('./ChartsCard').then((m) => ({ default: m.ChartsCard })));

export function App() {
  const phase = useRun((s) => s.phase);
  useKeyboard();
  return (
    <div className="app" data-testid="app" data-phase={phase}>
      <Header />
      {phase === 'noWebGPU' || phase === 'failed' ? (
        <FatalMessage />
      ) : (
        <>
          <DropZone />
          <Transport />
          <Notices />
          <KeepNotices />
          <Tour />
          <main className="layout">
            <div className="side-col">
              <SettingsPanel />
              <RunFiles />
            </div>
            <div className="main-col">
              <div className="top-row">
                <GraphCard />
                <Suspense fallback={<section className="charts card placeholder" aria-busy="true">Loading the charts…</section>}>
                  <ChartsCard />
                </Suspense>
              </div>
              <ExplainPanel />
              <SearchCard />
            </div>
          </main>
        </>
      )}
      <footer className="footer">
        GAT Lab trains a three-block heterogeneous GAT (PyG semantics) with WGSL kernels on this machine’s GPU. Nothing leaves the page.
        Keys: <kbd>Space</kbd> play/pause, <kbd>→</kbd> step one epoch.
      </footer>
    </div>
  );
}

const TYPING = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

/** Space plays and pauses, the right arrow steps one epoch; not while typing in a field or in a dialog. */
function useKeyboard(): void {
  const actions = useActions();
  useEffect(() => {
    const typing = (t: EventTarget | null) => t instanceof HTMLElement && (TYPING.has(t.tagName) || t.isContentEditable || t.closest('[role=dialog]') !== null);
    const down = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      if (e.key === ' ') {
        e.preventDefault();
        if (!e.repeat) actions.toggle();
      } else if (e.key === 'ArrowRight') {
        e.preventDefault();
        actions.step(1);
      }
    };
    // A focused button would also click on Space's release: the key is ours.
    const up = (e: KeyboardEvent) => {
      if (e.key === ' ' && e.target instanceof HTMLButtonElement) e.preventDefault();
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, [actions]);
}
