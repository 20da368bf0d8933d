/** @jsxImportSource react */
// Small line icons for the action types (drawn, so no emoji font is needed).
const paths: Record<string, string> = {
  route: "M4 12h12M12 6l6 6-6 6",
  queue: "M6 3h12M6 21h12M7 3c0 5 10 5 10 9s-10 4-10 9M17 3c0 5-10 5-10 9",
  bot: "M5 9h14v10H5zM12 5v4M9 13h.01M15 13h.01M9 16h6M3 13v3M21 13v3",
  message: "M4 5h16v11H9l-5 4z",
  offline: "M3 6h18v12H3zM3 7l9 6 9-6",
};

export function ActionIcon({ type }: { type: string }) {
  return (
    <svg className={`action-icon icon-${type}`} viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={paths[type] ?? paths.route} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
