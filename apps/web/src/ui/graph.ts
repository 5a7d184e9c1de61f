/**
 * The graph panel: Graphviz's SVG (styled by node kind exactly as the exports are, since it is the
 * export), made keyboard- and click-navigable, with zoom and pan on the viewBox and highlighting
 * of the path from the loss to a node.
 */
import type { NodeInfo } from '../model.ts';

/** The panel's handle. */
export interface GraphPanel {
  show(svg: string | undefined, nodes: readonly NodeInfo[]): void;
  /** Lights up `path` (node ids) and marks `selected`; no arguments clears. */
  highlight(selected?: string, path?: readonly string[]): void;
  /** The number of drawn nodes of the problem (the legend left out). */
  nodeCount(): number;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The box around what `layer` (a group of a drawing on the page) holds, in the drawing's coordinates, with a small margin: one measurement. */
function extent(layer: SVGGElement | null, fallback: SVGSVGElement): Box {
  const b = layer?.getBBox();
  if (!layer || !b || b.width === 0 || !Number.isFinite(b.width)) {
    const viewBox = fallback.viewBox.baseVal;
    return { x: viewBox.x, y: viewBox.y, w: Math.max(viewBox.width, 1), h: Math.max(viewBox.height, 1) };
  }
  const matrix = layer.transform.baseVal.consolidate()?.matrix ?? new DOMMatrix();
  const topLeft = new DOMPoint(b.x, b.y).matrixTransform(matrix);
  const bottomRight = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(matrix);
  const margin = 6;
  return { x: topLeft.x - margin, y: topLeft.y - margin, w: bottomRight.x - topLeft.x + 2 * margin, h: bottomRight.y - topLeft.y + 2 * margin };
}

/** Wires the panel; the legend of the drawing is shown in `legend`. @example createGraphPanel(container, legend, { zoomIn, zoomOut, fit }, (id) => openStep(id)) */
export function createGraphPanel(
  container: HTMLElement,
  legend: HTMLElement,
  buttons: { zoomIn: HTMLButtonElement; zoomOut: HTMLButtonElement; fit: HTMLButtonElement },
  onSelect: (id: string) => void,
): GraphPanel {
  let svg: SVGSVGElement | undefined;
  let full: Box = { x: 0, y: 0, w: 1, h: 1 };
  let box: Box = full;
  let elements = new Map<string, SVGGElement>();
  let edges: { from: string; to: string; element: SVGGElement }[] = [];

  const apply = () => svg?.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h}`);
  const zoom = (factor: number, cx = box.x + box.w / 2, cy = box.y + box.h / 2) => {
    const w = Math.min(Math.max(box.w * factor, full.w / 40), full.w * 4);
    const h = (w / box.w) * box.h;
    box = { x: cx - ((cx - box.x) * w) / box.w, y: cy - ((cy - box.y) * h) / box.h, w, h };
    apply();
  };
  const fit = () => {
    box = { ...full };
    apply();
  };
  buttons.zoomIn.addEventListener('click', () => zoom(1 / 1.25));
  buttons.zoomOut.addEventListener('click', () => zoom(1.25));
  buttons.fit.addEventListener('click', fit);

  const toSvgPoint = (event: { clientX: number; clientY: number }) => {
    const rect = container.getBoundingClientRect();
    const scale = Math.max(box.w / rect.width, box.h / rect.height);
    // preserveAspectRatio xMidYMid meet: the drawing is centred in the larger dimension.
    const offsetX = (rect.width * scale - box.w) / 2;
    const offsetY = (rect.height * scale - box.h) / 2;
    return { x: box.x - offsetX + (event.clientX - rect.left) * scale, y: box.y - offsetY + (event.clientY - rect.top) * scale, scale };
  };
  container.addEventListener(
    'wheel',
    (event) => {
      if (!svg) return;
      event.preventDefault();
      const p = toSvgPoint(event);
      zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    },
    { passive: false },
  );
  let drag: { x: number; y: number; box: Box; moved: boolean } | undefined;
  container.addEventListener('pointerdown', (event) => {
    if (!svg || event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, box: { ...box }, moved: false };
  });
  window.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) container.setPointerCapture?.(event.pointerId);
    drag.moved = true;
    container.classList.add('panning');
    const { scale } = toSvgPoint(event);
    box = { ...drag.box, x: drag.box.x - dx * scale, y: drag.box.y - dy * scale };
    apply();
  });
  window.addEventListener('pointerup', () => {
    if (drag?.moved) {
      // the click that ends a drag does not select a node
      container.addEventListener('click', (e) => e.stopPropagation(), { capture: true, once: true });
    }
    drag = undefined;
    container.classList.remove('panning');
  });
  container.addEventListener('keydown', (event) => {
    const keys: Record<string, () => void> = { '+': () => zoom(1 / 1.25), '=': () => zoom(1 / 1.25), '-': () => zoom(1.25), '0': fit };
    const action = keys[event.key];
    if (action && !(event.target instanceof HTMLInputElement)) {
      event.preventDefault();
      action();
    }
  });

  /** The panel as tall as the drawing is at the panel's width (no empty bands), within bounds. */
  const fitHeight = () => {
    if (!svg) return;
    const width = container.clientWidth;
    const tallest = Math.max(320, window.innerHeight * 0.7);
    container.style.height = `${Math.round(Math.min(Math.max((width * full.h) / full.w, 200), tallest))}px`;
  };
  new ResizeObserver(() => fitHeight()).observe(container);

  /** Moves the legend's entries (nodes the problem does not have) from the drawing into the legend strip, drawn at 1.1 × their size. */
  const showLegend = (drawing: SVGSVGElement, entries: readonly SVGGElement[]) => {
    drawing.querySelector('g.cluster')?.remove();
    if (entries.length === 0) {
      legend.replaceChildren();
      return;
    }
    const strip = document.createElementNS(SVG_NS, 'svg');
    strip.setAttribute('role', 'img');
    strip.setAttribute('aria-label', `Legend: ${entries.map((e) => e.textContent?.trim()).join(', ')}`);
    const layer = document.createElementNS(SVG_NS, 'g');
    layer.setAttribute('transform', drawing.querySelector(':scope > g')?.getAttribute('transform') ?? '');
    for (const entry of entries) {
      entry.querySelector('title')?.remove();
      layer.append(entry);
    }
    strip.append(layer);
    legend.replaceChildren(strip);
    const area = extent(layer, drawing);
    strip.setAttribute('viewBox', `${area.x} ${area.y} ${area.w} ${area.h}`);
    strip.setAttribute('width', String(Math.round(area.w * 1.1)));
    strip.setAttribute('height', String(Math.round(area.h * 1.1)));
  };

  return {
    show(source, nodes) {
      elements = new Map();
      edges = [];
      if (source === undefined) {
        container.replaceChildren();
        legend.replaceChildren();
        svg = undefined;
        return;
      }
      // Parsed as HTML (inline SVG): quicker than an XML document and importing its nodes.
      const template = document.createElement('template');
      template.innerHTML = source.slice(Math.max(source.indexOf('<svg'), 0));
      const fresh = template.content.querySelector('svg');
      if (!fresh) {
        container.replaceChildren();
        legend.replaceChildren();
        svg = undefined;
        return;
      }
      const wasDrawn = svg !== undefined && full.w > 1;
      const previous = box;
      const previousFull = full;
      fresh.removeAttribute('width');
      fresh.removeAttribute('height');
      fresh.setAttribute('role', 'group');
      fresh.setAttribute('aria-label', `computational graph with ${nodes.length} nodes`);
      fresh.querySelector(':scope > g > title')?.remove();
      const info = new Map(nodes.map((n) => [n.id, n]));
      const legendNodes: SVGGElement[] = [];
      for (const group of fresh.querySelectorAll<SVGGElement>('g.node')) {
        const id = group.querySelector('title')?.textContent ?? '';
        const node = info.get(id);
        if (!node) {
          legendNodes.push(group);
          continue;
        }
        elements.set(id, group);
        group.dataset.node = id;
        group.setAttribute('tabindex', '0');
        group.setAttribute('role', 'button');
        // The accessible name is the node's visible text (its label and formula); what it does goes in the description.
        group.setAttribute('aria-description', `${node.added ? 'added by backprop' : node.kind}; opens its step`);
        group.querySelector('title')?.remove();
        const activate = () => onSelect(id);
        group.addEventListener('click', activate);
        group.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            activate();
          }
        });
      }
      for (const group of fresh.querySelectorAll<SVGGElement>('g.edge')) {
        const title = group.querySelector('title')?.textContent ?? '';
        const [from, to] = title.split('->');
        group.querySelector('title')?.remove();
        if (from === undefined || to === undefined || !info.has(from) || !info.has(to)) group.remove(); // the legend's invisible edges
        else edges.push({ from, to, element: group });
      }
      // The legend goes to a strip of its own, at a size it can be read at; the drawing is fitted to the rest
      // (without Graphviz's white page behind it, which spans the legend too).
      const frame = fresh.querySelector<SVGGElement>(':scope > g');
      frame?.querySelector(':scope > polygon')?.remove();
      svg = fresh;
      container.replaceChildren(fresh);
      showLegend(fresh, legendNodes);
      full = extent(frame, fresh);
      // Keep the user's zoom while they edit the same drawing; a new size of drawing starts fitted.
      box = wasDrawn && Math.abs(previousFull.w - full.w) < 1 && Math.abs(previousFull.h - full.h) < 1 ? previous : { ...full };
      fitHeight();
      apply();
    },
    highlight(selected, path = []) {
      const on = new Set(path);
      svg?.classList.toggle('has-path', selected !== undefined);
      for (const [id, element] of elements) {
        element.classList.toggle('on-path', on.has(id));
        element.classList.toggle('selected', id === selected);
        element.setAttribute('aria-pressed', String(id === selected));
      }
      for (const edge of edges) edge.element.classList.toggle('on-path', on.has(edge.from) && on.has(edge.to));
      if (selected !== undefined) elements.get(selected)?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    },
    nodeCount: () => elements.size,
  };
}
