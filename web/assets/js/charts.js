// charts.js - small bar charts drawn as inline SVG (no chart library), each with a title and a description for screen readers, and the CSV of a data table made in the page.

const SVG = 'http://www.w3.org/2000/svg';

/* Colours for series, each dark enough on white (contrast at least 3:1) and told apart by the legend and the table too. */
export const PALETTE = ['#0b4f8a', '#116329', '#a4161a', '#7a4d00', '#6f42c1', '#00707a', '#b3261e', '#4a5260', '#8a3b00', '#1f6f43'];

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) e.append(c);
  return e;
}

/* A round step for an axis of four steps holding `max`: 1, 2 or 5 times a power of ten (at least 1), so counts get whole ticks. */
export function niceStep(max) {
  const raw = Math.max(max / 4, 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/* Tick labels: their size in CSS px (the chart is drawn one viewBox unit to a CSS px, see fitted), and a line of them. */
export const FONT = 12;
const LINE = 14;
const GAP = 6; // px kept clear between two labels

const WIDE = /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/u;

/* About how wide `s` is at FONT px: a CJK character an em, anything else 0.62 em (more than digits and most Latin letters take in a sans-serif font, so labels laid out by it do not meet). */
export function textWidth(s) {
  let em = 0;
  for (const ch of s) em += WIDE.test(ch) ? 1 : 0.62;
  return em * FONT;
}

/* `s` in lines of at most `max` px, broken at spaces; a word longer than a line (a Chinese label is one word) is left whole, and too wide. */
export function wrap(s, max) {
  const lines = [];
  let line = '';
  for (const w of s.split(/\s+/).filter(Boolean)) {
    if (line && textWidth(`${line} ${w}`) > max) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  lines.push(line);
  return lines;
}

/*
 * How to label n categories whose bars are `band` px apart so that no two
 * labels meet: {every, rows, lines}: every `every`-th category labelled,
 * as lines (lines[i] for category i), on `rows` rows (2: staggered, odd
 * ones under even ones). With `all`, every category keeps its label when
 * it can (wrapped at spaces to two lines, else staggered, which gives each
 * twice the room); otherwise, or when even that does not fit, one line each and as
 * many skipped as it takes.
 */
export function xLabels(labels, band, all = false) {
  const fits = (lines, room) => lines.length <= 2 && lines.every((l) => textWidth(l) <= room);
  if (all) {
    for (const rows of [1, 2]) {
      const room = band * rows - GAP;
      const lines = labels.map((l) => wrap(l, room));
      if (lines.every((ls) => fits(ls, room))) return { every: 1, rows, lines };
    }
  }
  const widest = Math.max(0, ...labels.map(textWidth));
  return { every: Math.max(1, Math.ceil((widest + GAP) / band)), rows: 1, lines: labels.map((l) => [l]) };
}

/*
 * A bar chart as an <svg role="img"> named by its <title> and <desc>,
 * `width` px wide (its viewBox too, so its text is FONT px as shown):
 *   id          prefix of the element ids
 *   title, desc what it shows, in words
 *   categories  the x-axis labels (short), one per group of bars
 *   series      [{label, values: [number per category]}]
 *   stacked     true: one bar per category with the series stacked; false: the series side by side
 *   allLabels   true: every category keeps its label (see xLabels), for categories that are not a time line
 * Each bar has a <title> saying its category, series and value.
 */
export function barChart({ id, title, desc, categories, series, stacked = true, allLabels = false, width = 480 }) {
  const W = Math.max(Math.round(width), 200), PLOT = 190, L = 40, R = 6, T = 12;
  const n = Math.max(categories.length, 1);
  const band = (W - L - R) / n;
  const lab = xLabels(categories, band, allLabels);
  const tall = Math.max(1, ...lab.lines.map((ls) => ls.length));
  const B = 10 + lab.rows * tall * LINE;
  const H = T + PLOT + B;
  const totals = categories.map((_, i) => (stacked
    ? series.reduce((s, x) => s + (x.values[i] || 0), 0)
    : Math.max(0, ...series.map((x) => x.values[i] || 0))));
  const top = 4 * niceStep(Math.max(0, ...totals));
  const y = (v) => T + PLOT * (1 - v / top);
  const gap = Math.min(band * 0.2, 12);
  const g = svg('g', { 'font-size': FONT });
  // the scale: five lines from 0 to the top, labelled
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    g.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: L - 6, y: y(v) + FONT / 3, 'text-anchor': 'end', class: 'tick y' }, document.createTextNode(String(v))));
  }
  categories.forEach((c, i) => {
    const x0 = L + band * i + gap / 2, w = band - gap;
    if (i % lab.every === 0) {
      // under its bar, on the lower row when staggered and odd
      const top0 = T + PLOT + 4 + (lab.rows === 2 && i % 2 ? tall * LINE : 0);
      g.append(svg('text', { x: x0 + w / 2, y: top0 + FONT, 'text-anchor': 'middle', class: 'tick x' },
        lab.lines[i].map((l, k) => svg('tspan', { x: x0 + w / 2, dy: k ? LINE : 0 }, document.createTextNode(l)))));
    }
    let base = 0;
    series.forEach((s, j) => {
      const v = s.values[i] || 0;
      const bw = stacked ? w : w / series.length;
      const bx = stacked ? x0 : x0 + bw * j;
      const y1 = stacked ? y(base + v) : y(v), y0 = stacked ? y(base) : y(0);
      if (v > 0) {
        g.append(svg('rect', { x: bx, y: y1, width: Math.max(bw - (stacked ? 0 : 1), 1), height: Math.max(y0 - y1, 0.5), fill: PALETTE[j % PALETTE.length], 'data-series': j, 'data-category': i, 'data-value': v },
          svg('title', {}, document.createTextNode(`${c} · ${s.label}: ${v}`))));
      }
      if (stacked) base += v;
    });
  });
  g.append(svg('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), class: 'axis' }));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart', id: `${id}-svg`, 'data-width': W },
    svg('title', { id: `${id}-title` }, document.createTextNode(title)),
    svg('desc', { id: `${id}-desc` }, document.createTextNode(desc)),
    g);
}

