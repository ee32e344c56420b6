// One forward pass of the toy, animated from the shown epoch's real numbers: in each layer every
// rating carries a message both ways, drawn as a dot whose line is as wide as its attention α
// (mean of the heads); at each node the arriving messages are summed (Σ), and after the last
// layer the user's and the movie's embeddings meet in the dot product that is the score. The
// frame is `step` (0 … layers + 1) and `t` (0 … 1 within it), so it can be played or stepped.
import { useEffect, useMemo, useState } from 'react';
import { dot, row } from '../explain/scoreSplit';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import { badge, clip } from './format';
import { alphaOf } from './graphModel';
import { graphIndexOf } from './graphIndex';

const W = 400;
const H = 230;
const X_USER = 70;
const X_ITEM = 262;
const TOP = 40;
/** Milliseconds per layer when playing. */
const LAYER_MS = 2200;

export interface Frame {
  /** 1 … layers: messages of that layer travel; layers + 1: the dot product. */
  step: number;
  /** Progress within the step, 0 … 1. */
  t: number;
}

export function MessagePassing({ info, snapshot, pair }: { info: RunInfo; snapshot: SnapshotData; pair: { user: number; item: number } }) {
  const index = useMemo(() => graphIndexOf(info), [info]);
  const last = info.layers + 1;
  const [frame, setFrame] = useState<Frame>({ step: 1, t: 0 });
  const [playing, setPlaying] = useState(true);

  useEffect(() => {
    if (!playing) return;
    let raf = 0;
    let prev = performance.now();
    const tick = (now: number) => {
      const dt = (now - prev) / LAYER_MS;
      prev = now;
      let done = false;
      setFrame((f) => {
        const t = f.t + dt;
        if (t < 1) return { step: f.step, t };
        if (f.step < last) return { step: f.step + 1, t: 0 };
        done = true;
        return { step: last, t: 1 };
      });
      if (done) setPlaying(false);
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [playing, last]);

  const users = Array.from({ length: info.numUsers }, (_, u) => ({ node: u, name: info.userNames[u], x: X_USER, y: TOP + ((u + 0.5) * (H - TOP - 20)) / info.numUsers }));
  const items = Array.from({ length: info.numItems }, (_, i) => ({ node: info.numUsers + i, name: info.itemNames[i], x: X_ITEM, y: TOP + ((i + 0.5) * (H - TOP - 20)) / info.numItems }));
  const ratings = Array.from({ length: info.ratings.user.length }, (_, r) => r).filter((r) => index.toItem[r] >= 0);
  const layer = Math.min(frame.step, info.layers);
  const passing = frame.step <= info.layers;
  const C = snapshot.channels;
  const score = dot(row(snapshot.user, pair.user, C), row(snapshot.item, pair.item, C));
  const u = users[pair.user];
  const it = items[pair.item];
  // Messages arrive in the first 70% of a step; the sums light up after.
  const travel = Math.min(1, frame.t / 0.7);
  const summed = frame.t >= 0.7;

  return (
    <div className="message-passing" data-testid="message-passing" data-step={frame.step} data-layer={passing ? layer : 'score'}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={passing ? `Layer ${layer}: messages along every rating, weighted by attention` : 'The score: the dot product of the two final embeddings'}>
        <text x={W / 2} y={18} textAnchor="middle" className="mp-title">
          {passing ? `conv${layer}: messages, width = α` : `score = Σc h[c]·h[c] = ${score.toFixed(2)}`}
        </text>
        {ratings.map((r) => {
          const a = users[info.ratings.user[r]];
          const b = items[info.ratings.item[r]];
          const toItem = alphaOf(snapshot, info.heads, index.toItem[r], layer, 'mean') ?? 0;
          const toUser = alphaOf(snapshot, info.heads, index.toUser[r], layer, 'mean') ?? 0;
          const lit = !passing && (info.ratings.user[r] === pair.user || info.ratings.item[r] === pair.item);
          return (
            <g key={r} data-testid="mp-edge" data-alpha-to-item={toItem.toFixed(3)} data-alpha-to-user={toUser.toFixed(3)}>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} className={`mp-edge ${lit ? 'lit' : ''}`} strokeWidth={1 + 7 * Math.max(toItem, toUser)} />
              {passing && (
                <>
                  <circle className="mp-msg to-item" r={2 + 5 * toItem} cx={a.x + (b.x - a.x) * travel} cy={a.y + (b.y - a.y) * travel} />
                  <circle className="mp-msg to-user" r={2 + 5 * toUser} cx={b.x + (a.x - b.x) * travel} cy={b.y + (a.y - b.y) * travel} />
                </>
              )}
            </g>
          );
        })}
        {[...users, ...items].map((n) => {
          const isUser = n.node < info.numUsers;
          const chosen = n === u || n === it;
          return (
            <g key={n.node} transform={`translate(${n.x},${n.y})`} className={`mp-node ${isUser ? 'user' : 'item'} ${chosen ? 'chosen' : ''}`}>
              {isUser ? <circle r={14} /> : <rect x={-14} y={-14} width={28} height={28} rx={5} />}
              <text textAnchor="middle" dy="0.35em" className="mp-badge">{passing && summed ? 'Σ' : badge(n.name)}</text>
              <text x={isUser ? -20 : 20} dy="0.35em" textAnchor={isUser ? 'end' : 'start'} className="mp-name">{clip(n.name, isUser ? 8 : 12)}</text>
            </g>
          );
        })}
        {!passing && <path d={`M${u.x + 16},${u.y} Q${W / 2},${(u.y + it.y) / 2 - 40} ${it.x - 16},${it.y}`} className="mp-dot" />}
      </svg>
      <p className="mp-caption" data-testid="mp-caption">
        {passing
          ? `Layer ${layer} of ${info.layers}: every rating sends a message each way; the line’s width is its attention α at epoch ${snapshot.epoch.toLocaleString('en-US')}. ${summed ? 'Each node sums what arrives (Σ), weighted by α, and adds its own skip connection.' : ''}`
          : `After ${info.layers} layers, ${info.userNames[pair.user]}’s and ${info.itemNames[pair.item]}’s embeddings are multiplied dimension by dimension and added up: the score, ${score.toFixed(3)}.`}
      </p>
      <div className="mp-controls">
        <button className="btn small" onClick={() => setPlaying((p) => !p)} data-testid="mp-play">{playing ? 'Pause' : 'Play'}</button>
        {Array.from({ length: last }, (_, k) => (
          <button key={k} className={`seg ${frame.step === k + 1 ? 'on' : ''}`} onClick={() => { setPlaying(false); setFrame({ step: k + 1, t: 0.5 }); }} data-testid={`mp-step-${k + 1}`}>
            {k < info.layers ? `conv${k + 1}` : 'score'}
          </button>
        ))}
      </div>
    </div>
  );
}
