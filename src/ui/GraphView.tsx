// The bipartite graph, users left and movies right, drawn with d3's scales and link paths. Each
// rating is an edge coloured by its stars; its width and opacity are the attention α of the chosen
// layer, head and direction. A held-out test rating is dashed, a validation one dotted. A heat strip beside each node is
// its embedding.
import { useMemo, useState, type CSSProperties, type MouseEvent } from 'react';
import { linkHorizontal } from 'd3-shape';
import { scaleLinear } from 'd3-scale';
import type { RunInfo, SnapshotData } from '../worker/protocol';
import { badge, changeColor, clip, EDGE_DASH, edgeColor } from './format';
import { EmbeddingStrip, embeddingScale } from './EmbeddingStrip';
import { GraphTooltip, type HoverTarget } from './GraphTooltip';
import { alphaOf, embeddingOf, slotFor, type DrawnEdge, type DrawnNode, type GraphModel } from './graphModel';
import { useActions, useRun } from './StoreContext';

const NODE_R = 15;
/** A neighbourhood's centre: its edges at least this wide and this opaque; the others at this fraction of their opacity. */
const FOCUS_MIN_WIDTH = 2.5;
const FOCUS_OPACITY = 0.95;
const ASIDE_OPACITY = 0.3;
const ZOOM_STEP = 1.5;
const MAX_ZOOM = 1.5 ** 4;
/** α labels drawn at most (the strongest), so that a busy node stays readable. */
const MAX_LABELS = 6;
const width = scaleLinear().domain([0, 1]).range([1.2, 9]).clamp(true);
const opacity = scaleLinear().domain([0, 1]).range([0.22, 0.95]).clamp(true);
const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** A point on the link's cubic curve (d3's horizontal link: control points at the middle x). */
function pointOn(x0: number, y0: number, x1: number, y1: number, t: number): [number, number] {
  const xm = (x0 + x1) / 2;
  const u = 1 - t;
  const x = u * u * u * x0 + 3 * u * u * t * xm + 3 * u * t * t * xm + t * t * t * x1;
  const y = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t * t * t * y1;
  return [x, y];
}

/** The largest |Δα| the change colours span at least, so that noise does not look like learning. */
const MIN_CHANGE_SPAN = 0.02;

/**
 * `baseline`: when given, edges are coloured by their α's change since that snapshot (a diverging
 * scale) instead of by their rating. `onPickEdge`: a click on an edge.
 */