/*
 * A box holding the chart `draw(width)` gives, drawn at the box's own
 * width in CSS px and drawn again when that changes: a chart drawn once
 * and scaled to a phone's width would shrink its labels below legibility,
 * one drawn to its width keeps them FONT px and lays them out for the room
 * there is. (Drawn at 480 px until the box is laid out.)
 */
export function fitted(draw) {
  const box = document.createElement('div');
  box.className = 'chart-box';
  let drawn = 0;
  const put = (w) => {
    box.replaceChildren(draw(w));
    drawn = w;
  };
  put(480);
  if (typeof ResizeObserver === 'function') {
    const ro = new ResizeObserver(([entry]) => {
      if (!box.isConnected) return ro.disconnect();
      const w = Math.round(entry.contentRect.width);
      if (w > 0 && w !== drawn) put(w);
      return undefined;
    });
    ro.observe(box);
  }
  return box;
}

/* The legend: one entry per series, its colour as a small square. */
export function legend(series) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  series.forEach((s, j) => {
    const li = document.createElement('li');
    li.append(svg('svg', { viewBox: '0 0 10 10', width: 12, height: 12, 'aria-hidden': 'true' }, svg('rect', { width: 10, height: 10, fill: PALETTE[j % PALETTE.length] })),
      document.createTextNode(` ${s.label}`));
    ul.append(li);
  });
  return ul;
}

/* One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/* A <table> as CSV: its header row, then each body row, the cells' text as shown, lines ending CRLF (RFC 4180). */
export function tableCsv(table) {
  return [...table.querySelectorAll('tr')]
    .map((tr) => [...tr.children].map((c) => csvField(c.textContent.trim())).join(','))
    .map((line) => `${line}\r\n`).join('');
}

/*
 * A link that downloads the table as `filename`: the CSV made when clicked
 * (so it is the table as shown then), UTF-8 with a byte-order mark so
 * spreadsheets read the Chinese right.
 */
export function csvLink(table, filename, text) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button secondary small csv';
  button.textContent = text;
  button.dataset.filename = filename;
  button.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob(['\ufeff', tableCsv(table)], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });
  return button;
}
