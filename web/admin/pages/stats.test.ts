// The Dashboard's number helpers: durations as people read them, in English and
// Chinese; day ranges; the one-line summary a chart gives screen readers.
import { describe, expect, it } from "vitest";
import { chartSummary, daysBetween, formatDuration, isoDay } from "./stats";

describe("formatDuration", () => {
  it("says seconds, minutes and hours", () => {
    expect(formatDuration(null, "en")).toBe("—");
    expect(formatDuration(4400, "en")).toBe("4 s");
    expect(formatDuration(185000, "en")).toBe("3 min 5 s");
    expect(formatDuration(120000, "en")).toBe("2 min");
    expect(formatDuration(7800000, "en")).toBe("2 h 10 min");
    expect(formatDuration(4400, "zh")).toBe("4秒");
    expect(formatDuration(185000, "zh")).toBe("3分5秒");
    expect(formatDuration(3600000, "zh")).toBe("1小时");
  });
});

describe("ranges", () => {
  it("counts days inclusively and knows a reversed range", () => {
    expect(daysBetween("2026-03-01", "2026-03-01")).toBe(1);
    expect(daysBetween("2026-02-27", "2026-03-02")).toBe(4);
    expect(daysBetween("2026-03-02", "2026-03-01")).toBe(0);
  });
  it("names local days", () => {
    expect(isoDay(new Date(2026, 0, 3, 23, 30))).toBe("2026-01-03");
    expect(isoDay(new Date(2026, 0, 3, 0, 30), 6)).toBe("2025-12-28");
  });
});

describe("chartSummary", () => {
  it("names the biggest values and the total", () => {
    expect(chartSummary(["Mon", "Tue", "Wed", "Thu"], [1, 5, 0, 2], { total: "Total", none: "none" })).toBe("Tue: 5, Thu: 2, Mon: 1. Total: 8");
    expect(chartSummary(["Mon"], [0], { total: "Total", none: "No conversations." })).toBe("No conversations.");
  });
});
