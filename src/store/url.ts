// The page's state in its URL: every setting of the run (only those that differ from the seed's)
// and the explained pair, by name. Opening a shared link reproduces the run.
import { settingsFromQuery, settingsToQuery, type RunSettings, type SettingIssue } from '../train/settings';

export interface UrlState {
  settings: RunSettings;
  issues: SettingIssue[];
  /** The explained user and item, by display name. */
  user: string | null;
  item: string | null;
}

export function readUrl(search: string): UrlState {
  const query = search.startsWith('?') ? search.slice(1) : search;
  let user: string | null = null;
  let item: string | null = null;
  try {
    const params = new URLSearchParams(query);
    user = params.get('user');
    item = params.get('item');
  } catch {
    // settingsFromQuery reports a malformed link.
  }
  let parsed: { settings: RunSettings; issues: SettingIssue[] };
  try {
    parsed = settingsFromQuery(query);
  } catch (e) {
    parsed = settingsFromQuery('');
    parsed.issues.push({ key: 'seed', message: `the link could not be read (${(e as Error).message}); using the seed’s settings` });
  }
  return { ...parsed, user, item };
}

export function urlQuery(settings: RunSettings, pair: { user: string; item: string } | null): string {
  const params = new URLSearchParams(settingsToQuery(settings));
  if (pair) {
    params.set('user', pair.user);
    params.set('item', pair.item);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
