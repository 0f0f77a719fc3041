/** The report page's style sheet: readable tables, status badges, charts side by side when they fit. */
export const PAGE_STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; padding: 0 24px 48px; max-width: 1400px; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 20px 0 4px; }
h2 { font-size: 21px; margin: 28px 0 10px; }
h3 { font-size: 17px; margin: 20px 0 8px; }
code { font: 13px Menlo, Consolas, monospace; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f5f5f5; }
table.regions td:nth-child(-n+2), table.errors td:first-child { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.headline { display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: flex-start; }
.facts { margin: 8px 0; padding-left: 20px; max-width: 760px; }
.badge { display: inline-block; font-size: 12px; font-weight: bold; padding: 1px 7px; border-radius: 9px; color: #fff; background: #2e7d32; vertical-align: 2px; }
.badge.warn { background: #b26a00; }
.badge.fail { background: #c62828; }
.badge.info { background: #607d8b; }
.badge.quirk, .badge.quirks { background: #5d6d7e; }
.selector { position: sticky; top: 0; background: #fff; padding: 10px 0; border-bottom: 1px solid #ddd; z-index: 2; }
.selector select { font-size: 15px; padding: 3px 6px; margin-left: 6px; max-width: 90vw; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; min-height: 420px; min-width: 300px; }
.findings li { margin: 3px 0; }
.k { color: #666; font-size: 13px; }
footer { margin-top: 40px; color: #666; font-size: 13px; }
#vg-tooltip-element td.key { font-weight: bold; }
`;