export function GraphView({ model, info, snapshot, baseline = null, onPickEdge }: { model: GraphModel; info: RunInfo; snapshot: SnapshotData | null; baseline?: SnapshotData | null; onPickEdge?: (e: DrawnEdge) => void }) {
  const a = useActions();
  const view = useRun((s) => s.view);
  const pair = useRun((s) => s.pair);
  const [hover, setHover] = useState<HoverTarget | null>(null);
  const [zoom, setZoom] = useState(1);
  const nodes = useMemo(() => [...model.users, ...model.items], [model]);
  const colour = useMemo(() => embeddingScale(snapshot, nodes), [snapshot, nodes]);
  const byNode = useMemo(() => new Map(nodes.map((n) => [n.node, n])), [nodes]);
  // α is written on the edges of one node: the hovered one, else the node a partial view is centred
  // on (its edges are the strongest), else the explained pair's receiving end (the movie when
  // messages flow into movies, the user otherwise), whose incoming α sum to 1.
  const receiving = pair ? (view.direction === 'rates' ? byNode.get(info.numUsers + pair.item) : byNode.get(pair.user)) : undefined;

  const alphaFor = (e: DrawnEdge) => alphaOf(snapshot, info.heads, slotFor(e, view), view.layer, view.head);
  const changeOf = (e: DrawnEdge): number | null => {
    const now = alphaFor(e);
    const then = alphaOf(baseline, info.heads, slotFor(e, view), view.layer, view.head);
    return now === null || then === null ? null : now - then;
  };
  const changeSpan = baseline ? Math.max(MIN_CHANGE_SPAN, ...model.edges.map((e) => Math.abs(changeOf(e) ?? 0))) : 1;
  const touches = (e: DrawnEdge, n: DrawnNode) => (n.type === 'user' ? e.user === n.index : e.item === n.index);
  const hoveredNode = hover?.kind === 'node' ? hover.node : null;
  const centre = model.focus?.node ?? null;
  const focus = hoveredNode ?? model.focus?.node ?? receiving ?? null;
  // In a neighbourhood many edges leave the labelled node: their labels sit towards the far ends,
  // where the edges have spread apart.
  const labelAt = !model.partial || !focus ? 0.5 : focus.type === 'user' ? 0.72 : 0.28;
  const labelled = focus
    ? model.edges
        .filter((e) => alphaFor(e) !== null && touches(e, focus))
        .sort((p, q) => alphaFor(q)! - alphaFor(p)!)
        .slice(0, MAX_LABELS)
    : [];
  const at = (ev: MouseEvent, target: { kind: 'edge'; edge: DrawnEdge } | { kind: 'node'; node: DrawnNode }) => {
    const box = (ev.currentTarget as SVGElement).ownerSVGElement?.parentElement?.getBoundingClientRect();
    setHover({ ...target, x: ev.clientX - (box?.left ?? 0), y: ev.clientY - (box?.top ?? 0) });
  };

  // Draw strong edges last (on top), the held-out edges above all.
  const heldOut = (e: DrawnEdge) => Number(e.kind !== 'train');
  const ordered = [...model.edges].sort((p, q) => heldOut(p) - heldOut(q) || (alphaFor(p) ?? 0) - (alphaFor(q) ?? 0));
  const arrow = view.direction === 'rates' ? 'users → movies' : 'movies → users';

  return (
    <div className="graph-wrap" onMouseLeave={() => setHover(null)}>
      <div className="graph-zoom" role="group" aria-label="Zoom the graph">
        <button className="btn small icon-text" onClick={() => setZoom((z) => Math.max(1, z / ZOOM_STEP))} disabled={zoom <= 1} aria-label="Zoom out" data-testid="zoom-out">−</button>
        <button className="btn small icon-text" onClick={() => setZoom((z) => Math.min(MAX_ZOOM, z * ZOOM_STEP))} disabled={zoom >= MAX_ZOOM} aria-label="Zoom in" data-testid="zoom-in">+</button>
      </div>
      {/* Scrolls sideways (pans) when zoomed in, and on a phone, where the graph keeps a readable size. */}
      <div className="graph-scroll" data-testid="graph-scroll" style={{ '--graph-drawn-width': `${model.width}px` } as CSSProperties}>
        <svg
          style={{ width: `calc(${zoom} * max(100%, var(--graph-min-width, 0px)))` }}
          className="graph"
          viewBox={`0 0 ${model.width} ${model.height}`}
          role="img"
          aria-label={`Bipartite graph: ${model.users.length} users, ${model.items.length} movies, ${model.edges.length} ratings`}
          data-testid="graph"
          data-epoch={snapshot?.epoch ?? -1}
        >
          <text className="col-head" x={model.xUser} y={26} textAnchor="middle">USERS</text>
          <text className="col-head" x={model.xItem} y={26} textAnchor="middle">MOVIES</text>
          <text className="col-sub" x={(model.xUser + model.xItem) / 2} y={26} textAnchor="middle">
            α conv{view.layer} · {view.head === 'mean' ? 'head mean' : `head ${view.head + 1}`} · {arrow}
          </text>
          <g className="edges">
            {ordered.map((e) => {
              const u = byNode.get(e.user)!;
              const it = byNode.get(info.numUsers + e.item)!;
              const alpha = alphaFor(e);
              const d = link({ source: [u.x + NODE_R + 2, u.y], target: [it.x - NODE_R - 2, it.y] })!;
              const dim = hoveredNode !== null && !touches(e, hoveredNode);
              // In a neighbourhood the centre's own edges stand out and the rest recede, whatever their α.
              const centred = centre !== null && touches(e, centre);
              const aside = hoveredNode === null && centre !== null && !centred;
              const hot = hover?.kind === 'edge' && hover.edge === e;
              const moved = baseline ? changeOf(e) : null;
              const stroke = e.kind === 'train' && moved !== null ? changeColor(moved / changeSpan) : edgeColor(e.kind, e.value);
              const w = alpha === null ? 2 : centred ? Math.max(FOCUS_MIN_WIDTH, width(alpha)) : width(alpha);
              const o = alpha === null ? 0.75 : centred ? FOCUS_OPACITY : aside ? opacity(alpha) * ASIDE_OPACITY : opacity(alpha);
              return (
                <g
                  key={e.rating}
                  className={`edge ${e.kind} ${hot ? 'hot' : ''}`}
                  data-testid="graph-edge"
                  data-kind={e.kind}
                  data-user={info.userNames[e.user]}
                  data-item={info.itemNames[e.item]}
                  data-alpha={alpha === null ? '' : alpha.toFixed(4)}
                  data-focus={centred ? 'centre' : aside ? 'aside' : undefined}
                  data-change={moved === null ? undefined : moved.toFixed(4)}
                  onMouseMove={(ev) => at(ev, { kind: 'edge', edge: e })}
                  onClick={() => onPickEdge?.(e)}
                >
                  <path className="hit" d={d} />
                  <path
                    className="line"
                    d={d}
                    stroke={stroke}
                    strokeWidth={hot ? w + 2 : w}
                    strokeOpacity={dim ? 0.08 : hot ? 1 : o}
                    strokeDasharray={EDGE_DASH[e.kind]}
                    strokeLinecap="round"
                  />
                </g>
              );
            })}
          </g>
          {labelled.length > 0 && (
            <g className="alpha-labels" aria-hidden="true">
              {labelled.map((e) => {
                const alpha = alphaFor(e)!;
                const u = byNode.get(e.user)!;
                const it = byNode.get(info.numUsers + e.item)!;
                const [x, y] = pointOn(u.x + NODE_R, u.y, it.x - NODE_R, it.y, labelAt);
                return (
                  <g key={e.rating} transform={`translate(${x},${y})`} data-testid="alpha-label">
                    <rect x={-19} y={-9} width={38} height={18} rx={9} stroke={edgeColor(e.kind, e.value)} />
                    <text textAnchor="middle" dy="0.35em">{alpha.toFixed(2)}</text>
                  </g>
                );
              })}
            </g>
          )}
          <g className="nodes">
            {nodes.map((n) => {
              const selected = pair !== null && (n.type === 'user' ? pair.user === n.index : pair.item === n.index);
              const emb = embeddingOf(snapshot, n);
              const left = n.type === 'user';
              const labelX = left ? n.x - NODE_R - 12 : n.x + NODE_R + 12;
              return (
                <g
                  key={n.node}
                  className={`node ${n.type} ${selected ? 'selected' : ''}`}
                  data-testid="graph-node"
                  data-type={n.type}
                  data-name={n.name}
                  transform={`translate(${n.x},${n.y})`}
                  onMouseMove={(ev) => at(ev, { kind: 'node', node: n })}
                  onClick={() => a.setPair(n.type === 'user' ? { user: n.index } : { item: n.index })}
                >
                  {selected && (n.type === 'user' ? <circle className="ring" r={NODE_R + 5} /> : <rect className="ring" x={-NODE_R - 5} y={-NODE_R - 5} width={2 * NODE_R + 10} height={2 * NODE_R + 10} rx={9} />)}
                  {n.type === 'user' ? <circle className="shape" r={NODE_R} /> : <rect className="shape" x={-NODE_R} y={-NODE_R} width={2 * NODE_R} height={2 * NODE_R} rx={6} />}
                  <text className={`initial len-${Math.min(4, badge(n.name).length)}`} textAnchor="middle" dy="0.35em">{badge(n.name)}</text>
                  <text className="name" x={labelX - n.x} y={-4} textAnchor={left ? 'end' : 'start'}>
                    {clip(n.name, left ? 20 : 34)}
                  </text>
                  {emb && <EmbeddingStrip values={emb} colour={colour} x={left ? labelX - n.x : labelX - n.x} y={5} align={left ? 'end' : 'start'} />}
                </g>
              );
            })}
          </g>
        </svg>
      </div>
      {baseline && (
        <p className="change-legend" data-testid="change-legend">
          <span className="change-ramp" style={{ background: `linear-gradient(90deg, ${changeColor(-1)}, ${changeColor(0)}, ${changeColor(1)})` }} />
          α fell ← unchanged → rose since epoch {baseline.epoch.toLocaleString('en-US')} (up to {changeSpan.toFixed(2)}); width is α now
        </p>
      )}
      {hover && <GraphTooltip target={hover} info={info} snapshot={snapshot} view={view} />}
    </div>
  );
}
