// The page: one store fed by the engine worker, and the React views bound to it.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TOY_CSV_PATH } from './graph/toy';
import { workerLink } from './store/engineLink';
import { createRunStore } from './store/runStore';
import { browserArchive } from './store/savedRun';
import { App } from './ui/App';
import { StoreProvider } from './ui/StoreContext';
import './ui/styles.css';

const store = createRunStore({
  link: workerLink(),
  search: window.location.search,
  writeSearch: (search) => window.history.replaceState(null, '', `${window.location.pathname}${search}${window.location.hash}`),
  schedule: (flush) => requestAnimationFrame(() => flush()),
  archive: browserArchive(),
  loadToy: async () => {
    const response = await fetch(new URL(TOY_CSV_PATH, document.baseURI));
    return response.ok ? response.text() : undefined;
  },
});
store.getState().start();
// A page hidden or closed keeps what it has: a reload loses at most the epochs since the last keep.
window.addEventListener('pagehide', () => store.getState().keepNow());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') store.getState().keepNow();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
