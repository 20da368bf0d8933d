import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import { hoursDraft, hoursOf, weekSummary } from "./Groups";
import { pageFromHash } from "./Pages";
import { settingsTranslator } from "./settings-text";
import { embedSnippet, pickerColor } from "./Widget";
import { fieldErrors } from "./ui";

describe("the widget settings page", () => {
  it("gives the embed tag with this server's address and the tenant", () => {
    expect(embedSnippet("https://chat.example.com", "demo")).toBe('<script src="https://chat.example.com/widget.js" data-tenant="demo" async></script>');
  });
  it("feeds the colour picker #rrggbb only", () => {
    expect(pickerColor("#0F766E")).toBe("#0f766e");
    expect(pickerColor("#a30")).toBe("#aa3300");
    expect(pickerColor("red")).toBe("#000000");
  });
  it("puts every error of a 422 on its field", () => {
    const e = new ApiError(422, "invalid_field", "first", {
      error: { field: "color", message: "bad colour" },
      errors: [
        { field: "color", message: "bad colour" },
        { field: "allowed_origins[1]", message: "not an origin" },
      ],
    });
    expect(fieldErrors(e)).toEqual({ color: "bad colour", "allowed_origins[1]": "not an origin" });
    expect(fieldErrors(new ApiError(409, "conflict", "file broken", { error: { message: "file broken" } }))).toEqual({ "": "file broken" });
  });
  it("is reached by #widget and #groups", () => {
    expect(pageFromHash("#widget")).toBe("widget");
    expect(pageFromHash("#groups")).toBe("groups");
  });
});

describe("the group form's hours", () => {
  it("round-trips the API's hours, closed days left out", () => {
    const hours = { mon: ["08:00-12:30", "13:00-18:00"], sat: ["10:00-14:00"] };
    const draft = hoursDraft(hours);
    expect(draft.on).toBe(true);
    expect(draft.days.mon).toEqual([
      { opens: "08:00", closes: "12:30" },
      { opens: "13:00", closes: "18:00" },
    ]);
    expect(draft.days.tue).toEqual([]);
    expect(hoursOf(draft)).toEqual(hours);
  });
  it("sends no hours (always open) when they are off", () => {
    expect(hoursDraft(null).on).toBe(false);
    expect(hoursOf({ ...hoursDraft({ mon: ["09:00-17:00"] }), on: false })).toBeNull();
  });
  it("sums up runs of days with the same hours", () => {
    const t = settingsTranslator("en");
    const day = (d: "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun") => t(`groups.day.${d}`);
    const five = ["09:00-17:00"];
    expect(weekSummary({ mon: five, tue: five, wed: five, thu: five, fri: five, sat: ["10:00-14:00"] }, day)).toBe("Monday–Friday 09:00-17:00 · Saturday 10:00-14:00");
    expect(weekSummary({ mon: five, wed: five }, day)).toBe("Monday 09:00-17:00 · Wednesday 09:00-17:00");
  });
});
