// The score, the movie's rank among the user's candidates, and the user's top-K with scores.
import { memo } from 'react';
import type { ExplanationData } from '../worker/protocol';
import { fmt, ordinal } from './format';
import { Hint } from './Hint';

export const ScoreCard = memo(function ScoreCard({ e }: { e: ExplanationData }) {
  const best = Math.max(...e.top.map((t) => t.score), e.score, 1e-9);
  return (
    <div className="panel score-card">
      <h3>Score</h3>
      <div className="score-line">
        <span className="score" data-testid="explain-score" data-score={e.score}>{fmt.score(e.score)}</span>
        <Hint className="score-what" text={`The inner product of ${e.user.name}’s and ${e.item.name}’s final embeddings: multiply their numbers dimension by dimension and add up (see the split beside). Higher means a stronger recommendation; it is trained to match the star rating.`}>
          ⟨h<sub>user</sub>, h<sub>movie</sub>⟩
        </Hint>
      </div>
      <div className="rank" data-testid="explain-rank">
        {e.rank === null ? (
          <>A training rating of {e.user.name}{e.rating !== null ? ` (${fmt.stars(e.rating)}★)` : ''}: not a candidate.</>
        ) : (
          <>
            Ranked <strong>{ordinal(e.rank)}</strong> of {e.candidates.toLocaleString('en-US')} candidate{e.candidates === 1 ? '' : 's'}
            {e.rating !== null && <> · held-out rating {fmt.stars(e.rating)}★</>}
          </>
        )}
      </div>
      <h4>Top {e.top.length} for {e.user.name}</h4>
      <ol className="topk" data-testid="explain-topk">
        {e.top.map((t) => (
          <li key={t.item.index} className={t.item.index === e.item.index ? 'me' : ''}>
            <span className="topk-name" title={t.item.name}>{t.item.name}</span>
            <span className="topk-bar"><span style={{ width: `${Math.max(0, (t.score / best) * 100)}%` }} /></span>
            <span className="topk-score">{fmt.score(t.score)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
});
