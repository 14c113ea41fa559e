// A segment's size over the last 30 days as a small line. Decorative: the text beside it says the same.
export function Sparkline({ points, width = 96, height = 24 }: { points: readonly number[]; width?: number; height?: number }) {
  if (points.length < 2) return null;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const step = width / (points.length - 1);
  // Flat series sit in the middle; others use the full height (1px inset so the stroke is not clipped).
  const y = (value: number) => (max === min ? height / 2 : 1 + (height - 2) * (1 - (value - min) / span));
  const line = points.map((value, index) => `${(index * step).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false" style={{ display: "block" }}>
      <polyline points={line} fill="none" stroke="var(--p-color-icon-emphasis, #303030)" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
